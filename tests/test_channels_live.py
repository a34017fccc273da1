"""End to end through the messaging channels: real Rasa and action servers receive signed provider webhooks;
the replies go to a fake provider API, which records what would have been sent."""

import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest
import requests
from aiohttp import web
from twilio.request_validator import RequestValidator

from channels.formatting import LIMITS
from server.processes import Servers, free_port, serving
from tests.thread_server import ThreadServer

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "iastm.tar.gz"
REPLY_TIMEOUT_SECONDS = 60

PAINFUL = "If the older approach is used; YES."
GUA_SHA = "Gua sha uses stone, Jade, and wooden tools to scrape the skin."
SAFETY_CITATION = "(Crothers et al., 2016)"
DISCLAIMER = "not medical advice"
EMERGENCY = "Call 911 now"  # the life-threatening tier's reply (docs/safety.md)
EMERGENCY_ES = "Llame al 911 ahora"
TWILIO_PUBLIC_URL = "https://clinic.example.org/webhooks/twilio/webhook"  # as registered with Twilio
CREDENTIALS = """
server.input_guard.GuardedRestInput:
channels.socketio.SocketIOInput:
channels.telegram.TelegramInput:
  access_token: "123:TEST"
  secret_token: telegram-secret
  api_base: {base}/telegram
channels.slack.SlackInput:
  bot_token: xoxb-test
  signing_secret: slack-secret
  api_base: {base}/slack
channels.twilio.TwilioInput:
  account_sid: AC0123
  auth_token: twilio-token
  webhook_url: {twilio_url}
  api_base: {base}/twilio
channels.facebook.FacebookInput:
  page_access_token: page-token
  app_secret: app-secret
  verify_token: verify-me
  api_base: {base}/facebook
"""


@dataclass
class Sent:
    """One message the assistant sent through a provider: to whom, its text, its options, the whole body."""

    recipient: str
    text: str
    options: list[tuple[str, str]]
    body: dict


def read_sent(path: str, body: bytes) -> Sent:
    """A provider API call as the message it sends."""
    if path.startswith("/twilio/"):
        form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
        return Sent(form["To"], form["Body"], [], form)
    data = json.loads(body)
    if path.startswith("/telegram/"):
        keyboard = data.get("reply_markup", {}).get("inline_keyboard", [])
        return Sent(
            str(data["chat_id"]),
            data["text"],
            [(row[0]["text"], row[0]["callback_data"]) for row in keyboard],
            data,
        )
    if path.startswith("/slack/"):
        options = [
            (element["text"]["text"], element["value"])
            for block in data["blocks"]
            if block["type"] == "actions"
            for element in block["elements"]
        ]
        return Sent(data["channel"], data["blocks"][0]["text"]["text"], options, data)
    quick_replies = data["message"].get("quick_replies", [])
    return Sent(
        data["recipient"]["id"],
        data["message"]["text"],
        [(q["title"], q["payload"]) for q in quick_replies],
        data,
    )


class FakeProvider:
    """Telegram, Slack, Twilio and the Graph API on one 127.0.0.1 port (under /telegram, /slack, ...):
    records every request and answers as the provider would."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: list[tuple[str, dict, dict, bytes]] = []  # path, query, headers, body
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self.answer)
        self.server = ThreadServer(app, self.port)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def answer(self, request: web.Request) -> web.Response:
        self.calls.append((request.path, dict(request.query), dict(request.headers), await request.read()))
        if request.path.startswith("/twilio/"):
            return web.json_response({"sid": f"SM{len(self.calls)}", "status": "queued"}, status=201)
        if request.path.startswith("/telegram/"):
            return web.json_response({"ok": True, "result": {"message_id": len(self.calls)}})
        if request.path.startswith("/slack/"):
            return web.json_response({"ok": True, "ts": f"{time.time():.6f}"})
        return web.json_response({"recipient_id": "0", "message_id": f"m_{len(self.calls)}"})

    def stop(self) -> None:
        self.server.stop()

    def sent(self, channel: str, recipient: str) -> list[Sent]:
        """Every message sent so far through `channel` to `recipient`, in order."""
        messages = [
            read_sent(path, body) for path, _, _, body in list(self.calls) if path.startswith(f"/{channel}/")
        ]
        return [message for message in messages if message.recipient == recipient]

    def calls_to(self, channel: str) -> list[tuple[str, dict, dict, bytes]]:
        return [call for call in list(self.calls) if call[0].startswith(f"/{channel}/")]

    def wait(
        self, channel: str, recipient: str, after: int, until: Callable[[list[Sent]], bool]
    ) -> list[Sent]:
        """The messages to `recipient` after the first `after` ones, once `until` holds for them."""
        deadline = time.monotonic() + REPLY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            new = self.sent(channel, recipient)[after:]
            if new and until(new):
                return new
            time.sleep(0.1)
        raise TimeoutError(f"{channel} to {recipient}: {self.sent(channel, recipient)[after:]}")


def answered(text: str) -> Callable[[list[Sent]], bool]:
    return lambda new: any(text in message.text for message in new)


def offered(new: list[Sent]) -> bool:
    return any("Is IASTM painful?" in message.text or message.options for message in new)


@pytest.fixture(scope="module")
def provider():
    fake = FakeProvider()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def servers(provider, tmp_path_factory):
    """Real servers with every messaging channel, sending to the fake provider."""
    with messaging_servers(provider, tmp_path_factory.mktemp("channels")) as running:
        yield running


@contextmanager
def messaging_servers(provider: FakeProvider, workdir: Path) -> Iterator[Servers]:
    """Real action and Rasa servers with the messaging channels, their API calls to `provider`."""
    assert MODEL.exists(), "train first: make train"
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS.format(base=provider.base, twilio_url=TWILIO_PUBLIC_URL))
    with serving(MODEL, credentials=credentials) as running:
        yield running


def webhook(servers, channel: str) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}/webhooks/{channel}/webhook"


def assert_answer_with_sources(message: Sent, citation: str) -> None:
    assert citation in message.text and "Source" in message.text and DISCLAIMER in message.text
    assert '"type"' not in message.text, "the actions' json payload is not sent as a message"


def assert_under_limit(provider: FakeProvider, channel: str, limit: int) -> None:
    texts = [read_sent(path, body).text for path, _, _, body in provider.calls_to(channel)]
    assert texts and all(0 < len(text) <= limit for text in texts)


# Telegram


def telegram_update(chat_id: int, text: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Ana", "language_code": "en"}
    return {
        "update_id": random.randrange(10**6),
        "message": {
            "message_id": random.randrange(10**6),
            "from": user,
            "chat": {"id": chat_id, "first_name": "Ana", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def telegram_press(chat_id: int, data: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
    message = {"message_id": 1, "from": {"id": 1, "is_bot": True}, "chat": {"id": chat_id, "type": "private"}}
    query = {
        "id": str(uuid.uuid4().int)[:18],
        "from": user,
        "message": message,
        "chat_instance": "1",
        "data": data,
    }
    return {"update_id": random.randrange(10**6), "callback_query": query}


def test_telegram(servers, provider):
    chat = random.randrange(10**9)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}

    def say(update: dict, until: Callable[[list[Sent]], bool], secret: dict = headers) -> Sent:
        before = len(provider.sent("telegram", str(chat)))
        reply = requests.post(webhook(servers, "telegram"), json=update, headers=secret, timeout=10)
        assert reply.status_code == 200, reply.text
        return provider.wait("telegram", str(chat), before, until)[-1]

    greeting = say(telegram_update(chat, "/start"), offered)  # how every Telegram chat opens
    assert ("Is IASTM painful?", "/ask_painful") in greeting.options
    assert [call[0] for call in provider.calls_to("telegram")][-1] == "/telegram/bot123:TEST/sendMessage"
    number = [payload for _, payload in greeting.options].index("/ask_painful") + 1
    assert PAINFUL in say(telegram_update(chat, str(number)), answered(PAINFUL)).text

    press = telegram_press(chat, "/ask_gua_sha")
    before = len(provider.sent("telegram", str(chat)))
    reply = requests.post(webhook(servers, "telegram"), json=press, headers=headers, timeout=10)
    assert reply.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": press["callback_query"]["id"],
    }
    assert GUA_SHA in provider.wait("telegram", str(chat), before, answered(GUA_SHA))[-1].text

    for wrong in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        refused = requests.post(
            webhook(servers, "telegram"), json=telegram_update(chat, "hi"), headers=wrong, timeout=10
        )
        assert refused.status_code == 403
    bad = requests.post(webhook(servers, "telegram"), data=b"{oops", headers=headers, timeout=10)
    assert bad.status_code == 400 and bad.json() == {"error": "malformed payload"}
    assert_answer_with_sources(
        say(telegram_update(chat, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    emergency = say(telegram_update(chat, "my wife just collapsed and isn't breathing"), answered(EMERGENCY))
    assert DISCLAIMER not in emergency.text and not emergency.options  # the advice alone
    assert_under_limit(provider, "telegram", LIMITS["telegram"])


# Slack


def slack_post(
    servers, body: bytes, content_type: str = "application/json", **extra: str
) -> requests.Response:
    timestamp = extra.pop("timestamp", str(int(time.time())))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        # Slack's scheme (slack_sdk's SignatureVerifier), over bytes that need not be UTF-8.
        "X-Slack-Signature": "v0="
        + hmac.new(b"slack-secret", f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest(),
        **extra,
    }
    return requests.post(webhook(servers, "slack"), data=body, headers=headers, timeout=10)


def slack_message(user: str, channel: str, text: str) -> bytes:
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": f"{time.time():.6f}",
        "channel": channel,
        "event_ts": f"{time.time():.6f}",
        "channel_type": "im",
    }
    envelope = {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "event": event,
        "type": "event_callback",
    }
    return json.dumps(
        {**envelope, "event_id": f"Ev{uuid.uuid4().hex[:10]}", "event_time": int(time.time())}
    ).encode()


def slack_press(user: str, channel: str, value: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "ana", "team_id": "T1"},
        "api_app_id": "A1",
        "container": {"type": "message", "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "directmessage"},
        "actions": [{"type": "button", "action_id": "option_3", "block_id": "b1", "value": value}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_slack(servers, provider):
    user, channel = f"U{uuid.uuid4().hex[:8].upper()}", f"D{uuid.uuid4().hex[:8].upper()}"

    def say(body: bytes, until: Callable[[list[Sent]], bool], **extra: str) -> Sent:
        before = len(provider.sent("slack", channel))
        reply = slack_post(servers, body, **extra)
        assert reply.status_code == 200 and reply.json() == {"status": "ok"}, reply.text
        return provider.wait("slack", channel, before, until)[-1]

    challenge = json.dumps(
        {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdx", "type": "url_verification"}
    )
    assert slack_post(servers, challenge.encode()).json() == {"challenge": "3eZbrw1aBm2rZgRNFdx"}

    greeting = say(slack_message(user, channel, "hi"), offered)
    assert ("Is IASTM painful?", "/ask_painful") in greeting.options and greeting.body["text"]
    call = provider.calls_to("slack")[-1]
    assert call[0] == "/slack/chat.postMessage" and call[2]["Authorization"] == "Bearer xoxb-test"
    number = [payload for _, payload in greeting.options].index("/ask_painful") + 1
    assert PAINFUL in say(slack_message(user, channel, str(number)), answered(PAINFUL)).text
    press = slack_press(user, channel, "/ask_gua_sha")
    assert GUA_SHA in say(press, answered(GUA_SHA), content_type="application/x-www-form-urlencoded").text

    body = slack_message(user, channel, "hi")
    assert slack_post(servers, body, timestamp=str(int(time.time()) - 3600)).status_code == 403
    forged = requests.post(
        webhook(servers, "slack"), data=body, headers={"X-Slack-Signature": "v0=0"}, timeout=10
    )
    assert forged.status_code == 403
    assert slack_post(servers, body, **{"X-Slack-Retry-Num": "1"}).json() == {"status": "ignored"}
    assert slack_post(servers, b"{oops").status_code == 400
    bot_echo = json.loads(body)
    bot_echo["event"]["bot_id"] = "B1"
    assert slack_post(servers, json.dumps(bot_echo).encode()).json() == {"status": "ignored"}
    assert_answer_with_sources(
        say(slack_message(user, channel, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    poisoning = say(slack_message(user, channel, "my toddler drank some bleach"), answered("1-800-222-1222"))
    assert "Call 911 now" in poisoning.text
    assert_under_limit(provider, "slack", LIMITS["slack"])


# Twilio: SMS and WhatsApp


def twilio_post(servers, sender: str, to: str, text: str, url: str = TWILIO_PUBLIC_URL) -> requests.Response:
    form = {
        "ToCountry": "US",
        "SmsMessageSid": f"SM{uuid.uuid4().hex}",
        "NumMedia": "0",
        "SmsSid": f"SM{uuid.uuid4().hex}",
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC0123",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator("twilio-token").compute_signature(url, form)
    return requests.post(
        webhook(servers, "twilio"), data=form, headers={"X-Twilio-Signature": signature}, timeout=10
    )


@pytest.mark.parametrize(
    ("sender", "our_number", "limit"),
    [
        (f"+1555{random.randrange(10**7):07d}", "+15557654321", LIMITS["sms"]),
        (f"whatsapp:+1555{random.randrange(10**7):07d}", "whatsapp:+14155238886", LIMITS["whatsapp"]),
    ],
)
def test_twilio(servers, provider, sender, our_number, limit):
    def say(text: str, until: Callable[[list[Sent]], bool]) -> Sent:
        before = len(provider.sent("twilio", sender))
        reply = twilio_post(servers, sender, our_number, text)
        assert reply.status_code == 200 and "<Response>" in reply.text, reply.text
        return provider.wait("twilio", sender, before, until)[-1]

    greeting = say("hi", offered)
    assert greeting.body["From"] == our_number
    options = greeting.text.split("Reply with a number:\n")[1].splitlines()
    number = next(option.split(". ")[0] for option in options if option.endswith(". Is IASTM painful?"))
    assert PAINFUL in say(number, answered(PAINFUL)).text
    path, _, headers, _ = provider.calls_to("twilio")[-1]
    assert path == "/twilio/2010-04-01/Accounts/AC0123/Messages.json" and headers["Authorization"].startswith(
        "Basic "
    )

    local_url = webhook(servers, "twilio")  # what the server sees; Twilio signed the public URL
    assert twilio_post(servers, sender, our_number, "hi", url=local_url).status_code == 403
    assert_answer_with_sources(say("is IASTM safe?", answered(DISCLAIMER)), SAFETY_CITATION)
    assert EMERGENCY_ES in say("me duele el pecho y no puedo respirar", answered(EMERGENCY_ES)).text
    assert_under_limit(provider, "twilio", limit)


# Facebook Messenger


def messenger_post(servers, *events: dict, secret: str = "app-secret") -> requests.Response:
    body = json.dumps(
        {
            "object": "page",
            "entry": [{"id": "PAGE1", "time": int(time.time() * 1000), "messaging": list(events)}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return requests.post(webhook(servers, "facebook"), data=body, headers=headers, timeout=10)


def messenger_message(sender: str, text: str, quick_reply: str | None = None) -> dict:
    message = {"mid": f"m_{uuid.uuid4().hex}", "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return {
        "sender": {"id": sender},
        "recipient": {"id": "PAGE1"},
        "timestamp": int(time.time() * 1000),
        "message": message,
    }


def test_messenger(servers, provider):
    user = str(random.randrange(10**15, 10**16))
    challenge = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    verified = requests.get(webhook(servers, "facebook"), params=challenge, timeout=10)
    assert verified.status_code == 200 and verified.text == "1158201444"
    wrong = requests.get(
        webhook(servers, "facebook"), params={**challenge, "hub.verify_token": "x"}, timeout=10
    )
    assert wrong.status_code == 403

    def say(event: dict, until: Callable[[list[Sent]], bool]) -> Sent:
        before = len(provider.sent("facebook", user))
        reply = messenger_post(servers, event)
        assert reply.status_code == 200, reply.text
        return provider.wait("facebook", user, before, until)[-1]

    greeting = say(messenger_message(user, "hi"), offered)
    assert "Reply with a number:\n1. What is IASTM?\n2. Is IASTM painful?" in greeting.text
    assert greeting.options[:2] == [("1", "/ask_what_is"), ("2", "/ask_painful")]
    assert provider.calls_to("facebook")[-1][1] == {"access_token": "page-token"}
    assert PAINFUL in say(messenger_message(user, "2"), answered(PAINFUL)).text
    assert GUA_SHA in say(messenger_message(user, "3", quick_reply="/ask_gua_sha"), answered(GUA_SHA)).text

    assert messenger_post(servers, messenger_message(user, "hi"), secret="forged").status_code == 403
    assert_answer_with_sources(
        say(messenger_message(user, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    crisis = say(messenger_message(user, "everyone would be better off without me"), answered("988"))
    assert "Suicide & Crisis Lifeline" in crisis.text
    assert_under_limit(provider, "facebook", LIMITS["messenger"])
