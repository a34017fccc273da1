"""What the messaging connectors share: credentials, webhook answers, answering in the background, sending.

Each message goes through the message gate (channels/gate.py), as on every channel, and its
conversation is namespaced by channel (`telegram:<chat id>`, channels/sessions.py); the outputs send
to the provider's own id.

Why these connectors are not subclasses of Rasa's (rasa.core.channels.telegram, slack, twilio,
facebook): Rasa's answer inside the webhook request, and the providers retry a webhook that is
slow to answer (Slack after 3 s), so a busy server would answer a message twice; ours acknowledge
at once and answer in the background. Rasa's send through client libraries each with their own
session (aiogram, slack_sdk's client, twilio's, fbmessenger), with no way to point them at a test
provider or to bound their time; its conversation ids are the provider's bare ids (here namespaced
and unguessable across channels); and its Facebook check takes the hash function from the request's
header and compares without constant time. The signature checks use the providers' own validators
where they publish one: slack_sdk's SignatureVerifier, twilio's RequestValidator. Telegram (a
secret token compared in constant time) and Messenger (HMAC-SHA256 of the body) publish none.
"""

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.gate import MessageGate
from channels.numbered import resolve_number
from channels.sessions import namespaced, provider_id

logger = logging.getLogger(__name__)

# What reading a malformed webhook payload raises (json.JSONDecodeError is a ValueError).
MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError)
SEND_TIMEOUT = aiohttp.ClientTimeout(total=30)
_answering: set[asyncio.Task] = set()  # running background answers, kept from the garbage collector
_gates: dict[str, MessageGate] = {}  # one per channel: its conversations' rate limits


def required(credentials: dict | None, channel: str, *keys: str) -> list[str]:
    """The values of `keys` in `credentials`; refuses to start the server if one is missing or empty."""
    credentials = credentials or {}
    missing = [key for key in keys if not credentials.get(key)]
    if missing:
        raise RasaException(f"The {channel} channel needs {', '.join(missing)} (see docs/channels.md).")
    return [str(credentials[key]) for key in keys]


def acknowledged(status: str = "ok") -> HTTPResponse:
    """200: the provider will not retry."""
    return response.json({"status": status})


def refused() -> HTTPResponse:
    """403 for a request the provider did not sign."""
    return response.json({"error": "invalid signature"}, status=403)


def malformed() -> HTTPResponse:
    """400 for a payload that could not be read."""
    return response.json({"error": "malformed payload"}, status=400)


def answer_later(
    request: Request,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    messages: Sequence[UserMessage],
) -> HTTPResponse:
    """Acknowledge now and answer `messages` in order in the background: providers retry slow webhooks."""
    if not messages:
        return acknowledged("ignored")
    tracker_store = request.app.ctx.agent.tracker_store
    task = asyncio.get_running_loop().create_task(_answer(tracker_store, on_new_message, messages))
    _answering.add(task)
    task.add_done_callback(_answering.discard)
    return acknowledged()


async def _answer(
    tracker_store: TrackerStore,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    messages: Sequence[UserMessage],
) -> None:
    for message in messages:
        try:
            message.sender_id = namespaced(message.input_channel, message.sender_id)
            gate = _gates.setdefault(message.input_channel, MessageGate())
            admission = gate.admit(message.sender_id, message.text or "")
            if admission.text is None:
                await message.output_channel.send_response(message.sender_id, {"text": admission.refusal})
                continue
            message.text = await resolve_number(tracker_store, message.sender_id, admission.text)
            if admission.metadata:
                message.metadata = {**(message.metadata or {}), **admission.metadata}
            await on_new_message(message)
        except Exception:  # nobody awaits this task: log, and go on with the next message
            logger.exception("Could not answer a %s message", message.input_channel)


class MessagingOutput(OutputChannel):
    """Sends to a provider's HTTP API. Subclasses implement `send_text_with_buttons`."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Rasa's dispatch of a reply, to the provider's id of the conversation (`telegram:42` -> 42)."""
        await super().send_response(provider_id(recipient_id), message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_text_with_buttons(recipient_id, text, [])

    async def send_custom_json(self, recipient_id: str, json_message: dict, **kwargs: Any) -> None:
        """Send nothing. The actions' json_message payload (docs/payload.md) is for chat widgets; the text
        sent already carries the answer with its citations, source and disclaimer, and a messaging app
        would show the JSON to the user as a message of raw data."""

    async def post(self, url: str, **kwargs: Any) -> dict:
        """POST to the provider and return its JSON answer; a failure is logged (without the URL, which
        may hold a token) and gives {}, so that one lost message does not break the conversation."""
        try:
            async with aiohttp.ClientSession(timeout=SEND_TIMEOUT) as session:
                async with session.post(url, **kwargs) as reply:
                    if reply.status >= 400:
                        logger.error(
                            "%s answered %s: %s", self.name(), reply.status, (await reply.text())[:500]
                        )
                        return {}
                    return await reply.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.error("Sending to %s failed: %r", self.name(), error)
            return {}


class WebhookInput(InputChannel, ABC):
    """A provider's webhook: GET /webhooks/<name>/ (health) and POST /webhooks/<name>/webhook."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health route and the webhook route, which `receive` answers."""
        hook = Blueprint(f"{self.name()}_webhook")

        @hook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return self.receive(request, on_new_message)

        return hook

    def output_for(self, tracker: DialogueStateTracker) -> OutputChannel | None:
        """The output that reaches the conversation in `tracker` outside a webhook call (a staff reply,
        channels/staff.py)."""
        return self.get_output_channel()

    @abstractmethod
    def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Check and read one webhook call; answer it at once and the user in the background."""
