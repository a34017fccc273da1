"""The production topology in containers (deploy/docker-compose.yml): started once for these tests
from the images scripts/build_images.sh built (make test-deploy), with test secrets, torn down after.
"""

import json
import os
import re
import subprocess

import pytest

from server.processes import ROOT, free_port

PROJECT = "iastm-test"
IMAGES = ROOT / "results" / "deploy" / "images.env"
LOGS = ROOT / "results" / "deploy" / "compose.log"
SETTINGS = {
    "ACTION_SERVER_SECRET": "test-action-secret",
    "STAFF_TOKEN": "test-staff-token",
    "POSTGRES_PASSWORD": "test-postgres-password",
    "SESSION_SECRET": "test-session-secret",
    "ALLOWED_ORIGINS": "https://clinic.example",
    # The load test comes from one address: the Rasa servers' per-address limit is raised for it,
    # as nginx's are (nginx_conf_for_one_client).
    "MESSAGES_PER_MINUTE_PER_ADDRESS": "100000",
}
NGINX_CONF = ROOT / "deploy" / "docker" / "nginx.conf"
TEST_NGINX_CONF = ROOT / "results" / "deploy" / "nginx.conf"


def nginx_conf_for_one_client() -> str:
    """deploy/docker/nginx.conf with per-address limits a load test from one address stays under,
    and the replica of each request logged: `route <conversation> <replica>` for the webhooks,
    `sticky <client address> <replica>` for socket.io."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    formats = "  log_format route 'route $conversation $upstream_addr';\n"
    formats += "  log_format sticky 'sticky $remote_addr $upstream_addr';\n"
    text = text.replace("  access_log off;\n", "  access_log off;\n" + formats)
    for location, log in (("/webhooks/", "route"), ("/socket.io/", "sticky")):
        text = text.replace(
            f"    location {location} {{\n",
            f"    location {location} {{\n      access_log /dev/stdout {log};\n",
        )
    assert text.count("/dev/stdout route;") == 1 and text.count("/dev/stdout sticky;") == 1
    raised = text.replace("rate=5r/s", "rate=1000r/s").replace(
        "limit_conn connections 20;", "limit_conn connections 500;"
    )
    raised = re.sub(r"zone=per_client burst=\d+", "zone=per_client burst=1000", raised)
    assert raised.count("rate=1000r/s") == 1 and "limit_conn connections 500;" in raised
    return raised


class Stack:
    """The running compose project: its public URL and docker compose / docker commands."""

    def __init__(self, environ: dict, url: str):
        self.environ = environ
        self.url = url

    def compose(self, *arguments: str, timeout: float = 900) -> str:
        command = ["docker", "compose", "-p", PROJECT, "-f", str(ROOT / "deploy" / "docker-compose.yml")]
        result = subprocess.run(
            [*command, *arguments], env=self.environ, capture_output=True, text=True, timeout=timeout
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def containers(self, service: str) -> list[dict]:
        """`docker inspect` of the service's containers."""
        ids = self.compose("ps", "-q", service).split()
        return json.loads(subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True).stdout)

    def wait_healthy(self) -> None:
        self.compose("up", "-d", "--wait", "--wait-timeout", "600")

    def sql(self, query: str) -> list[list[str]]:
        """Rows of a query run in the PostgreSQL container (tab-separated fields)."""
        psql = ["psql", "-U", "iastm", "-d", "iastm", "-At", "-F", "\t", "-c", query]
        output = self.compose("exec", "-T", "postgres", *psql)
        return [line.split("\t") for line in output.splitlines() if line]


@pytest.fixture(scope="session")
def stack():
    if not IMAGES.exists():
        pytest.fail("the images are not built: run make test-deploy")
    images = dict(line.split("=", 1) for line in IMAGES.read_text(encoding="utf-8").split())
    port = free_port()
    TEST_NGINX_CONF.write_text(nginx_conf_for_one_client(), encoding="utf-8")
    environ = {**os.environ, **SETTINGS, **images, "HTTP_PORT": str(port), "NGINX_CONF": str(TEST_NGINX_CONF)}
    running = Stack(environ, f"http://127.0.0.1:{port}")
    running.compose("down", "-v", "--remove-orphans")  # what an interrupted run left behind
    try:
        running.wait_healthy()
        yield running
    finally:
        LOGS.write_text(running.compose("logs", "--no-color", "--timestamps"), encoding="utf-8")
        running.compose("down", "-v", "--remove-orphans")
