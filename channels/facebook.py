"""Facebook Messenger: the page's webhook (verified with a GET, then signed POSTs); replies through the Send
API, buttons as numbered options plus quick replies titled with their number."""

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.base import (
    MALFORMED,
    MessagingOutput,
    WebhookInput,
    answer_later,
    malformed,
    refused,
    required,
)
from channels.formatting import LIMITS, plain_text, split_text, with_numbered_options

API_BASE = "https://graph.facebook.com/v21.0"
MAX_QUICK_REPLIES = 13  # Messenger's limit; a quick reply's title may have 20 characters, hence numbers


def signature(app_secret: str, body: bytes) -> str:
    """Messenger's X-Hub-Signature-256: "sha256=" and the HMAC-SHA256 of the body with the app secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def parse_entries(body: dict) -> list[tuple[str, str]]:
    """(sender, text) of each message, quick reply or postback in a webhook call, in order; echoes of the
    page's own messages, deliveries, reads and attachments without text are skipped."""
    if body["object"] != "page":
        return []
    found = []
    for entry in body["entry"]:
        for event in entry.get("messaging", []):
            message = event.get("message") or {}
            if message.get("is_echo"):
                continue
            text = (message.get("quick_reply") or {}).get("payload") or message.get("text")
            text = text or (event.get("postback") or {}).get("payload")
            if text is not None:
                found.append((event["sender"]["id"], text))
    return found


class FacebookOutput(MessagingOutput):
    """Plain text with numbered options in parts under Messenger's limit; quick replies on the last part."""

    def __init__(self, page_access_token: str, api_base: str = API_BASE) -> None:
        self.page_access_token = page_access_token
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "facebook"

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        parts = split_text(plain_text(with_numbered_options(text, buttons)), LIMITS["messenger"])
        for number, part in enumerate(parts, start=1):
            message: dict[str, Any] = {"text": part}
            if buttons and number == len(parts):
                message["quick_replies"] = [
                    {"content_type": "text", "title": str(option), "payload": button["payload"]}
                    for option, button in enumerate(buttons[:MAX_QUICK_REPLIES], start=1)
                ]
            body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message}
            await self.post(
                f"{self.api_base}/me/messages", params={"access_token": self.page_access_token}, json=body
            )


class FacebookInput(WebhookInput):
    """GET and POST /webhooks/facebook/webhook, the callback URL of the Meta app's Messenger webhook."""

    def __init__(
        self, page_access_token: str, app_secret: str, verify_token: str, api_base: str = API_BASE
    ) -> None:
        self.page_access_token = page_access_token
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "FacebookInput":
        keys = ("page_access_token", "app_secret", "verify_token")
        return cls(*required(credentials, cls.name(), *keys), credentials.get("api_base") or API_BASE)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook routes, plus Meta's GET subscription check on the same URL."""
        hook = super().blueprint(on_new_message)

        @hook.route("/webhook", methods=["GET"])
        async def subscribe(request: Request) -> HTTPResponse:
            return self.verify_subscription(request)

        return hook

    def get_output_channel(self) -> FacebookOutput:
        """Messenger's output: a user is addressed by their page-scoped id alone."""
        return FacebookOutput(self.page_access_token, self.api_base)

    def verify_subscription(self, request: Request) -> HTTPResponse:
        """Meta's check when the webhook is registered: echo hub.challenge if hub.verify_token is ours."""
        token = request.args.get("hub.verify_token", "")
        if request.args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), self.verify_token.encode()
        ):
            return refused()
        return response.text(request.args.get("hub.challenge", ""))

    def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Check the signature, read every message of the batch, answer them in order in the background."""
        expected = signature(self.app_secret, request.body)
        if not hmac.compare_digest(
            expected.encode(), request.headers.get("X-Hub-Signature-256", "").encode()
        ):
            return refused()
        try:
            found = parse_entries(json.loads(request.body))
        except MALFORMED:
            return malformed()
        output = FacebookOutput(self.page_access_token, self.api_base)
        messages = [UserMessage(text, output, sender, input_channel="facebook") for sender, text in found]
        return answer_later(request, on_new_message, messages)
