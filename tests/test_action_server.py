"""The action server refuses requests without the shared secret, and serves those with it."""

import os
import subprocess

import pytest
import requests

from server.action_server import SECRET_HEADER, secret_ok
from server.processes import ROOT, free_port, wait_until_up

CALL = {"next_action": "action_no_answer", "sender_id": "t1", "tracker": {"sender_id": "t1", "slots": {},
        "latest_message": {}, "events": [], "paused": False, "followup_action": None,
        "active_loop": {}, "latest_action_name": None}, "domain": {}, "version": "3.6.2"}  # fmt: skip


def test_the_secret_is_compared_exactly():
    assert secret_ok("s3cret", "s3cret")
    assert not secret_ok("s3cre", "s3cret") and not secret_ok(None, "s3cret") and not secret_ok("", "s3cret")


@pytest.fixture(scope="module")
def action_server():
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "server.action_server", "--port", str(port)],
        cwd=ROOT, env={**os.environ, "ACTION_SERVER_SECRET": "s3cret"},
    )  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_requests_without_the_secret_are_refused_but_health_answers(action_server):
    webhook = action_server + "/webhook"
    assert requests.post(webhook, json=CALL, timeout=10).status_code == 403
    assert requests.post(webhook, json=CALL, headers={SECRET_HEADER: "guess"}, timeout=10).status_code == 403
    allowed = requests.post(webhook, json=CALL, headers={SECRET_HEADER: "s3cret"}, timeout=10)
    assert allowed.status_code == 200 and allowed.json()["responses"]
    assert requests.get(action_server + "/health", timeout=10).status_code == 200


def test_it_listens_on_loopback_only(action_server):
    port = int(action_server.rsplit(":", 1)[1])
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    local_addresses = [line.split()[3] for line in listening.splitlines()]
    assert local_addresses == [f"127.0.0.1:{port}"]
