"""The production profile is secure by default: settings required, API off, CORS limited, action
servers private, limits enforced, staff pages protected."""

import os
import subprocess
import uuid

import requests

from server.action_server import SECRET_HEADER
from server.processes import ROOT, wait_until_up


def test_it_refuses_to_start_without_its_secrets():
    environ = {k: v for k, v in os.environ.items() if k not in ("ACTION_SERVER_SECRET", "STAFF_TOKEN")}
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "server.prod"], cwd=ROOT, env=environ,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "ACTION_SERVER_SECRET" in result.stdout and "STAFF_TOKEN" in result.stdout


def test_the_rasa_http_api_is_off(topology):
    for path in ("/conversations/x1234567/tracker", "/model/parse", "/status"):
        assert requests.get(topology.url + path, timeout=10).status_code in (401, 403, 404, 405)
    assert requests.post(topology.url + "/model/parse", json={"text": "hi"}, timeout=10).status_code in (
        403,
        404,
        405,
    )


def test_cors_allows_only_the_configured_origin(topology):
    webhook = topology.url + "/webhooks/rest/webhook"
    for origin, allowed in (("https://clinic.example", True), ("https://evil.example", False)):
        preflight = requests.options(
            webhook, headers={"Origin": origin, "Access-Control-Request-Method": "POST"}, timeout=10
        )
        assert (preflight.headers.get("Access-Control-Allow-Origin") == origin) is allowed


def test_action_servers_need_the_shared_secret(topology):
    for port in [topology.ports["actions"], *topology.action_ports]:
        call = requests.post(f"http://127.0.0.1:{port}/webhook", json={"next_action": "x"}, timeout=10)
        assert call.status_code == 403
        wrong = requests.post(
            f"http://127.0.0.1:{port}/webhook", json={}, headers={SECRET_HEADER: "guess"}, timeout=10
        )
        assert wrong.status_code == 403


def test_limits_and_bad_input_give_clean_4xx_and_the_server_keeps_serving(topology):
    webhook = topology.url + "/webhooks/rest/webhook"
    sender = uuid.uuid4().hex
    assert requests.post(webhook, data=b"x" * 100_000, timeout=10).status_code == 413
    assert (
        requests.post(webhook, json={"sender": sender, "message": "x" * 20_000}, timeout=10).status_code
        == 413
    )
    assert requests.post(webhook, json={"sender": "../admin", "message": "hi"}, timeout=10).status_code == 400
    for message in ["", "\x00\x01\x02 binary", "🙂🙂", "¿Duele?", "<script>alert(1)</script>",
                    "'; DROP TABLE events; --", '{"json": "payload"}', "/restart"]:  # fmt: skip
        answer = requests.post(webhook, json={"sender": sender, "message": message}, timeout=60)
        assert answer.status_code == 200, message
    painful = requests.post(
        webhook, json={"sender": sender, "message": "is iastm painful?"}, timeout=60
    ).json()
    assert any(reply.get("custom", {}).get("topic") == "painful" for reply in painful)


def test_staff_pages_need_the_token(topology):
    assert requests.get(topology.url + "/staff", timeout=10).status_code == 401
    assert (
        requests.get(topology.url + "/staff", auth=("desk", "test-staff-token"), timeout=10).status_code
        == 200
    )


def test_one_conversations_rate_limit_holds_across_the_replicas(topology):
    """The limit is counted in Redis, so alternating between the two Rasa servers does not double it."""
    for index, port in enumerate(topology.rasa_ports):  # both up (the load test restarts the one it killed)
        if topology.processes[f"rasa-{index + 1}"].poll() is not None:
            topology.start_rasa(index)
        wait_until_up(f"http://127.0.0.1:{port}/", topology.processes[f"rasa-{index + 1}"])
    sender = uuid.uuid4().hex
    codes = [
        requests.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            json={"sender": sender, "message": "hi"},
            timeout=60,
        ).status_code
        for port in topology.rasa_ports * 35
    ]
    assert codes.count(429) >= 1 and set(codes) <= {200, 429}
