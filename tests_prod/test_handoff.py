"""A handoff to the front desk with two Rasa replicas: a staff member's steps run on either replica,
and the visitor's page (through nginx and the website server) or socket.io widget gets every message."""

import base64
import time
from types import SimpleNamespace

import requests

from tests.test_hostile_servers import Widget

STAFF = {"Authorization": "Bearer test-staff-token"}


def test_a_staff_reply_reaches_the_visitor_whichever_replica_runs_it(topology):
    session = requests.post(topology.url + "/chat/session", timeout=10).json()["session"]
    conversation = "web:" + session.split("-", 1)[1].split(".", 1)[0]

    def chat(message: str) -> list:
        reply = requests.post(
            topology.url + "/chat", json={"sender": session, "message": message}, timeout=60
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    waiting = chat("can I talk to a real person?")
    assert any(reply.get("custom", {}).get("status") == "waiting" for reply in waiting)
    first, second = (f"http://127.0.0.1:{port}/webhooks/staff" for port in topology.rasa_ports)
    body = {"conversation": conversation, "staff": "Maria"}
    assert requests.post(first + "/claim", json=body, headers=STAFF, timeout=30).status_code == 200
    assert (
        requests.post(second + "/claim", json={**body, "staff": "Jo"}, headers=STAFF, timeout=30).status_code
        == 409
    )
    answered = requests.post(
        second + "/reply", json={**body, "text": "Hello from the desk"}, headers=STAFF, timeout=30
    )
    assert answered.status_code == 200

    deadline, texts = time.monotonic() + 20, []
    while time.monotonic() < deadline and "Maria (front desk): Hello from the desk" not in texts:
        updates = requests.post(
            topology.url + "/chat/updates", json={"sender": session, "after": 0}, timeout=10
        )
        texts = [message["text"] for message in updates.json()["messages"]]
        time.sleep(0.5)
    assert texts == [
        "Maria from the front desk has joined the chat.",
        "Maria (front desk): Hello from the desk",
    ]

    login = base64.b64encode(b"Maria:test-staff-token").decode()
    inbox = requests.get(
        topology.url + "/staff/inbox.json", headers={"Authorization": "Basic " + login}, timeout=10
    )
    assert [h["staff"] for h in inbox.json()["handoffs"] if h["conversation"] == conversation] == ["Maria"]
    released = requests.post(topology.url + "/staff/inbox/release", json={"conversation": conversation},
                             headers={"Authorization": "Basic " + login}, timeout=30)  # fmt: skip
    assert released.status_code == 200
    assert any(reply.get("custom", {}).get("topic") == "painful" for reply in chat("is iastm painful?"))


def test_a_staff_reply_reaches_a_socketio_widget_whose_socket_the_other_replica_holds(topology):
    holder, other = topology.rasa_ports
    widget = Widget(SimpleNamespace(rasa_port=holder), origin="https://clinic.example")
    try:
        token = widget.session()
        conversation = "socketio:" + token.split(".")[0].split("-", 1)[1]
        waiting = widget.say(
            "can I talk to a real person?",
            lambda new: any(reply.get("custom", {}).get("status") == "waiting" for reply in new),
        )
        assert any(reply.get("custom", {}).get("status") == "waiting" for reply in waiting)
        desk = f"http://127.0.0.1:{other}/webhooks/staff"
        body = {"conversation": conversation, "staff": "Ana"}
        before = len(widget.replies)
        assert requests.post(desk + "/claim", json=body, headers=STAFF, timeout=30).status_code == 200
        reply = {**body, "text": "Hola, soy Ana"}
        assert requests.post(desk + "/reply", json=reply, headers=STAFF, timeout=30).status_code == 200
        staff_texts = [
            reply["text"]
            for reply in widget.replies_after(
                before, lambda new: any("Hola, soy Ana" in r.get("text", "") for r in new), timeout=20
            )
            if reply.get("text")
        ]
        joined = "Ana from the front desk has joined the chat."
        assert staff_texts == [joined, "Ana (front desk): Hola, soy Ana"]
    finally:
        widget.client.disconnect()
