"""socket.io for chat widgets (rasa-webchat and the like), answering and safe with strangers.

Rasa's own socket.io channel, with five changes:
- **Replies arrive.** Rasa emits a reply's custom payload as keyword arguments of `emit()`, and ours
  has a `type` key, which raised `TypeError` and sent nothing; and it does not await `enter_room`,
  a coroutine in python-socketio 5, so a persistent session never joined its room. Here the
  payload goes under `custom`, and the room is entered.
- **The server issues conversation ids.** A client asks for a session with `session_request`; it
  gets back a token signed with `SESSION_SECRET` (channels/sessions.py). A token it sends back is
  honoured only when the signature is right; anything else gets a new conversation. The socket
  joins only the room of its own conversation, and a message is handled only for the conversation
  issued to that socket: a client cannot claim another's conversation.
- **Origins are checked**: a browser page may connect only from `ALLOWED_ORIGINS` (comma-separated;
  connections without an Origin header, such as other servers, are not browsers and are allowed).
- **Bounded work** (channels/gate.py): the same length cap, triage of the whole text and rate limit
  per conversation as every other channel.
- **Several replicas**: with `SOCKETIO_REDIS_URL` set (the production profile), the replicas share
  socket.io's rooms through Redis (python-socketio's AsyncRedisManager), so a message sent to a
  conversation on one replica (a front-desk reply) reaches its socket held by another.

credentials.yml: `channels.socketio.SocketIOInput:` with `user_message_evt`, `bot_message_evt`
(as Rasa's); the secret and origins come from the environment.
"""

import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from channels.gate import MessageGate
from channels.sessions import SessionTokens

logger = logging.getLogger(__name__)
DEFAULT_ORIGINS = "http://localhost:8080,http://127.0.0.1:8080"
# The Redis channel the replicas' socket.io servers publish on (one deployment per Redis database).
REDIS_CHANNEL = "iastm-socketio"


class SocketIOOutput(rasa_socketio.SocketIOOutput):
    """Rasa's socket.io output, with the custom payload sent under `custom`."""

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """The payload as `{"custom": ...}` to the conversation's room."""
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOInput(rasa_socketio.SocketIOInput):
    """See the module docstring."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "SocketIOInput":
        """Events from credentials.yml; the secret and the origins from the environment."""
        credentials = credentials or {}
        origins = os.environ.get("ALLOWED_ORIGINS") or DEFAULT_ORIGINS
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            allowed_origins=[origin.strip() for origin in origins.split(",") if origin.strip()],
            gate=MessageGate(**{k: credentials[k] for k in ("max_chars", "per_minute") if k in credentials}),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        allowed_origins: list[str] | None = None,
        tokens: SessionTokens | None = None,
        gate: MessageGate | None = None,
    ) -> None:
        super().__init__(user_message_evt, bot_message_evt, session_persistence=True)
        self.allowed_origins = allowed_origins or []
        self.tokens = tokens or SessionTokens()
        self.gate = gate or MessageGate()
        self.conversations: dict[str, str] = {}  # socket id -> the conversation issued to it

    def get_output_channel(self) -> SocketIOOutput | None:
        """The output for messages sent to a conversation from outside a socket's turn."""
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The socket.io server and its health route."""
        redis_url = os.environ.get("SOCKETIO_REDIS_URL")
        rooms = AsyncRedisManager(redis_url, channel=REDIS_CHANNEL) if redis_url else None
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.allowed_origins, client_manager=rooms)
        self.sio = sio
        hook = rasa_socketio.SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self.conversations.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            if self.tokens.conversation_of(token, kinds=("socketio",)) is None:
                token = self.tokens.issue("socketio")
            conversation = str(self.tokens.conversation_of(token))
            for room in sio.rooms(sid):
                if room != sid:
                    await sio.leave_room(sid, room)
            self.conversations[sid] = conversation
            await sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", token, room=sid)

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            conversation = self.conversations.get(sid)
            text = data.get("message") if isinstance(data, dict) else None
            if conversation is None or not isinstance(text, str):
                return  # no session asked for, or not a message: nothing to answer
            admission = self.gate.admit(conversation, text)
            output = SocketIOOutput(sio, self.bot_message_evt)
            if admission.text is None:
                await output.send_text_message(conversation, admission.refusal)
                return
            await on_new_message(
                UserMessage(
                    admission.text,
                    output,
                    conversation,
                    input_channel=self.name(),
                    metadata=admission.metadata,
                )
            )

        return hook
