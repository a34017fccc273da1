"""Start a real action server and Rasa server (REST channel, SQLite tracker store) on free ports.

Used by the tests, the benchmark, `make ask` (when no assistant runs) and the production profile.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from channels.sessions import session_secret

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "iastm.tar.gz"  # what `make train` writes
RASA = ROOT / ".venv" / "bin" / "rasa"
CACHED_STORE = "server.tracker_cache.CachedSQLTrackerStore"  # plain Rasa keeps Rasa's own SQL store
START_TIMEOUT_SECONDS = 180


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen) -> None:
    """Poll `url` until it answers 2xx; fail if `process` exits or the timeout passes."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.25)
    raise TimeoutError(url)


def peak_memory_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of a running process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(pid)


# The lock store endpoints.yml names; plain Rasa keeps Rasa's own (in memory).
LOCK_STORE = "lock_store:\n  type: server.lock_store.InMemoryLockStore\n"


def _stop(process: subprocess.Popen) -> None:
    """Terminate a server started in its own session, with every process it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    process.wait(timeout=60)


class Servers:
    """The action server and a Rasa server sharing one SQLite tracker store in `workdir`.

    `plain_rasa` starts Rasa's own command instead of server.launch, without server/rasa_changes.py
    (no speed fixes, no question splitting or focus): the benchmark's baseline of a plain Rasa assistant.
    `root` is the project tree whose servers run (another commit's work tree, for the benchmark's
    baseline of an earlier main); a tree other than this one gets Rasa's own store classes in its
    endpoints, as trees from before the store classes of server/ patched them at launch.
    """

    def __init__(
        self,
        workdir: Path,
        model: Path,
        credentials: Path = ROOT / "credentials.yml",
        plain_rasa: bool = False,
        root: Path = ROOT,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.model = model
        self.credentials = credentials
        self.root = root
        self.python_module = [str(root / ".venv" / "bin" / "python"), "-m"]
        # The Rasa server as `make run` starts it: through server.launch, with server/rasa_changes.py applied.
        self.rasa_command = [str(RASA)] if plain_rasa else [*self.python_module, "server.launch"]
        self.action_port, self.rasa_port = free_port(), free_port()
        self.endpoints = workdir / "endpoints.yml"
        rasa_stores = plain_rasa or root != ROOT
        self.endpoints.write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.action_port}/webhook\n"
            "  enable_selective_domain: true\n"
            f"tracker_store:\n  type: {'SQL' if rasa_stores else CACHED_STORE}\n  dialect: sqlite\n"
            f"  db: {workdir / 'tracker.db'}\n" + ("" if rasa_stores else LOCK_STORE)
        )
        self.env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SANIC_REQUEST_MAX_SIZE": "65536",
            "PYTHONPATH": str(root),  # the tree's own modules, whatever this process's path
            # Shared with this process, which may issue website and staff tokens (channels/sessions.py).
            "SESSION_SECRET": session_secret(),
            **(environment or {}),
        }
        self.actions = self.rasa = None
        try:
            self.start_actions()
            self.start_rasa()
            wait_until_up(f"http://127.0.0.1:{self.action_port}/health", self.actions)
        except Exception:
            self.stop()
            raise

    def _start(self, command: list, log_name: str) -> subprocess.Popen:
        log = open(self.workdir / f"{log_name}.log", "ab")  # the child process writes to it until it exits
        return subprocess.Popen(
            command, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def webhook(self) -> str:
        """The REST channel's URL."""
        return f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook"

    def start_rasa(self) -> float:
        """Start the Rasa server; return the seconds until its REST channel answered."""
        started = time.monotonic()
        command = [
            *self.rasa_command, "run", "--model", str(self.model), "--port", str(self.rasa_port),
            "--interface", "127.0.0.1",
            "--endpoints", str(self.endpoints), "--credentials", str(self.credentials),
        ]  # fmt: skip
        self.rasa = self._start(command, "rasa")
        wait_until_up(f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/", self.rasa)
        return time.monotonic() - started

    def start_actions(self) -> None:
        """Start the action server (without waiting for it)."""
        self.actions = self._start(
            [*self.python_module, "server.action_server", "--port", str(self.action_port)], "actions"
        )

    def stop_actions(self) -> None:
        """Stop the action server (the Rasa server keeps running)."""
        _stop(self.actions)

    def stop_rasa(self) -> None:
        """Stop the Rasa server and its worker processes (the action server keeps running)."""
        _stop(self.rasa)

    def stop(self) -> None:
        """Stop both servers."""
        for process in (self.rasa, self.actions):
            if process is not None:
                _stop(process)

    def say(self, sender: str, message: str) -> list:
        """Send one message through the REST channel and return the bot's replies."""
        response = requests.post(self.webhook, json={"sender": sender, "message": message}, timeout=60)
        response.raise_for_status()
        return response.json()


@contextmanager
def serving(
    model: Path,
    credentials: Path = ROOT / "credentials.yml",
    plain_rasa: bool = False,
    root: Path = ROOT,
    environment: dict[str, str] | None = None,
) -> Iterator[Servers]:
    """Servers for `model` in a temporary folder (with `environment` added to this process's),
    stopped (and the folder removed) afterwards."""
    with tempfile.TemporaryDirectory() as workdir:
        servers = Servers(Path(workdir), model, credentials, plain_rasa, root, environment)
        try:
            yield servers
        finally:
            servers.stop()
