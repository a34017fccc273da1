"""The front desk's side of a handoff: a Rasa input channel the staff inbox (web/app.py) calls.

POST /webhooks/staff/<operation> with `Authorization: Bearer <STAFF_TOKEN>` and JSON
`{"conversation": "<id>", "staff": "<name>", "text": "..."}`:
- `claim`: take a conversation that waits for a person (one staff member at a time; 409 when
  someone else has it, or when it is not waiting);
- `reply`: the staff member who took it writes to the visitor;
- `release`: hand it back to the assistant (Rasa's ConversationResumed);
- `expire`: a conversation nobody took within HANDOFF_WAIT_MINUTES goes back to the assistant, which
  offers to take a message (the form `handoff_message_form`).
Each runs under the conversation's lock (the lock store that endpoints.yml names, shared by every
replica), stores its events in the tracker store (a staff reply as a bot message with the staff
member's name in its metadata) and sends its message through the conversation's own channel:
Telegram, Slack, Twilio or Messenger send at once; the website widget reads it from the tracker
store (POST /chat/updates), so a visitor's page gets it whichever replica ran the operation. A
socket.io widget gets it through its room, which the replicas share through Redis in the production
profile (channels/socketio.py).
"""

import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.clinic import load_clinic
from actions.handoff_actions import (
    CLAIMED,
    HANDOFF_STAFF_SLOT,
    HANDOFF_STATUS_SLOT,
    MESSAGE_FORM,
    MESSAGE_SLOT,
    PUSHED,
    WAITING,
)
from channels.base import WebhookInput
from triage.patterns import is_spanish

logger = logging.getLogger(__name__)
MAX_NAME_CHARS = 40
MAX_REPLY_CHARS = 2000
SPANISH = "_es"


@dataclass
class Outcome:
    """What an operation does to a conversation: its events and the responses to send, or a refusal."""

    events: list[Event] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)  # domain responses, sent as one message
    refusal: str | None = None


def waiting_since(tracker: DialogueStateTracker) -> float | None:
    """When the conversation's current pause began, or None when it is not paused."""
    for event in reversed(tracker.events):
        if isinstance(event, ConversationResumed):
            return None
        if isinstance(event, ConversationPaused):
            return event.timestamp
    return None


def plan(operation: str, tracker: DialogueStateTracker, staff: str, now: float) -> Outcome:
    """The events and responses of `operation` by `staff` on the conversation in `tracker`."""
    status, holder = tracker.get_slot(HANDOFF_STATUS_SLOT), tracker.get_slot(HANDOFF_STAFF_SLOT)
    if operation == "claim":
        if status == CLAIMED and holder == staff:
            return Outcome()
        if status == CLAIMED:
            return Outcome(refusal=f"{holder} has taken this conversation.")
        if status != WAITING:
            return Outcome(refusal="This conversation is not waiting for a person.")
        return Outcome(
            [SlotSet(HANDOFF_STATUS_SLOT, CLAIMED), SlotSet(HANDOFF_STAFF_SLOT, staff)],
            ["utter_staff_joined"],
        )
    if operation in ("reply", "release") and (status != CLAIMED or holder != staff):
        return Outcome(refusal="Take the conversation before you answer or hand it back.")
    if operation == "reply":
        return Outcome(responses=["utter_staff_reply"])
    if operation == "release":
        return Outcome([ConversationResumed(), *_cleared()], ["utter_staff_left"])
    if operation == "expire":
        since = waiting_since(tracker)
        if status != WAITING or since is None or now - since < load_clinic().handoff_wait_seconds:
            return Outcome(refusal="This conversation is not waiting past its time.")
        loop = [ActiveLoop(MESSAGE_FORM), SlotSet("requested_slot", MESSAGE_SLOT)]
        return Outcome(
            [ConversationResumed(), *_cleared(), *loop],
            ["utter_handoff_no_one_free", "utter_ask_visitor_message"],
        )
    return Outcome(refusal=f"Unknown operation {operation!r}.")


def _cleared() -> list[Event]:
    return [SlotSet(HANDOFF_STATUS_SLOT, None), SlotSet(HANDOFF_STAFF_SLOT, None)]


def staff_token_ok(authorization: str, token: str) -> bool:
    """Whether the header is `Bearer <token>` (constant-time comparison)."""
    scheme, _, value = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode())


class StaffInput(InputChannel):
    """See the module docstring. The token is STAFF_TOKEN from the environment; without it the
    channel refuses every call (503)."""

    @classmethod
    def name(cls) -> str:
        return "staff"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """POST /webhooks/staff/<operation>."""
        hook = Blueprint("staff_webhook")

        @hook.route("/<operation>", methods=["POST"])
        async def operate(request: Request, operation: str) -> HTTPResponse:
            token = os.environ.get("STAFF_TOKEN", "")
            if not token:
                return response.json({"error": "The staff channel is off: set STAFF_TOKEN."}, status=503)
            if not staff_token_ok(request.headers.get("Authorization", ""), token):
                return response.json({"error": "Staff only."}, status=401)
            body = request.json if request.content_type == "application/json" else None
            conversation, staff, text = _read(body)
            if not conversation or (operation != "expire" and not staff):
                return response.json({"error": "Give the conversation and your name."}, status=400)
            if operation == "reply" and not text:
                return response.json(
                    {"error": f"Type a reply of 1 to {MAX_REPLY_CHARS} characters."}, status=400
                )
            return await self._operate(request, operation, conversation, staff, text)

        return hook

    async def _operate(
        self, request: Request, operation: str, conversation: str, staff: str, text: str
    ) -> HTTPResponse:
        agent = request.app.ctx.agent
        async with agent.lock_store.lock(conversation):
            tracker = await agent.tracker_store.retrieve(conversation)
            if tracker is None or not tracker.events:
                return response.json({"error": "No such conversation."}, status=404)
            outcome = plan(operation, tracker, staff, time.time())
            if outcome.refusal:
                return response.json({"error": outcome.refusal}, status=409)
            output = output_channel_for(request, conversation, tracker)
            message = await self._message(agent, tracker, output, outcome.responses, staff, text)
            events = outcome.events + ([_bot_event(message, staff)] if message else [])
            for event in events:
                tracker.update(event, agent.domain)
            await agent.tracker_store.save(tracker)
        if message:
            await output.send_response(conversation, dict(message))
        return response.json({"status": "ok", "conversation": conversation})

    @staticmethod
    async def _message(
        agent, tracker, output: OutputChannel, responses: list[str], staff: str, text: str
    ) -> dict | None:
        """The responses, in the visitor's language where the domain has it, as one pushed message."""
        if not responses:
            return None
        latest = tracker.latest_message
        spanish = bool(latest and is_spanish(latest.text or ""))
        fill = {**load_clinic().numbers, "staff": staff, "text": text}
        texts = []
        for name in responses:
            name = name + SPANISH if spanish and name + SPANISH in agent.domain.responses else name
            generated = await agent.nlg.generate(name, tracker, output.name(), **fill)
            texts.append((generated or {}).get("text") or "")
        payload = {"type": "staff", PUSHED: True, "staff": staff or None, "event": responses[0]}
        return {"text": "\n".join(t for t in texts if t), "custom": payload}


def _bot_event(message: dict, staff: str) -> BotUttered:
    return BotUttered(message["text"], {"custom": message["custom"]}, {"staff": staff} if staff else {})


def _read(body: Any) -> tuple[str, str, str]:
    """The conversation id, the staff member's name and the reply text of a request body."""
    if not isinstance(body, dict):
        return "", "", ""
    conversation, staff, text = (body.get(key) for key in ("conversation", "staff", "text"))
    conversation = conversation.strip() if isinstance(conversation, str) else ""
    staff = " ".join(staff.split())[:MAX_NAME_CHARS] if isinstance(staff, str) else ""
    text = text.strip() if isinstance(text, str) and len(text.strip()) <= MAX_REPLY_CHARS else ""
    return conversation, staff, text


def output_channel_for(request: Request, conversation: str, tracker: DialogueStateTracker) -> OutputChannel:
    """The output of the channel the conversation came from (`telegram:42` -> Telegram's), or a
    collecting one for the website and REST, whose pages read the tracker store."""
    channel = conversation.split(":", 1)[0]
    for input_channel in getattr(request.app.ctx, "input_channels", None) or []:
        if input_channel.name() == channel:
            if isinstance(input_channel, WebhookInput):
                output = input_channel.output_for(tracker)
            else:  # socket.io: the conversation's room, shared by the replicas
                output = input_channel.get_output_channel()
            if output is not None:
                return output
    return CollectingOutputChannel()
