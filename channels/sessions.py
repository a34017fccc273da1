"""Conversation ids that the server issues and a client cannot forge, and the channel namespaces.

Every conversation id is `<channel>:<id>`, so a caller of one channel can never address a
conversation of another (a REST caller cannot write into a Telegram chat). Browsers hold a token the
server issued, `<kind>-<id>.<signature>` (HMAC-SHA256 with SESSION_SECRET, shared by the website
server and the Rasa servers); only a token with the right signature names its conversation,
`<kind>:<id>`. Kinds: `web` (the website widget), `staff` (staff lookups, left out of the report),
`socketio` (socket.io widgets).
"""

import hashlib
import hmac
import os
import re
import secrets
import uuid

KINDS = ("web", "staff", "socketio")
TOKEN = re.compile(r"^(web|staff|socketio)-([0-9a-f]{32})\.([0-9a-f]{32})$")


def session_secret() -> str:
    """SESSION_SECRET, or a random one for this process only (tokens then last as long as it)."""
    return os.environ.get("SESSION_SECRET") or _PROCESS_SECRET


_PROCESS_SECRET = secrets.token_hex(32)


class SessionTokens:
    """Issues and checks conversation tokens (see the module docstring)."""

    def __init__(self, secret: str | None = None) -> None:
        self._key = (secret or session_secret()).encode()

    def issue(self, kind: str) -> str:
        """A token for a new conversation of `kind`."""
        assert kind in KINDS, kind
        body = f"{kind}-{uuid.uuid4().hex}"
        return f"{body}.{self._signature(body)}"

    def conversation_of(self, token: object, kinds: tuple[str, ...] = KINDS) -> str | None:
        """`<kind>:<id>` for a token this server issued of one of `kinds`, or None."""
        match = TOKEN.match(token) if isinstance(token, str) else None
        if not match or match.group(1) not in kinds:
            return None
        body = f"{match.group(1)}-{match.group(2)}"
        if not hmac.compare_digest(match.group(3), self._signature(body)):
            return None
        return f"{match.group(1)}:{match.group(2)}"

    def _signature(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()[:32]


def namespaced(channel: str, provider_id: str) -> str:
    """The conversation id of a provider's user or chat id on `channel`: `telegram:12345`."""
    return f"{channel}:{provider_id}"


def provider_id(conversation: str) -> str:
    """The provider's id inside a conversation id: `telegram:12345` -> `12345`."""
    return conversation.split(":", 1)[1] if ":" in conversation else conversation
