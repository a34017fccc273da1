"""The production profile on one machine (`make run-prod`): nginx in front of two Rasa server
processes and two action servers, PostgreSQL tracker store, Redis lock store, the website server.

Refuses to start without ACTION_SERVER_SECRET, STAFF_TOKEN, ALLOWED_ORIGINS and SESSION_SECRET.
The Rasa HTTP API stays off (no --enable-api). Ports: PUBLIC_PORT (8000) is nginx; the others
listen on 127.0.0.1.
Usage: python -m server.prod [--public-port 8000] [--replicas 2] [--run-dir results/prod]
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

from server.processes import MODEL, ROOT, free_port, wait_until_up

REQUIRED = {
    "ACTION_SERVER_SECRET": "the secret the Rasa servers send to the action servers",
    "STAFF_TOKEN": "the staff pages' password",
    "ALLOWED_ORIGINS": "the web origins allowed to call the Rasa servers (CORS), e.g. https://clinic.example",
    "SESSION_SECRET": "signs the conversation ids of the website and socket.io (a long random string)",
}
SERVICE_DEFAULTS = {
    "POSTGRES_HOST": "127.0.0.1",
    "POSTGRES_PORT": "5432",
    "POSTGRES_DB": "iastm",
    "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "1",
    "NGINX_RATE_PER_SECOND": "20",  # per client IP, with bursts of twice that
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.local.conf"
ENDPOINTS = ROOT / "deploy" / "endpoints.prod.yml"


def missing_settings(environ: dict) -> list[str]:
    """The required settings that are unset or empty."""
    return [name for name in REQUIRED if not environ.get(name)]


def render_nginx(
    run_dir: Path, ports: dict, rasa_ports: list[int], action_ports: list[int], rate: int
) -> str:
    """nginx.local.conf with this run's ports and folders."""
    values = {
        "RUN_DIR": str(run_dir),
        "PUBLIC_PORT": str(ports["public"]),
        "ACTIONS_PORT": str(ports["actions"]),
        "WEB_PORT": str(ports["web"]),
        "RATE_PER_SECOND": str(rate),
        "BURST": str(2 * rate),
        "RASA_SERVERS": "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in rasa_ports
        ),
        "ACTION_SERVERS": "\n".join(f"    server 127.0.0.1:{port};" for port in action_ports),
    }
    text = NGINX_TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def ensure_database(environ: dict) -> None:
    """Create the tracker store's database if PostgreSQL does not have it yet."""
    connection = psycopg2.connect(
        host=environ["POSTGRES_HOST"],
        port=environ["POSTGRES_PORT"],
        user=environ["POSTGRES_USER"],
        password=environ["POSTGRES_PASSWORD"] or None,
        dbname="postgres",
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (environ["POSTGRES_DB"],))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{environ["POSTGRES_DB"]}"')
    connection.close()


@dataclass
class Topology:
    """The processes of the production profile, started in order and stopped together."""

    run_dir: Path
    public_port: int
    replicas: int
    environ: dict
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start(self) -> None:
        """Start action servers, Rasa servers, the website server and nginx; wait until all answer."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.ports = ports = {"public": self.public_port, "actions": free_port(), "web": free_port()}
        self.action_ports = action_ports = [free_port() for _ in range(self.replicas)]
        self.rasa_ports = [free_port() for _ in range(self.replicas)]
        self.env = env = {**self.environ, "ACTIONS_PORT": str(ports["actions"])}
        for index, port in enumerate(action_ports):
            self._start(
                f"actions-{index + 1}", [PYTHON, "-m", "server.action_server", "--port", str(port)], env
            )
        for index in range(self.replicas):
            self.start_rasa(index)
        self._start(
            "web",
            [PYTHON, "-m", "web.app", "--port", str(ports["web"]), "--rasa", f"http://127.0.0.1:{ports['public']}",
             "--endpoints", str(ENDPOINTS)],
            env,
        )  # fmt: skip
        config = self.run_dir / "nginx.conf"
        rate = int(env["NGINX_RATE_PER_SECOND"])
        config.write_text(
            render_nginx(self.run_dir, ports, self.rasa_ports, action_ports, rate), encoding="utf-8"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._start("nginx", [nginx, "-c", str(config), "-p", str(self.run_dir), "-g", "daemon off;"], env)
        for name, port in [
            *((f"rasa-{i + 1}", p) for i, p in enumerate(self.rasa_ports)),
            ("web", ports["web"]),
        ]:
            wait_until_up(f"http://127.0.0.1:{port}/", self.processes[name])
        wait_until_up(f"http://127.0.0.1:{ports['public']}/webhooks/rest/", self.processes["nginx"])

    @property
    def url(self) -> str:
        """nginx, where everything public is."""
        return f"http://127.0.0.1:{self.public_port}"

    def start_rasa(self, index: int) -> None:
        """(Re)start Rasa server replica `index`."""
        self._start(
            f"rasa-{index + 1}",
            [PYTHON, "-m", "server.launch", "run", "--model", str(MODEL),
             "--port", str(self.rasa_ports[index]),
             "--endpoints", str(ENDPOINTS), "--credentials", str(ROOT / "credentials.yml"),
             "--interface", "127.0.0.1", "--cors", *self.environ["ALLOWED_ORIGINS"].split()],
            self.env,
        )  # fmt: skip

    def _start(self, name: str, command: list[str], env: dict) -> None:
        log = open(self.run_dir / f"{name}.log", "ab")  # the child writes to it until it exits
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        """Kill one process at once (SIGKILL), as a crash would."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=30)

    def stop(self) -> None:
        """Stop every process."""
        for process in reversed(list(self.processes.values())):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for process in self.processes.values():
            process.wait(timeout=60)


def prepare_environment(environ: dict) -> dict:
    """The environment with service defaults filled in and the runtime settings Rasa needs."""
    redis_url = "redis://{}:{}/{}".format(
        *(environ.get(name, SERVICE_DEFAULTS[name]) for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_DB"))
    )
    return {
        **SERVICE_DEFAULTS,
        **environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "SANIC_REQUEST_MAX_SIZE": "65536",
        "SANIC_HOST": "127.0.0.1",
        "SANIC_WORKERS": "1",
        # Rate limits shared by the Rasa server processes (channels/gate.py), and their socket.io
        # rooms (channels/socketio.py).
        "RATE_LIMIT_REDIS_URL": redis_url,
        "SOCKETIO_REDIS_URL": redis_url,
        # A conversation locked by a process that died is free again after this many seconds: longer
        # than a turn (one action call of at most ACTION_TIMEOUT_SECONDS), or a live turn loses it;
        # shorter than Sanic's 60 s response timeout, or a message waiting behind it is dropped.
        "TICKET_LOCK_LIFETIME": environ.get("TICKET_LOCK_LIFETIME", "45"),
    }


def main() -> int:
    """Start the production profile and keep it running until Ctrl+C."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--public-port", type=int, default=int(os.environ.get("PUBLIC_PORT", "8000")))
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "results" / "prod")
    args = parser.parse_args()
    missing = missing_settings(os.environ)
    if missing:
        print("The production profile needs these settings in the environment:")
        for name in missing:
            print(f"  {name}: {REQUIRED[name]}")
        return 2
    environ = prepare_environment(dict(os.environ))
    ensure_database(environ)
    topology = Topology(args.run_dir, args.public_port, args.replicas, environ)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        topology.start()
        print(f"Production profile up at http://127.0.0.1:{args.public_port}/ (logs: {args.run_dir}). Ctrl+C")
        while all(process.poll() is None for process in topology.processes.values()):
            time.sleep(1)
        print("A process stopped; stopping the others. See the logs in", args.run_dir)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
