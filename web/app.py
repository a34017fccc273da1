"""The clinic website side: a demo clinic page with the chat widget, and the widget's chat endpoint.

The widget talks only to this server (same origin), which checks the input and relays it to the
Rasa server's REST channel, so the Rasa port need not be public.
Usage: python -m web.app [--port 8080] [--rasa http://127.0.0.1:5005]
"""

import argparse
import re
from pathlib import Path

import aiohttp
from aiohttp import web

from actions.clinic import load_clinic

STATIC = Path(__file__).resolve().parent / "static"
MAX_MESSAGE_CHARS = 1000
MAX_BODY_BYTES = 16 * 1024
# The widget makes a random id (crypto.randomUUID, dashes removed); anything else is refused.
SENDER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30)
RASA_URL = web.AppKey("rasa_url", str)
CLIENT = web.AppKey("client", aiohttp.ClientSession)


def refuse(status: int, message: str) -> web.Response:
    """A JSON error the widget shows as it is."""
    return web.json_response({"error": message}, status=status)


async def chat(request: web.Request) -> web.Response:
    """Relay one message to the Rasa REST channel; 4xx for bad input, 503 when Rasa is away."""
    try:
        body = await request.json()
    except ValueError:
        return refuse(400, "The message could not be read. Please try again.")
    if not isinstance(body, dict):
        return refuse(400, "The message could not be read. Please try again.")
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER_ID.match(sender):
        return refuse(400, "This chat session is not valid. Please reload the page.")
    if not isinstance(message, str) or not message.strip():
        return refuse(400, "Please type a question.")
    if len(message) > MAX_MESSAGE_CHARS:
        return refuse(413, f"Please keep your message under {MAX_MESSAGE_CHARS} characters.")
    url = request.app[RASA_URL] + "/webhooks/rest/webhook"
    try:
        async with request.app[CLIENT].post(url, json={"sender": sender, "message": message}) as reply:
            if reply.status != 200:
                return refuse(502, "The assistant had a problem answering. Please try again.")
            return web.json_response(await reply.json())
    except (aiohttp.ClientError, TimeoutError):
        return refuse(503, "The assistant cannot be reached right now.")


async def status(request: web.Request) -> web.Response:
    """200 when the Rasa server answers, 503 when it does not (the widget polls this offline)."""
    try:
        async with request.app[CLIENT].get(request.app[RASA_URL] + "/") as reply:
            return web.json_response({"assistant": "up"}, status=200 if reply.status == 200 else 503)
    except (aiohttp.ClientError, TimeoutError):
        return web.json_response({"assistant": "down"}, status=503)


async def config(request: web.Request) -> web.Response:
    """The clinic details the widget shows when the assistant cannot be reached."""
    clinic = load_clinic()
    return web.json_response({"clinic": clinic.name, "phone": clinic.phone, "contact": clinic.contact})


async def index(request: web.Request) -> web.FileResponse:
    """The demo clinic page."""
    return web.FileResponse(STATIC / "index.html")


async def _client(app: web.Application):
    app[CLIENT] = aiohttp.ClientSession(timeout=RASA_TIMEOUT)
    yield
    await app[CLIENT].close()


def create_app(rasa_url: str) -> web.Application:
    """The web application, relaying to the Rasa server at `rasa_url`."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[RASA_URL] = rasa_url.rstrip("/")
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_post("/chat", chat)
    app.router.add_get("/chat/status", status)
    app.router.add_get("/chat/config", config)
    app.router.add_static("/widget/", STATIC / "widget")
    return app


def main() -> None:
    """Serve the demo page and the widget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    args = parser.parse_args()
    web.run_app(create_app(args.rasa), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
