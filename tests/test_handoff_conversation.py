"""A handoff to the front desk end to end: real Rasa and action servers with every channel (the
front desk always open, a 3-second wait), the website server in this process, the inbox's calls
as the staff page makes them, the website relay, Telegram through the fake provider; feedback
stored and reported; outside opening hours, the message form."""

import base64
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
import requests

from actions.clinic import load_clinic
from server.processes import MODEL, free_port, serving
from staff import report
from tests.messaging_fakes import (
    Sent,
    messenger_message,
    messenger_post,
    serving_messaging,
    slack_message,
    slack_post,
    telegram_update,
    twilio_post,
    webhook,
)
from tests.thread_server import serve_in_thread
from web.app import create_app

STAFF_TOKEN = "staff-test-token"
OPEN = {
    "STAFF_TOKEN": STAFF_TOKEN,
    "CLINIC_OPENING_HOURS": "Mon-Sun 00:00-24:00",
    "HANDOFF_WAIT_MINUTES": "0.05",
}
CLOSED = {"STAFF_TOKEN": STAFF_TOKEN, "CLINIC_OPENING_HOURS": "closed"}


def staff_headers(name: str) -> dict:
    """The staff pages' login: the name as user name, the token as password."""
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{STAFF_TOKEN}".encode()).decode()}


class Site:
    """The website server in front of real servers: a visitor's and a staff member's calls."""

    def __init__(self, servers, url: str) -> None:
        self.servers, self.url = servers, url
        self.store = f"sqlite:///{servers.workdir / 'tracker.db'}"

    def session(self) -> str:
        return requests.post(self.url + "/chat/session", timeout=10).json()["session"]

    def chat(self, session: str, message: str) -> list:
        reply = requests.post(self.url + "/chat", json={"sender": session, "message": message}, timeout=60)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def updates(self, session: str, after: int = 0) -> dict:
        reply = requests.post(
            self.url + "/chat/updates", json={"sender": session, "after": after}, timeout=10
        )
        assert reply.status_code == 200, reply.text
        return reply.json()

    def staff(
        self, operation: str, name: str, conversation: str, text: str | None = None
    ) -> requests.Response:
        body = {"conversation": conversation, "text": text}
        return requests.post(
            f"{self.url}/staff/inbox/{operation}", json=body, headers=staff_headers(name), timeout=30
        )

    def inbox(self) -> dict:
        handoffs = requests.get(
            self.url + "/staff/inbox.json", headers=staff_headers("Maria"), timeout=10
        ).json()
        return {handoff["conversation"]: handoff for handoff in handoffs["handoffs"]}


@pytest.fixture(scope="module")
def site(provider, tmp_path_factory):
    """Servers with every channel, the front desk open, and the website server with the inbox."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HANDOFF_WAIT_MINUTES", "0.05")  # the website server's own check of the wait
        load_clinic.cache_clear()
        with serving_messaging(provider, tmp_path_factory.mktemp("handoff"), OPEN) as servers:
            store = f"sqlite:///{servers.workdir / 'tracker.db'}"
            port = free_port()
            app = create_app(
                f"http://127.0.0.1:{servers.rasa_port}", store, STAFF_TOKEN, handoff_check_seconds=0.5
            )
            with serve_in_thread(app, port):
                yield Site(servers, f"http://127.0.0.1:{port}")
    load_clinic.cache_clear()


def conversation_of(session: str) -> str:
    """The conversation id of a website session token: `web:<id>`."""
    return "web:" + session.split("-", 1)[1].split(".", 1)[0]


def text_of(replies: list) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def custom_of(replies: list) -> dict:
    return next(reply["custom"] for reply in replies if "custom" in reply)


def wait_for_update(site: Site, session: str, after: int, contains: str, seconds: float = 15) -> dict:
    """The first pushed message after `after` that contains `contains`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in site.updates(session, after)["messages"]:
            if contains in message["text"]:
                return message
        time.sleep(0.3)
    raise AssertionError(f"no pushed message with {contains!r}")


def test_a_visitor_asks_for_a_person_who_takes_the_chat_answers_and_hands_it_back(site):
    session = site.session()
    conversation = conversation_of(session)
    answer = site.chat(session, "does IASTM hurt?")
    buttons = {
        button["title"]: button["payload"] for reply in answer for button in reply.get("buttons") or []
    }
    assert list(buttons) == ["👍 Helpful", "👎 Not helpful"]  # every answer asks for feedback
    unhelpful = site.chat(session, buttons["👎 Not helpful"])
    assert custom_of(unhelpful)["type"] == "unhelpful"
    assert [b["payload"] for r in unhelpful for b in r.get("buttons") or []] == ["/ask_human"]

    waiting = site.chat(session, "can I talk to a real person please")
    assert custom_of(waiting)["status"] == "waiting" and "a person will reply" in text_of(waiting)
    assert site.chat(session, "hello? is anyone there?") == []  # paused: the assistant stays quiet
    listed = site.inbox()[conversation]
    assert listed["status"] == "waiting" and listed["channel"] == "web"
    assert "hello? is anyone there?" in listed["questions"] and listed["emergency"] is False

    assert site.staff("reply", "Maria", conversation, "hi").status_code == 409  # take it first
    assert site.staff("claim", "Maria", conversation).status_code == 200
    taken = site.staff("claim", "Jo", conversation)
    assert taken.status_code == 409 and "Maria" in taken.json()["error"]  # one person at a time
    joined = wait_for_update(site, session, 0, "Maria from the front desk has joined")
    assert joined["custom"]["staff"] == "Maria"
    assert site.staff("reply", "Maria", conversation, "Hi, this is Maria. How can I help?").status_code == 200
    reply = wait_for_update(site, session, joined["id"], "How can I help?")
    assert reply["text"] == "Maria (front desk): Hi, this is Maria. How can I help?"
    assert (
        site.inbox()[conversation]["status"] == "claimed" and site.inbox()[conversation]["staff"] == "Maria"
    )

    emergency = site.chat(session, "wait my chest is crushing and my left arm went numb")
    assert custom_of(emergency)["type"] == "emergency" and "911" in text_of(
        emergency
    )  # at once, paused or not
    assert site.inbox()[conversation]["emergency"] is True  # flagged for the front desk

    history = requests.get(
        site.url + "/staff/inbox/history.json", params={"conversation": conversation},
        headers=staff_headers("Maria"), timeout=10,
    ).json()["messages"]  # fmt: skip
    assert {"from": "Maria", "staff": True} == {
        k: v for k, v in history[-3].items() if k in ("from", "staff")
    }
    assert history[-2]["from"] == "visitor" and history[-2]["emergency"] is True

    assert site.staff("release", "Jo", conversation).status_code == 409  # only who took it hands it back
    assert site.staff("release", "Maria", conversation).status_code == 200
    back = wait_for_update(site, session, reply["id"], "has left the chat")
    assert site.updates(session, back["id"]) == {"messages": [], "handoff": None}
    assert "Ecchymosis" in text_of(site.chat(session, "will it leave bruises?"))  # the assistant again
    assert conversation not in site.inbox()

    since = datetime.now(timezone.utc) - timedelta(minutes=5)
    found = report.load_report(site.store, since, since + timedelta(days=1))
    assert found.feedback["painful"]["unhelpful"] >= 1
    assert found.handoffs["waiting"] >= 1 and found.handoffs["claimed"] >= 1


def test_nobody_takes_it_in_time_so_the_visitor_leaves_a_message_and_a_valid_contact(site):
    session = site.session()
    conversation = conversation_of(session)
    assert custom_of(site.chat(session, "agent please"))["status"] == "waiting"
    offer = wait_for_update(site, session, 0, "Nobody at the front desk is free")
    assert "What would you like the front desk to know?" in offer["text"]
    assert site.updates(session, offer["id"])["handoff"] is None  # the widget stops polling
    asked = site.chat(session, "Please call me about my appointment on Friday")
    assert "phone number or e-mail" in text_of(asked) and "agree" in text_of(asked)
    assert "doesn't look like" in text_of(site.chat(session, "my cell"))  # asked again
    saved = site.chat(session, "(915) 555-0123")
    assert custom_of(saved)["status"] == "message_left" and "9155550123" in text_of(saved)
    left = site.inbox()[conversation]
    assert (left["status"], left["message"], left["contact"]) == (
        "message_left", "Please call me about my appointment on Friday", "9155550123"
    )  # fmt: skip
    assert "Ecchymosis" in text_of(site.chat(session, "will it leave bruises?"))  # the assistant again


def messaging_visitor(site: Site, channel: str) -> tuple[Callable[[str], None], str, str, str]:
    """A new visitor on a messaging channel: how they write, their conversation id, and the ids the
    provider's messages to them carry: the assistant's answers, the front desk's messages (Slack
    answers in the channel written in, and the front desk writes to the user's direct messages with
    the app, which is that channel when they wrote there)."""
    number = str(uuid.uuid4().int % 10**9)
    if channel == "telegram":
        secret = {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}

        def say(text: str) -> None:
            url = webhook(site.servers, "telegram")
            assert requests.post(url, json=telegram_update(int(number), text), headers=secret, timeout=10).ok

        return say, f"telegram:{number}", number, number
    if channel == "slack":
        user = "U" + number
        return (
            (lambda text: slack_post(site.servers, slack_message(user, "D" + number, text))),
            f"slack:{user}",
            "D" + number,
            user,
        )
    if channel == "twilio":
        phone = "+1555" + number[:7].zfill(7)
        return (
            (lambda text: twilio_post(site.servers, phone, "+15557654321", text)),
            f"twilio:{phone}",
            phone,
            phone,
        )
    user = "1" + number.zfill(15)
    return (
        (lambda text: messenger_post(site.servers, messenger_message(user, text))),
        f"facebook:{user}",
        user,
        user,
    )


@pytest.mark.parametrize("channel", ["telegram", "slack", "twilio", "facebook"])
def test_a_messaging_visitor_gets_the_front_desk_s_replies_on_their_channel(site, provider, channel):
    say, conversation, answered_at, staff_at = messaging_visitor(site, channel)

    def sent_with(words: str, recipient: str = staff_at) -> Sent:
        return provider.wait(channel, recipient, 0, lambda sent: any(words in m.text for m in sent))[-1]

    say("I want to talk to a human")
    sent_with("a person will reply", answered_at)
    assert site.inbox()[conversation]["channel"] == channel
    assert site.staff("claim", "Maria", conversation).status_code == 200
    assert site.staff("reply", "Maria", conversation, "Hello from the clinic!").status_code == 200
    reply = sent_with("Hello from the clinic!")
    assert reply.text.startswith("Maria (front desk): Hello from the clinic!")
    if channel == "twilio":
        assert reply.body["From"] == "+15557654321"  # from the number the visitor wrote to
    assert site.staff("release", "Maria", conversation).status_code == 200
    assert "automated assistant again" in sent_with("has left the chat").text


def test_the_staff_channel_refuses_calls_without_the_token_and_unknown_conversations(site):
    url = f"http://127.0.0.1:{site.servers.rasa_port}/webhooks/staff/claim"
    body = {"conversation": "web:nobody", "staff": "Maria"}
    assert requests.post(url, json=body, timeout=10).status_code == 401
    assert (
        requests.post(url, json=body, headers={"Authorization": "Bearer guess"}, timeout=10).status_code
        == 401
    )
    known = requests.post(url, json=body, headers={"Authorization": f"Bearer {STAFF_TOKEN}"}, timeout=10)
    assert known.status_code == 404
    bad = requests.post(url, data=b"{oops", headers={"Authorization": f"Bearer {STAFF_TOKEN}"}, timeout=10)
    assert bad.status_code == 400
    assert site.staff("delete", "Maria", "web:x").status_code == 404  # only claim, reply and release


@pytest.fixture(scope="module")
def closed_servers():
    """Servers whose front desk is never open."""
    assert MODEL.exists(), "train first: make train"
    with serving(MODEL, environment=CLOSED) as servers:
        yield servers


@pytest.mark.parametrize(
    "ask, says, cancel",
    [
        ("can I speak to a person?", "The front desk is closed", "cancel"),
        ("quiero hablar con una persona", "La recepción está cerrada", "cancelar"),
    ],
)
def test_outside_hours_the_visitor_is_told_so_and_may_leave_a_message_or_cancel(
    closed_servers, ask, says, cancel
):
    sender = uuid.uuid4().hex
    closed = closed_servers.say(sender, ask)
    assert says in text_of(closed) and "911" in text_of(closed)
    assert [reply["custom"]["status"] for reply in closed if "custom" in reply] == ["closed", "message"]
    emergency = closed_servers.say(sender, "my husband just collapsed and is not breathing")
    assert custom_of(emergency)["type"] == "emergency"  # never taken for the message
    asked = closed_servers.say(sender, "my shoulder still hurts after last week, please call")
    assert custom_of(asked)["status"] == "contact"
    assert custom_of(closed_servers.say(sender, cancel))["status"] == "cancelled"
    assert custom_of(closed_servers.say(sender, "does it hurt?"))["type"] == "answer"  # the assistant again
