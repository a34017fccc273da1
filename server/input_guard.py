"""The REST channel with its input checked. Same URL as Rasa's own: /webhooks/rest/webhook.

- The body must be JSON (`Content-Type: application/json`) with a `sender` and a `message`.
- The sender is a random id of the caller's (8 to 64 letters, digits, - or _), whose conversation
  is `rest:<sender>`, or a token the website server issued (channels/sessions.py), whose
  conversation is `web:<id>` or `staff:<id>`: a REST caller can never address another channel's
  conversation, nor a website visitor's without the visitor's token.
- Each client address may send at most `messages_per_minute_per_address` (shared by every server
  process through Redis when RATE_LIMIT_REDIS_URL is set; a forwarded address is
  believed only from the proxies in TRUSTED_PROXIES, addresses or networks, default 127.0.0.1 and
  ::1, which are themselves not limited: they are the deployment's own servers); each
  conversation is bounded by the message gate (channels/gate.py), which every channel shares:
  triage reads the whole text, an over-long message without an emergency is refused, and
  conversations are rate limited.
(Typed "/intent" payloads are handled for every channel by server/payload_guard.py.)

credentials.yml: `server.input_guard.GuardedRestInput:` with optional `max_message_chars`,
`messages_per_minute` (per conversation) and `messages_per_minute_per_address` (else the environment's
MESSAGES_PER_MINUTE_PER_ADDRESS, else 120).
"""

import ipaddress
import os
import re
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.request import Request

from channels.gate import TOO_MANY, MessageGate, rate_limit
from channels.sessions import SessionTokens, namespaced

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SENDER_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def refuse(status: int, message: str) -> response.HTTPResponse:
    """A JSON error with a message a person can read."""
    return response.json({"error": message}, status=status)


def trusted_networks(configured: str) -> tuple[IPNetwork, ...]:
    """TRUSTED_PROXIES' comma-separated addresses and networks ("127.0.0.1,::1,172.28.0.0/24")."""
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in configured.split(",") if part.strip()
    )


def is_trusted(address: str, trusted_proxies: tuple[IPNetwork, ...]) -> bool:
    """Whether the address is in one of the trusted networks (an unreadable address is not)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted_proxies)


def client_address(request: Request, trusted_proxies: tuple[IPNetwork, ...]) -> str:
    """The caller's address: the peer's, unless the peer is a trusted proxy; then the nearest
    address in X-Forwarded-For (read from the right, as each proxy appends the one it saw) that is
    not itself a trusted proxy. A caller cannot choose it: what it writes there is never reached
    while an untrusted address stands between."""
    chain = [request.ip or ""]
    chain += [a.strip() for a in reversed(request.headers.get("x-forwarded-for", "").split(",")) if a.strip()]
    for address in chain:
        if not is_trusted(address, trusted_proxies):
            return address
    return chain[-1]


class GuardedRestInput(RestInput):
    """Rasa's REST channel behind the checks described in the module docstring."""

    def __init__(
        self,
        max_message_chars: int = 1000,
        messages_per_minute: float = 30,
        messages_per_minute_per_address: float | None = None,
        trusted_proxies: tuple[IPNetwork, ...] | None = None,
        tokens: SessionTokens | None = None,
    ) -> None:
        self.gate = MessageGate(max_message_chars, messages_per_minute)
        if messages_per_minute_per_address is None:
            messages_per_minute_per_address = float(os.environ.get("MESSAGES_PER_MINUTE_PER_ADDRESS", "120"))
        self.per_address = rate_limit("address", messages_per_minute_per_address, burst=30)
        if trusted_proxies is None:
            trusted_proxies = trusted_networks(os.environ.get("TRUSTED_PROXIES", "127.0.0.1,::1"))
        self.trusted_proxies = trusted_proxies
        self.tokens = tokens or SessionTokens()

    @classmethod
    def name(cls) -> str:
        """Rasa's name for the REST channel, so the URL stays /webhooks/rest/webhook."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "GuardedRestInput":
        """Limits from credentials.yml, or the defaults."""
        return cls(**(credentials or {}))

    def conversation_of(self, sender: object) -> str | None:
        """The conversation a sender id or token names, or None when it is neither."""
        if not isinstance(sender, str):
            return None
        if "." in sender:
            return self.tokens.conversation_of(sender, kinds=("web", "staff"))
        return namespaced(self.name(), sender) if SENDER_ID.match(sender) else None

    async def guard(self, request: Request) -> response.HTTPResponse | None:
        """A refusal for a bad request, or None after putting the admitted message in place."""
        if request.content_type.split(";")[0].strip().lower() != "application/json":
            return refuse(415, 'Send JSON (Content-Type: application/json): {"sender": ..., "message": ...}.')
        try:
            body = request.json
        except Exception:  # Sanic raises its own error types for unreadable JSON
            return refuse(400, 'The request body must be JSON: {"sender": ..., "message": ...}.')
        if not isinstance(body, dict):
            return refuse(400, "The request body must be a JSON object with sender and message.")
        conversation, message = self.conversation_of(body.get("sender")), body.get("message")
        if conversation is None:
            return refuse(400, "The sender must be a random id of 8 to 64 letters, digits, - or _.")
        if not isinstance(message, str):
            return refuse(400, "The message must be text.")
        address = client_address(request, self.trusted_proxies)
        if not is_trusted(address, self.trusted_proxies) and not self.per_address.allow(address):
            return refuse(429, TOO_MANY)
        admission = self.gate.admit(conversation, message)
        if admission.text is None:
            return refuse(admission.status, admission.refusal)
        # what Rasa's REST channel reads: a client's own "metadata" is dropped, never believed
        request.parsed_json = {
            "sender": conversation,
            "message": admission.text,
            "metadata": admission.metadata,
        }
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
