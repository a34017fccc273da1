"""Slack: Events API messages and button presses (block_actions) on one URL; replies by chat.postMessage."""

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.signature import Clock, SignatureVerifier

from channels.base import (
    MALFORMED,
    MessagingOutput,
    WebhookInput,
    acknowledged,
    answer_later,
    malformed,
    refused,
    required,
)
from channels.formatting import LIMITS, slack_mrkdwn, split_text

logger = logging.getLogger(__name__)

API_BASE = "https://slack.com/api"
BUTTON_TEXT = 75  # Slack's limits on a button's text and on the buttons of one actions block
MAX_BUTTONS = 25
_MENTION = re.compile(r"<@\w+>")


class _At(Clock):
    """A clock stopped at `now` (seconds since the epoch)."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def verify(signing_secret: str, headers: Any, body: bytes, now: float) -> bool:
    """Whether the request is signed with `signing_secret` less than five minutes before `now`
    (slack_sdk's SignatureVerifier; a timestamp that is not a number is refused before it)."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit():
        return False
    verifier = SignatureVerifier(signing_secret, clock=_At(now))
    try:
        return verifier.is_valid(body, timestamp, headers.get("X-Slack-Signature", ""))
    except UnicodeDecodeError:  # slack_sdk reads the body as UTF-8; Slack sends nothing else
        return False


def read_body(body: bytes, content_type: str) -> dict:
    """The JSON of an Events API request, or the `payload` of an interactivity request (a form)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return json.loads(parse_qs(body.decode())["payload"][0])
    return json.loads(body)


def parse(data: dict) -> tuple[str, str, str] | None:
    """(user, channel, text) of a direct message, a mention or a button press; None for anything else,
    including messages from bots (the assistant's own among them) and edits."""
    if data["type"] == "block_actions":
        return data["user"]["id"], data["channel"]["id"], data["actions"][0]["value"]
    if data["type"] != "event_callback":
        return None
    event = data["event"]
    if event.get("bot_id") or event.get("subtype"):
        return None
    if event["type"] == "app_mention" or (event["type"] == "message" and event.get("channel_type") == "im"):
        return event["user"], event["channel"], unescape(_MENTION.sub("", event.get("text", ""))).strip()
    return None


def unescape(text: str) -> str:
    """A message's text as typed: Slack escapes &, < and >."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def actions_block(buttons: list[dict]) -> dict:
    """Buttons whose value is the payload (a press comes back as block_actions)."""
    elements = [
        {
            "type": "button",
            "action_id": f"option_{number}",
            "text": {"type": "plain_text", "text": button["title"][:BUTTON_TEXT]},
            "value": button["payload"],
        }
        for number, button in enumerate(buttons[:MAX_BUTTONS], start=1)
    ]
    return {"type": "actions", "elements": elements}


class SlackOutput(MessagingOutput):
    """One message per part under Slack's text-block limit (mrkdwn), buttons on the last."""

    def __init__(self, bot_token: str, channel: str, api_base: str = API_BASE) -> None:
        self.bot_token = bot_token
        self.channel = channel
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "slack"

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        parts = split_text(slack_mrkdwn(text), LIMITS["slack"])
        for number, part in enumerate(parts, start=1):
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": part}}]
            if buttons and number == len(parts):
                blocks.append(actions_block(buttons))
            message = {
                "channel": self.channel or recipient_id,
                "text": part,
                "blocks": blocks,
            }  # text: for notifications
            headers = {"Authorization": f"Bearer {self.bot_token}"}
            reply = await self.post(f"{self.api_base}/chat.postMessage", json=message, headers=headers)
            if reply and not reply.get("ok"):
                logger.error("Slack refused a message: %s", reply.get("error"))


class SlackInput(WebhookInput):
    """POST /webhooks/slack/webhook: the app's Events API Request URL and its Interactivity Request URL."""

    def __init__(self, bot_token: str, signing_secret: str, api_base: str = API_BASE) -> None:
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "SlackInput":
        bot_token, signing_secret = required(credentials, cls.name(), "bot_token", "signing_secret")
        return cls(bot_token, signing_secret, credentials.get("api_base") or API_BASE)

    def get_output_channel(self) -> SlackOutput:
        """Slack's output to a user's direct messages with the app (the channel is the user's id)."""
        return SlackOutput(self.bot_token, "", self.api_base)

    def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Check the signature, answer Slack's URL check, ignore retries, answer in the background."""
        if not verify(self.signing_secret, request.headers, request.body, time.time()):
            return refused()
        if request.headers.get("X-Slack-Retry-Num"):  # the first delivery is already being answered
            return acknowledged("ignored")
        try:
            data = read_body(request.body, request.headers.get("Content-Type", ""))
            if data["type"] == "url_verification":
                return response.json({"challenge": data["challenge"]})
            parsed = parse(data)
        except MALFORMED:
            return malformed()
        if parsed is None:
            return acknowledged("ignored")
        user, channel, text = parsed
        output = SlackOutput(self.bot_token, channel, self.api_base)
        return answer_later(request, on_new_message, [UserMessage(text, output, user, input_channel="slack")])
