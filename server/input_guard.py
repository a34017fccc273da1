"""The REST channel with its input checked: sender ids, message size, control characters and a
per-sender rate limit. A message over the size limit is read by triage first: an emergency in it is
answered (the sentence it is in goes on to Rasa), anything else is refused. Same URL as Rasa's
own: /webhooks/rest/webhook. (Typed "/intent" payloads are handled for every channel by
server/payload_guard.py.)

credentials.yml: `server.input_guard.GuardedRestInput:` with optional `max_message_chars` and
`messages_per_minute`.
"""

import re
import time
from collections import defaultdict
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request

from triage.triage import emergency_excerpt

SENDER_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def refuse(status: int, message: str) -> response.HTTPResponse:
    """A JSON error with a message a person can read."""
    return response.json({"error": message}, status=status)


class SenderRateLimit:
    """A token bucket per sender: `per_minute` messages a minute, in bursts of at most `burst`."""

    def __init__(self, per_minute: float, burst: int = 10) -> None:
        self.rate = per_minute / 60
        self.burst = burst
        self.buckets: dict[str, tuple[float, float]] = defaultdict(lambda: (float(burst), time.monotonic()))

    def allow(self, sender: str) -> bool:
        """Take a token for `sender` if one is left."""
        tokens, last = self.buckets[sender]
        now = time.monotonic()
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self.buckets[sender] = (tokens - 1 if allowed else tokens, now)
        return allowed


class GuardedRestInput(RestInput):
    """Rasa's REST channel behind the input checks described in the module docstring."""

    def __init__(self, max_message_chars: int = 1000, messages_per_minute: float = 30) -> None:
        self.max_message_chars = max_message_chars
        self.rate_limit = SenderRateLimit(messages_per_minute)

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the REST channel, so the URL stays /webhooks/rest/webhook."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "GuardedRestInput":
        """Limits from credentials.yml, or the defaults."""
        return cls(**(credentials or {}))

    async def guard(self, request: Request) -> response.HTTPResponse | None:
        """A refusal for a bad request, or None after cleaning the message in place."""
        try:
            body = request.json
        except Exception:  # Sanic raises its own error types for unreadable JSON
            return refuse(400, 'The request body must be JSON: {"sender": ..., "message": ...}.')
        if not isinstance(body, dict):
            return refuse(400, "The request body must be a JSON object with sender and message.")
        sender, message = body.get("sender"), body.get("message")
        if not isinstance(sender, str) or not SENDER_ID.match(sender):
            return refuse(400, "The sender must be a random id of 8 to 64 letters, digits, - or _.")
        if not isinstance(message, str):
            return refuse(400, "The message must be text.")
        if len(message) > self.max_message_chars:
            # Triage reads the whole of it first: an emergency is answered, never refused.
            emergency = emergency_excerpt(message, self.max_message_chars)
            if emergency is None:
                return refuse(413, f"Please keep messages under {self.max_message_chars} characters.")
            message = emergency
        if not self.rate_limit.allow(sender):
            return refuse(429, "Too many messages at once. Please wait a moment and try again.")
        request.parsed_json = {**body, "message": CONTROL_CHARACTERS.sub("", message)}
        return None

    def blueprint(self, on_new_message):
        """Rasa's REST blueprint with `guard` run before every POST."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check_input(request: Request) -> response.HTTPResponse | None:
            if request.method == "POST":
                return await self.guard(request)
            return None

        return blueprint
