"""Messaging channels in process: formatting, numbered replies, and each connector's signature checks,
payload parsing and outbound messages (the provider call is recorded, not made)."""

import asyncio
import hashlib
import hmac
import json
import re
import time
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic.compat import Header
from sanic.request import RequestParameters
from slack_sdk.signature import SignatureVerifier
from twilio.request_validator import RequestValidator

from actions.knowledge import load_knowledge
from actions.replies import answer_reply
from channels import facebook, slack, telegram, twilio
from channels.formatting import (
    LIMITS,
    numbered_options,
    plain_text,
    slack_mrkdwn,
    split_text,
    with_numbered_options,
)
from channels.numbered import resolve_number

CITATION = re.compile(r"\([^()]*\d{4}[^()]*\)")
BUTTONS = [
    {"title": "Does IASTM hurt?", "payload": "/ask_painful"},
    {
        "title": "Can IASTM help plantar fasciitis?",
        "payload": '/ask_condition{"condition": "plantar fasciitis"}',
    },
]


@pytest.fixture(scope="module")
def long_answer() -> str:
    """Every answer of the knowledge base in one text: many citations, far over every limit."""
    kb = load_knowledge()
    return "\n".join(answer_reply(kb, topic, topic.answer).text for topic in kb.topics.values())


# Formatting


def test_limits_per_channel():
    assert LIMITS == {"telegram": 4096, "slack": 3000, "sms": 1600, "whatsapp": 1600, "messenger": 2000}


def test_a_short_text_is_one_part_and_a_blank_one_none():
    assert split_text("  Is it painful? It can be.  ", 100) == ["Is it painful? It can be."]
    assert split_text(" \n\n ", 100) == []


@pytest.mark.parametrize("limit", sorted(set(LIMITS.values())) + [300, 120])
def test_long_answers_split_under_the_limit_keeping_words_order_and_citations(long_answer, limit):
    parts = split_text(long_answer, limit)
    assert len(parts) > 1 and all(0 < len(part) <= limit for part in parts)
    assert " ".join(parts).split() == long_answer.split()
    citations = [citation for citation in CITATION.findall(long_answer) if len(citation) <= limit]
    assert citations and all(any(citation in part for part in parts) for citation in citations)


def test_cuts_prefer_paragraphs_then_lines_then_sentences_then_words():
    assert split_text("a" * 8 + "\n\n" + "b" * 8 + "\n" + "c" * 8, 18) == ["a" * 8, "b" * 8 + "\n" + "c" * 8]
    assert split_text("one line\ntwo line\nthree", 18) == ["one line\ntwo line", "three"]
    assert split_text("First one. Second one. Third.", 23) == ["First one. Second one.", "Third."]
    assert split_text("alpha beta gamma delta", 11) == ["alpha beta", "gamma delta"]


def test_a_citation_is_not_cut_unless_it_alone_is_too_long():
    assert split_text("It helps a lot (Kim et al., 2017) they say", 25) == [
        "It helps a lot",
        "(Kim et al., 2017) they",
        "say",
    ]
    assert split_text("(Kim et al., 2017)", 10) == ["(Kim et", "al., 2017)"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_buttons_become_numbered_options():
    assert numbered_options(BUTTONS) == (
        "Reply with a number:\n1. Does IASTM hurt?\n2. Can IASTM help plantar fasciitis?"
    )
    assert with_numbered_options("Hello!", BUTTONS) == "Hello!\n\n" + numbered_options(BUTTONS)
    assert with_numbered_options("Hello!", []) == "Hello!"


def test_markdown_becomes_plain_text_or_slack_mrkdwn():
    text = "## Safety\n**Mild** soreness & bruising, see [a study](https://example.org/a_b) `(Kim, 2017)`"
    assert plain_text(text) == (
        "Safety\nMild soreness & bruising, see a study (https://example.org/a_b) (Kim, 2017)"
    )
    assert slack_mrkdwn(text) == (
        "*Safety*\n*Mild* soreness &amp; bruising, see <https://example.org/a_b|a study> `(Kim, 2017)`"
    )
    assert plain_text("5 * 3 and snake_case stay") == "5 * 3 and snake_case stay"


# Numbered replies


@pytest.fixture
async def tracker_store():
    store = InMemoryTrackerStore(Domain.empty())
    for conversation in ("offered", "telegram:offered"):  # as numbered.py and a channel name it
        tracker = DialogueStateTracker(conversation, None)
        tracker.update(UserUttered("hi"))
        tracker.update(BotUttered("Hello!", {"buttons": BUTTONS}))
        await store.save(tracker)
    plain = DialogueStateTracker("answered", None)
    plain.update(BotUttered("Hello!", {"buttons": BUTTONS}))
    plain.update(BotUttered("An answer without buttons."))
    await store.save(plain)
    return store


@pytest.mark.parametrize(
    ("sender", "text", "expected"),
    [
        ("offered", "1", "/ask_painful"),
        ("offered", " 2. ", BUTTONS[1]["payload"]),
        ("offered", "2)", BUTTONS[1]["payload"]),
        ("offered", "3", "3"),
        ("offered", "0", "0"),
        ("offered", "1 please", "1 please"),
        ("answered", "1", "1"),
        ("nobody", "1", "1"),
    ],
)
async def test_a_number_picks_that_option_of_the_last_bot_message(tracker_store, sender, text, expected):
    assert await resolve_number(tracker_store, sender, text) == expected


# Connectors: fake requests into each input channel's `receive`


class Inbox:
    """The on_new_message handler Rasa would pass: records what the connector hands to Rasa."""

    def __init__(self) -> None:
        self.messages: list[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.messages.append(message)

    async def wait(self, count: int = 1) -> list[UserMessage]:
        for _ in range(500):
            if len(self.messages) >= count:
                return self.messages
            await asyncio.sleep(0.01)
        raise TimeoutError(self.messages)


def request(tracker_store, body: bytes, headers: dict, url: str = "", args: dict | None = None):
    """The parts of a Sanic request the connectors read."""
    agent = SimpleNamespace(tracker_store=tracker_store)
    return SimpleNamespace(
        body=body,
        headers=Header(headers),
        url=url,
        args=RequestParameters({key: [value] for key, value in (args or {}).items()}),
        app=SimpleNamespace(ctx=SimpleNamespace(agent=agent)),
    )


def status_and_json(response) -> tuple[int, dict]:
    return response.status, json.loads(response.body)


def test_every_connector_refuses_to_start_without_its_secrets():
    for channel in (telegram.TelegramInput, slack.SlackInput, twilio.TwilioInput, facebook.FacebookInput):
        with pytest.raises(RasaException, match="docs/channels.md"):
            channel.from_credentials({"api_base": "http://127.0.0.1:1"})


TELEGRAM = telegram.TelegramInput("123:ABC", "s3cret")


def telegram_update(chat_id: int, text: str) -> dict:
    return {
        "update_id": 1000,
        "message": {
            "message_id": 7,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Ana"},
            "date": 1700000000,
            "text": text,
        },
    }


def telegram_press(chat_id: int, data: str) -> dict:
    return {
        "update_id": 1001,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
            "message": {"message_id": 8, "chat": {"id": chat_id, "type": "private"}, "date": 1700000001},
            "chat_instance": "-1",
            "data": data,
        },
    }


def test_telegram_reads_messages_and_button_presses():
    assert telegram.parse_update(telegram_update(42, "is it painful?")) == ("42", "is it painful?", None)
    assert telegram.parse_update(telegram_press(42, "/ask_painful")) == (
        "42",
        "/ask_painful",
        "4382bfdwdsb323b2d9",
    )
    assert telegram.parse_update(telegram_update(42, "/start")) == ("42", "/greet", None)
    assert telegram.parse_update(telegram_update(42, "/help@iastm_bot")) == ("42", "/ask_capabilities", None)
    assert telegram.parse_update({"update_id": 1, "edited_message": {"chat": {"id": 1}, "text": "x"}}) is None
    sticker = telegram_update(42, "")
    del sticker["message"]["text"]
    assert telegram.parse_update(sticker) is None


async def test_telegram_webhook_checks_the_secret_token(tracker_store):
    inbox, body = Inbox(), json.dumps(telegram_update(42, "hi")).encode()
    for headers in ({}, {telegram.SECRET_HEADER: "wrong"}):
        assert TELEGRAM.receive(request(tracker_store, body, headers), inbox).status == 403
    headers = {telegram.SECRET_HEADER: "s3cret"}
    assert status_and_json(TELEGRAM.receive(request(tracker_store, b"{not json", headers), inbox)) == (
        400,
        {"error": "malformed payload"},
    )
    assert TELEGRAM.receive(request(tracker_store, b"[1]", headers), inbox).status == 400
    assert status_and_json(TELEGRAM.receive(request(tracker_store, body, headers), inbox)) == (
        200,
        {"status": "ok"},
    )
    [message] = await inbox.wait()
    assert (message.sender_id, message.text, message.input_channel) == ("telegram:42", "hi", "telegram")


async def test_telegram_button_press_is_acknowledged_and_long_payloads_go_by_number(tracker_store):
    inbox = Inbox()
    body = json.dumps(telegram_press(42, "2")).encode()
    reply = TELEGRAM.receive(request(tracker_store, body, {telegram.SECRET_HEADER: "s3cret"}), inbox)
    assert status_and_json(reply) == (
        200,
        {"method": "answerCallbackQuery", "callback_query_id": "4382bfdwdsb323b2d9"},
    )
    assert (await inbox.wait())[0].text == "2"  # nothing was offered to chat 42
    long_payload = {
        "title": "t",
        "payload": '/ask_condition{"condition": "limited mobility and loss of range"}',
    }
    assert telegram.callback_data(BUTTONS[0], 1) == "/ask_painful"
    assert telegram.callback_data(long_payload, 3) == "3"
    inbox.messages.clear()
    body = json.dumps(telegram_press("offered", "2")).encode()  # a number resolves like a typed one
    TELEGRAM.receive(request(tracker_store, body, {telegram.SECRET_HEADER: "s3cret"}), inbox)
    assert (await inbox.wait())[0].text == BUTTONS[1]["payload"]


SLACK = slack.SlackInput("xoxb-test", "slack-secret")


def slack_headers(body: bytes, timestamp: int | None = None, content_type: str = "application/json") -> dict:
    timestamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier("slack-secret").generate_signature(timestamp=timestamp, body=body)
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
        "Content-Type": content_type,
    }


def slack_event(event: dict) -> bytes:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": "Ev1",
            "event_time": 1700000000,
        }
    ).encode()


def slack_press(value: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": "U1", "username": "ana", "team_id": "T1"},
        "channel": {"id": "D1", "name": "directmessage"},
        "container": {"type": "message", "channel_id": "D1"},
        "actions": [{"type": "button", "action_id": "option_1", "block_id": "b", "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


DIRECT_MESSAGE = {
    "type": "message",
    "channel": "D1",
    "user": "U1",
    "text": "is it painful?",
    "channel_type": "im",
}


def test_slack_signature_is_slacks_v0_and_stale_requests_are_refused():
    body = slack_event(DIRECT_MESSAGE)
    now = time.time()
    assert slack.verify("slack-secret", Header(slack_headers(body)), body, now)
    assert not slack.verify("other-secret", Header(slack_headers(body)), body, now)
    assert not slack.verify("slack-secret", Header(slack_headers(body)), body + b" ", now)
    assert not slack.verify("slack-secret", Header(slack_headers(body, int(now) - 600)), body, now)
    assert not slack.verify("slack-secret", Header({"X-Slack-Signature": "v0=00"}), body, now)
    unreadable_time = {**slack_headers(body), "X-Slack-Request-Timestamp": "soon"}
    assert not slack.verify("slack-secret", Header(unreadable_time), body, now)
    not_utf8 = Header({"X-Slack-Request-Timestamp": str(int(now)), "X-Slack-Signature": "v0=00"})
    assert not slack.verify("slack-secret", not_utf8, b"\x80", now)  # refused, not a crash


def test_slack_reads_direct_messages_mentions_and_button_presses():
    assert slack.parse(json.loads(slack_event(DIRECT_MESSAGE))) == ("U1", "D1", "is it painful?")
    mention = {"type": "app_mention", "channel": "C1", "user": "U2", "text": "<@U0BOT> pain &amp; bruising?"}
    assert slack.parse(json.loads(slack_event(mention))) == ("U2", "C1", "pain & bruising?")
    for ignored in (
        {**DIRECT_MESSAGE, "bot_id": "B1"},
        {**DIRECT_MESSAGE, "subtype": "message_changed"},
        {**DIRECT_MESSAGE, "channel_type": "channel"},
        {"type": "reaction_added", "user": "U1"},
    ):
        assert slack.parse(json.loads(slack_event(ignored))) is None
    form = slack.read_body(slack_press("/ask_painful"), "application/x-www-form-urlencoded")
    assert slack.parse(form) == ("U1", "D1", "/ask_painful")


async def test_slack_webhook(tracker_store):
    inbox = Inbox()

    def receive(body: bytes, headers: dict):
        return status_and_json(SLACK.receive(request(tracker_store, body, headers), inbox))

    challenge = json.dumps({"token": "t", "challenge": "3eZbrw1aB", "type": "url_verification"}).encode()
    assert receive(challenge, slack_headers(challenge)) == (200, {"challenge": "3eZbrw1aB"})
    body = slack_event(DIRECT_MESSAGE)
    assert receive(body, {**slack_headers(body), "X-Slack-Signature": "v0=bad"})[0] == 403
    assert receive(body, {**slack_headers(body), "X-Slack-Retry-Num": "1"}) == (200, {"status": "ignored"})
    assert receive(b"{", slack_headers(b"{"))[0] == 400
    assert receive(body, slack_headers(body)) == (200, {"status": "ok"})
    press = slack_press("/ask_painful")
    assert receive(press, slack_headers(press, content_type="application/x-www-form-urlencoded"))[0] == 200
    first, second = await inbox.wait(2)
    assert (first.sender_id, first.text, first.output_channel.channel) == ("slack:U1", "is it painful?", "D1")
    assert second.text == "/ask_painful"


TWILIO = twilio.TwilioInput("AC123", "twilio-token")
TWILIO_URL = "https://clinic.example.org/webhooks/twilio/webhook"


def twilio_form(sender: str, to: str, text: str) -> dict:
    return {
        "ToCountry": "US",
        "SmsMessageSid": "SM1",
        "NumMedia": "0",
        "SmsSid": "SM1",
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": "SM1",
        "AccountSid": "AC123",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }


def test_twilio_reads_the_sender_our_number_and_the_text():
    form = twilio_form("+15551234567", "+15557654321", "is it painful?")
    params = {key: [value] for key, value in form.items()}
    assert twilio.parse_message(params) == ("+15551234567", "+15557654321", "is it painful?")


async def test_twilio_webhook_checks_the_signature_of_the_public_url(tracker_store):
    inbox, behind_proxy = Inbox(), twilio.TwilioInput("AC123", "twilio-token", TWILIO_URL)
    form = twilio_form("whatsapp:+15551234567", "whatsapp:+14155238886", "does it bruise?")
    body = urlencode(form).encode()
    headers = {"X-Twilio-Signature": RequestValidator("twilio-token").compute_signature(TWILIO_URL, form)}
    local_url = "http://127.0.0.1:5005/webhooks/twilio/webhook"
    assert TWILIO.receive(request(tracker_store, body, headers, local_url), inbox).status == 403
    assert TWILIO.receive(request(tracker_store, body + b"&x=1", headers, TWILIO_URL), inbox).status == 403
    assert behind_proxy.receive(request(tracker_store, b"\xff", headers, local_url), inbox).status == 400
    reply = behind_proxy.receive(request(tracker_store, body, headers, local_url), inbox)
    assert reply.status == 200 and reply.content_type == "text/xml" and b"<Response>" in reply.body
    [message] = await inbox.wait()
    assert (message.sender_id, message.text) == ("twilio:whatsapp:+15551234567", "does it bruise?")
    assert message.output_channel.from_number == "whatsapp:+14155238886"


async def test_twilio_leaves_sms_opt_out_keywords_to_twilio(tracker_store):
    inbox, connector = Inbox(), twilio.TwilioInput("AC123", "twilio-token", TWILIO_URL)

    def post(sender: str, text: str):
        form = twilio_form(sender, "+15557654321", text)
        headers = {"X-Twilio-Signature": RequestValidator("twilio-token").compute_signature(TWILIO_URL, form)}
        return connector.receive(request(tracker_store, urlencode(form).encode(), headers, TWILIO_URL), inbox)

    for keyword in (" stop ", "STOP", "Unsubscribe", "quit"):
        reply = post("+15551234567", keyword)
        assert reply.status == 200 and reply.body == twilio.EMPTY_TWIML.encode()
    for sender, text in [("+15551234567", "stop texting me links"), ("whatsapp:+15551234567", "stop")]:
        post(sender, text)
    messages = await inbox.wait(2)
    await asyncio.sleep(0.05)
    assert [message.text for message in messages] == ["stop texting me links", "stop"]


FACEBOOK = facebook.FacebookInput("page-token", "app-secret", "verify-me")


def messenger_body(*events: dict) -> bytes:
    return json.dumps(
        {"object": "page", "entry": [{"id": "P1", "time": 1700000000, "messaging": list(events)}]}
    ).encode()


def messenger_message(sender: str, message: dict) -> dict:
    return {"sender": {"id": sender}, "recipient": {"id": "P1"}, "timestamp": 1700000000, "message": message}


def test_messenger_signature_and_events():
    body = messenger_body(messenger_message("7", {"mid": "m1", "text": "hi"}))
    expected = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert facebook.signature("app-secret", body) == expected
    events = [
        messenger_message("7", {"mid": "m1", "text": "is it painful?"}),
        messenger_message("7", {"mid": "m2", "text": "2", "quick_reply": {"payload": "/ask_painful"}}),
        messenger_message("P1", {"mid": "m3", "text": "echo", "is_echo": True}),
        messenger_message("7", {"mid": "m4", "attachments": [{"type": "image"}]}),
        {
            "sender": {"id": "8"},
            "recipient": {"id": "P1"},
            "postback": {"title": "Start", "payload": "/greet"},
        },
        {"sender": {"id": "7"}, "recipient": {"id": "P1"}, "read": {"watermark": 1}},
    ]
    assert facebook.parse_entries(json.loads(messenger_body(*events))) == [
        ("7", "is it painful?"),
        ("7", "/ask_painful"),
        ("8", "/greet"),
    ]
    assert facebook.parse_entries({"object": "instagram", "entry": []}) == []


async def test_messenger_webhook(tracker_store):
    inbox = Inbox()
    args = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    reply = FACEBOOK.verify_subscription(request(tracker_store, b"", {}, args=args))
    assert (reply.status, reply.body) == (200, b"1158201444")
    args["hub.verify_token"] = "guess"
    assert FACEBOOK.verify_subscription(request(tracker_store, b"", {}, args=args)).status == 403

    body = messenger_body(messenger_message("7", {"mid": "m1", "text": "hi"}))
    signed = {"X-Hub-Signature-256": facebook.signature("app-secret", body)}
    assert (
        FACEBOOK.receive(request(tracker_store, body, {"X-Hub-Signature-256": "sha256=00"}), inbox).status
        == 403
    )
    bad = b'{"object": "page", "entry": 5}'
    assert (
        FACEBOOK.receive(
            request(tracker_store, bad, {"X-Hub-Signature-256": facebook.signature("app-secret", bad)}), inbox
        ).status
        == 400
    )
    assert status_and_json(FACEBOOK.receive(request(tracker_store, body, signed), inbox)) == (
        200,
        {"status": "ok"},
    )
    [message] = await inbox.wait()
    assert (message.sender_id, message.text, message.input_channel) == ("facebook:7", "hi", "facebook")


# Outbound: what each output channel would send


def record(output) -> list[tuple[str, dict]]:
    """Replace the output channel's provider call by a recorder."""
    sent: list[tuple[str, dict]] = []

    async def post(url: str, **kwargs) -> dict:
        sent.append((url, kwargs))
        return {"ok": True}

    output.post = post
    return sent


async def test_telegram_sends_plain_parts_with_the_keyboard_on_the_last(long_answer):
    output = telegram.TelegramOutput("123:ABC", "http://fake")
    sent = record(output)
    await output.send_text_with_buttons("42", "**Note:** " + long_answer, BUTTONS)
    urls, messages = {url for url, _ in sent}, [kwargs["json"] for _, kwargs in sent]
    assert urls == {"http://fake/bot123:ABC/sendMessage"} and len(messages) > 1
    assert all(message["chat_id"] == "42" and len(message["text"]) <= 4096 for message in messages)
    assert " ".join(message["text"] for message in messages).split() == ("Note: " + long_answer).split()
    assert ["reply_markup" in message for message in messages] == [False] * (len(messages) - 1) + [True]
    assert messages[-1]["reply_markup"]["inline_keyboard"] == [
        [{"text": "Does IASTM hurt?", "callback_data": "/ask_painful"}],
        [{"text": "Can IASTM help plantar fasciitis?", "callback_data": BUTTONS[1]["payload"]}],
    ]


async def test_slack_sends_mrkdwn_blocks_with_buttons_on_the_last(long_answer):
    output = slack.SlackOutput("xoxb-test", "D1", "http://fake")
    sent = record(output)
    await output.send_text_with_buttons("U1", long_answer, BUTTONS)
    assert {url for url, _ in sent} == {"http://fake/chat.postMessage"} and len(sent) > 1
    assert all(kwargs["headers"] == {"Authorization": "Bearer xoxb-test"} for _, kwargs in sent)
    messages = [kwargs["json"] for _, kwargs in sent]
    assert all(
        message["channel"] == "D1" and len(message["blocks"][0]["text"]["text"]) <= 3000
        for message in messages
    )
    assert all(message["text"] == message["blocks"][0]["text"]["text"] for message in messages)
    assert [len(message["blocks"]) for message in messages] == [1] * (len(messages) - 1) + [2]
    assert [
        (button["text"]["text"], button["value"]) for button in messages[-1]["blocks"][1]["elements"]
    ] == [(button["title"], button["payload"]) for button in BUTTONS]


@pytest.mark.parametrize("from_number", ["+15557654321", "whatsapp:+14155238886"])
async def test_twilio_sends_numbered_options_in_parts_under_1600(long_answer, from_number):
    output = twilio.TwilioOutput("AC123", "twilio-token", from_number, "http://fake")
    sent = record(output)
    await output.send_text_with_buttons("+15551234567", long_answer, BUTTONS)
    assert {url for url, _ in sent} == {"http://fake/2010-04-01/Accounts/AC123/Messages.json"}
    forms = [kwargs["data"] for _, kwargs in sent]
    assert all(form["From"] == from_number and form["To"] == "+15551234567" for form in forms)
    assert len(forms) > 1 and all(len(form["Body"]) <= 1600 for form in forms)
    assert forms[-1]["Body"].endswith(numbered_options(BUTTONS))
    assert sent[0][1]["auth"].login == "AC123"


async def test_messenger_sends_numbered_options_and_quick_replies_titled_by_number():
    output = facebook.FacebookOutput("page-token", "http://fake")
    sent = record(output)
    await output.send_text_with_buttons("7", "Hello!", BUTTONS)
    [(url, kwargs)] = sent
    assert url == "http://fake/me/messages" and kwargs["params"] == {"access_token": "page-token"}
    assert kwargs["json"] == {
        "recipient": {"id": "7"},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "Hello!\n\n" + numbered_options(BUTTONS),
            "quick_replies": [
                {"content_type": "text", "title": "1", "payload": "/ask_painful"},
                {"content_type": "text", "title": "2", "payload": BUTTONS[1]["payload"]},
            ],
        },
    }


async def test_an_action_message_is_sent_as_its_text_without_the_json_payload():
    output = facebook.FacebookOutput("page-token", "http://fake")
    sent = record(output)
    data = {"elements": None, "quick_replies": None, "buttons": None, "attachment": None, "image": None}
    uttered = BotUttered("An answer (Kim et al., 2017)", {**data, "custom": {"type": "answer"}})
    await output.send_response("7", uttered.message())  # as Rasa's processor hands it over
    assert [kwargs["json"]["message"]["text"] for _, kwargs in sent] == ["An answer (Kim et al., 2017)"]
