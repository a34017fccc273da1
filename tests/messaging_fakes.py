"""Messaging providers faked for end-to-end tests: real Rasa and action servers receive signed
provider webhooks; the replies go to a fake provider API, which records what would have been sent."""

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

import requests
from aiohttp import web
from twilio.request_validator import RequestValidator

from server.processes import MODEL, Servers, free_port, serving
from tests.thread_server import ThreadServer

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
channels.staff.StaffInput:
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


@contextmanager
def serving_messaging(
    provider: FakeProvider, workdir: Path, environment: dict[str, str] | None = None
) -> Iterator[Servers]:
    """Real action and Rasa servers with the messaging channels, their API calls to `provider` (and
    `environment` added to theirs)."""
    assert MODEL.exists(), "train first: make train"
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS.format(base=provider.base, twilio_url=TWILIO_PUBLIC_URL))
    with serving(MODEL, credentials=credentials, environment=environment) as running:
        yield running


def webhook(servers, channel: str) -> str:
    return f"http://127.0.0.1:{servers.rasa_port}/webhooks/{channel}/webhook"


def assert_answer_with_sources(message: Sent, citation: str) -> None:
    assert citation in message.text and "Source" in message.text and DISCLAIMER in message.text
    assert '"type"' not in message.text, "the actions' json payload is not sent as a message"


def assert_under_limit(provider: FakeProvider, channel: str, limit: int) -> None:
    texts = [read_sent(path, body).text for path, _, _, body in provider.calls_to(channel)]
    assert texts and all(0 < len(text) <= limit for text in texts)


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
