"""Twilio SMS and WhatsApp (senders "whatsapp:+1..."): the number's incoming-message webhook; replies through
the Messages API, buttons as numbered options the user answers with the number."""

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from multidict import MultiDict
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

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

API_BASE = "https://api.twilio.com"
# A message's metadata key: the clinic's number it was sent to, which a staff reply is sent from.
OUR_NUMBER_KEY = "twilio_to"
EMPTY_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'  # no reply in the webhook's answer
)
# Twilio's SMS opt-out keywords: a message of one of these alone unsubscribes the sender, Twilio sends
# the confirmation carriers require and refuses our messages to that number until they text START.
OPT_OUT_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})


def parse_message(params: dict[str, list[str]]) -> tuple[str, str, str]:
    """(sender, the number written to, text) of an incoming SMS or WhatsApp message."""
    return params["From"][0], params["To"][0], params.get("Body", [""])[0]


def is_opt_out(sender: str, text: str) -> bool:
    """An SMS that is only an opt-out keyword (any case), which Twilio answers (WhatsApp has none)."""
    return not sender.startswith("whatsapp:") and text.strip().upper() in OPT_OUT_KEYWORDS


class TwilioOutput(MessagingOutput):
    """Plain text with numbered options, in parts under the SMS or WhatsApp limit, sent from `from_number`."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, api_base: str = API_BASE) -> None:
        self.messages_url = f"{api_base}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = aiohttp.BasicAuth(account_sid, auth_token)
        self.from_number = from_number

    @classmethod
    def name(cls) -> str:
        return "twilio"

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        limit = LIMITS["whatsapp" if self.from_number.startswith("whatsapp:") else "sms"]
        for part in split_text(plain_text(with_numbered_options(text, buttons)), limit):
            message = {"From": self.from_number, "To": recipient_id, "Body": part}
            await self.post(self.messages_url, data=message, auth=self.auth)


class TwilioInput(WebhookInput):
    """POST /webhooks/twilio/webhook, the "A message comes in" webhook of an SMS number or WhatsApp sender.

    `webhook_url` is that URL as registered with Twilio, which signs it: behind a proxy the URL the
    server sees differs. Without it, the URL of the request is used."""

    def __init__(
        self, account_sid: str, auth_token: str, webhook_url: str = "", api_base: str = API_BASE
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.webhook_url = webhook_url
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "TwilioInput":
        account_sid, auth_token = required(credentials, cls.name(), "account_sid", "auth_token")
        webhook_url = credentials.get("webhook_url") or ""
        return cls(account_sid, auth_token, webhook_url, credentials.get("api_base") or API_BASE)

    def output_for(self, tracker: DialogueStateTracker) -> TwilioOutput | None:
        """Twilio's output from the clinic's number the visitor last wrote to (SMS or WhatsApp)."""
        for event in reversed(tracker.events):
            number = isinstance(event, UserUttered) and (event.metadata or {}).get(OUR_NUMBER_KEY)
            if number:
                return TwilioOutput(self.account_sid, self.auth_token, number, self.api_base)
        return None

    def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Check the signature, read the message, answer in the background through the Messages API
        (an opt-out keyword gets no answer: Twilio has confirmed it and blocks messages to the sender)."""
        try:
            params = parse_qs(request.body.decode(), keep_blank_values=True, strict_parsing=True)
        except MALFORMED:
            return malformed()
        validator = RequestValidator(self.auth_token)  # Twilio's own check of X-Twilio-Signature
        form = MultiDict((key, value) for key, values in params.items() for value in values)
        if not validator.validate(
            self.webhook_url or request.url, form, request.headers.get("X-Twilio-Signature", "")
        ):
            return refused()
        try:
            sender, our_number, text = parse_message(params)
        except MALFORMED:
            return malformed()
        if is_opt_out(sender, text):
            return response.text(EMPTY_TWIML, content_type="text/xml")
        output = TwilioOutput(self.account_sid, self.auth_token, our_number, self.api_base)
        message = UserMessage(
            text, output, sender, input_channel="twilio", metadata={OUR_NUMBER_KEY: our_number}
        )
        answer_later(request, on_new_message, [message])
        return response.text(EMPTY_TWIML, content_type="text/xml")
