"""Telegram: the bot's webhook receives Bot API updates; replies go out through sendMessage."""

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

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
from channels.formatting import LIMITS, plain_text, split_text

API_BASE = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CALLBACK_DATA_BYTES = 64  # Telegram refuses a button whose callback_data is longer
# Telegram's standard commands as the intents they mean: every chat with a bot opens with /start.
COMMANDS = {"/start": "/greet", "/help": "/ask_capabilities"}


def callback_data(button: dict, number: int) -> str:
    """The button's payload, or its number if the payload is too long (then answered like a typed number)."""
    payload = button["payload"]
    return payload if len(payload.encode()) <= CALLBACK_DATA_BYTES else str(number)


def parse_update(update: dict) -> tuple[str, str, str | None] | None:
    """(chat id, text, callback query id) of a text message or a button press; None for other updates."""
    if "callback_query" in update:
        query = update["callback_query"]
        return str(query["message"]["chat"]["id"]), query["data"], query["id"]
    message = update.get("message")
    if not message or "text" not in message:
        return None
    text = message["text"]
    command = text.split(maxsplit=1)[0].split("@")[0] if text.startswith("/") else ""  # "/start@bot_name"
    return str(message["chat"]["id"]), COMMANDS.get(command, text), None


class TelegramOutput(MessagingOutput):
    """Plain text (no parse_mode) in parts under Telegram's limit; buttons as an inline keyboard on the last
    part."""

    def __init__(self, access_token: str, api_base: str = API_BASE) -> None:
        self.bot_url = f"{api_base}/bot{access_token}"

    @classmethod
    def name(cls) -> str:
        return "telegram"

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict], **kwargs: Any
    ) -> None:
        parts = split_text(plain_text(text), LIMITS["telegram"])
        for number, part in enumerate(parts, start=1):
            message: dict[str, Any] = {"chat_id": recipient_id, "text": part}
            if buttons and number == len(parts):
                keyboard = [
                    [{"text": button["title"], "callback_data": callback_data(button, option)}]
                    for option, button in enumerate(buttons, start=1)
                ]
                message["reply_markup"] = {"inline_keyboard": keyboard}
            await self.post(f"{self.bot_url}/sendMessage", json=message)


class TelegramInput(WebhookInput):
    """POST /webhooks/telegram/webhook, registered with setWebhook and its secret_token."""

    def __init__(self, access_token: str, secret_token: str, api_base: str = API_BASE) -> None:
        self.access_token = access_token
        self.secret_token = secret_token
        self.api_base = api_base

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict | None) -> "TelegramInput":
        access_token, secret_token = required(credentials, cls.name(), "access_token", "secret_token")
        return cls(access_token, secret_token, credentials.get("api_base") or API_BASE)

    def get_output_channel(self) -> TelegramOutput:
        """Telegram's output: a chat is addressed by its id alone."""
        return TelegramOutput(self.access_token, self.api_base)

    def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Check the secret token, read the update, answer in the background."""
        token = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(token.encode(), self.secret_token.encode()):
            return refused()
        try:
            parsed = parse_update(json.loads(request.body))
        except MALFORMED:
            return malformed()
        if parsed is None:
            return acknowledged("ignored")
        chat_id, text, query_id = parsed
        output = self.get_output_channel()
        answered = answer_later(
            request, on_new_message, [UserMessage(text, output, chat_id, input_channel="telegram")]
        )
        if query_id:  # stops the button's loading clock, as a method call in the webhook's answer
            return response.json({"method": "answerCallbackQuery", "callback_query_id": query_id})
        return answered
