"""A hostile public against the real servers: REST takes JSON only and keeps each caller in its own
namespace, the Rasa server is not reachable from outside this machine, and socket.io holds a
conversation that no other client can claim. (The pieces: tests/test_hostile_input.py; fuzzing of
every channel: tests/test_abuse.py.)"""

import socket
import threading
import uuid

import pytest
import requests
import socketio

from channels.sessions import SessionTokens
from staff.events import read_turns
from tests.test_hostile_input import BOOKING_QUESTIONS, BOOKING_STORY

SAFETY_CITATION = "(Crothers et al., 2016)"
ORIGIN = "http://localhost:8080"  # allowed by default (channels/socketio.py)


def test_rest_takes_json_only(servers):
    body = '{"sender": "a1b2c3d4e5f6", "message": "is it painful?"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        refused = requests.post(
            servers.webhook, data=body, headers={"Content-Type": content_type}, timeout=30
        )
        assert refused.status_code == 415 and "JSON" in refused.json()["error"]


def test_a_rest_caller_cannot_address_another_channels_conversation(servers):
    chat = "87654321"  # shaped like a Telegram chat id
    replies = servers.say(chat, "is iastm painful?")
    assert replies and all(reply["recipient_id"] == "rest:" + chat for reply in replies)
    store = f"sqlite:///{servers.workdir / 'tracker.db'}"
    assert read_turns(store, sender_id="rest:" + chat) and not read_turns(store, sender_id="telegram:" + chat)
    forged = "web-" + uuid.uuid4().hex + "." + "0" * 32
    refused = requests.post(servers.webhook, json={"sender": forged, "message": "hi"}, timeout=30)
    assert refused.status_code == 400
    issued = SessionTokens().issue("web")  # as the website server issues it (the same SESSION_SECRET)
    assert (
        requests.post(servers.webhook, json={"sender": issued, "message": "hi"}, timeout=60).status_code
        == 200
    )


def outside_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_rasa_server_is_not_reachable_from_outside_this_machine(servers):
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    with socket.socket() as attempt, pytest.raises(OSError):
        attempt.settimeout(5)
        attempt.connect((address, servers.rasa_port))
    with socket.create_connection(("127.0.0.1", servers.rasa_port), timeout=5):
        pass  # while it does listen on loopback


class Widget:
    """A socket.io client as a chat widget uses it: asks for a session, sends, collects replies."""

    def __init__(self, servers, origin: str = ORIGIN) -> None:
        self.client = socketio.Client(reconnection=False)
        self.replies: list[dict] = []
        self.token: str | None = None
        self._confirmed = threading.Event()
        self._replied = threading.Condition()
        self.client.on("session_confirm", self._on_confirm)
        self.client.on("bot_uttered", self._on_reply)
        self.client.connect(
            f"http://127.0.0.1:{servers.rasa_port}", headers={"Origin": origin}, transports=["polling"]
        )

    def _on_confirm(self, token: str) -> None:
        self.token = token
        self._confirmed.set()

    def _on_reply(self, reply: dict) -> None:
        with self._replied:
            self.replies.append(reply)
            self._replied.notify_all()

    def session(self, claimed: str | None = None) -> str:
        self._confirmed.clear()
        self.client.emit("session_request", {"session_id": claimed})
        assert self._confirmed.wait(30), "no session_confirm"
        return self.token

    def say(self, text: str, until, session_id: str | None = None) -> list[dict]:
        before = len(self.replies)
        self.client.emit("user_uttered", {"message": text, "session_id": session_id or self.token})
        return self.replies_after(before, until)

    def replies_after(self, before: int, until, timeout: float = 60) -> list[dict]:
        """The replies after the first `before`, once `until` holds for them (or the timeout)."""
        with self._replied:
            self._replied.wait_for(lambda: until(self.replies[before:]), timeout=timeout)
        return self.replies[before:]


def test_socketio_answers_with_text_and_payload_and_no_one_else_can_claim_the_conversation(servers):
    visitor = Widget(servers)
    intruder = Widget(servers)
    try:
        token = visitor.session()
        assert SessionTokens().conversation_of(token, kinds=("socketio",))
        safety = visitor.say("is iastm safe?", lambda new: any("custom" in reply for reply in new))
        assert any(SAFETY_CITATION in reply.get("text", "") for reply in safety)
        payload = next(reply["custom"] for reply in safety if "custom" in reply)
        assert payload["type"] == "answer" and payload["topic"] == "safety" and payload["citations"]

        conversation_id = token.split(".")[0]
        for claimed in (conversation_id, conversation_id + "." + "0" * 32, token.split("-")[1]):
            assert intruder.session(claimed) != token  # a claim without the signature gets a new one
        own = intruder.say(
            "which study says so?", lambda new: any("custom" in r for r in new), session_id=token
        )
        assert all(
            r["custom"].get("topic") != "safety" for r in own if "custom" in r
        ), "not the visitor's topic"
        assert len(visitor.replies) == len(safety), "the visitor got nothing of the intruder's"
    finally:
        visitor.client.disconnect()
        intruder.client.disconnect()


def test_socketio_reads_an_emergency_in_the_middle_of_a_rambling_message(servers):
    visitor = Widget(servers)
    try:
        visitor.session()
        urgent = BOOKING_STORY + " My husband just collapsed and he is not breathing. " + BOOKING_QUESTIONS
        replies = visitor.say(urgent, lambda new: any("custom" in reply for reply in new))
        payload = next(reply["custom"] for reply in replies if "custom" in reply)
        assert (payload["type"], payload["tier"]) == ("emergency", "life_threatening")
    finally:
        visitor.client.disconnect()


def test_socketio_refuses_a_page_from_another_origin(servers):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Widget(servers, origin="https://evil.example")
