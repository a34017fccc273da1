"""The clinic website side: a demo clinic page with the chat widget, and the staff pages.

The widget talks only to this server (same origin), which checks the input and relays it to the
Rasa server's REST channel, so the Rasa port need not be public. The staff pages (/staff: lookup,
/staff/report: unanswered questions) need the STAFF_TOKEN as password (HTTP Basic) or bearer token.
Usage: python -m web.app [--port 8080] [--rasa http://127.0.0.1:5005] [--endpoints endpoints.yml]
"""

import argparse
import asyncio
import base64
import binascii
import dataclasses
import hmac
import os
import re
from pathlib import Path

import aiohttp
import requests
import sqlalchemy as sa
from aiohttp import web

from actions.clinic import load_clinic
from staff import lookup, report
from staff.events import ROOT, database_url

STATIC = Path(__file__).resolve().parent / "static"
MAX_MESSAGE_CHARS = 1000  # for the staff lookup; the REST channel sets the chat limit
MAX_BODY_BYTES = 16 * 1024
# The widget makes a random id (crypto.randomUUID, dashes removed); anything else is refused.
SENDER_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30)
RASA_URL = web.AppKey("rasa_url", str)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
STAFF_TOKEN = web.AppKey("staff_token", str)
TRACKER_STORE = web.AppKey("tracker_store", str)


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
    # No length check here: the REST channel reads a long message for an emergency before it
    # refuses it (the body itself is capped at MAX_BODY_BYTES).
    url = request.app[RASA_URL] + "/webhooks/rest/webhook"
    try:
        async with request.app[CLIENT].post(url, json={"sender": sender, "message": message}) as reply:
            if 400 <= reply.status < 500:  # the REST channel's own refusal, e.g. too many messages
                refusal = await reply.json(content_type=None)
                return refuse(reply.status, refusal.get("error") or "That message could not be sent.")
            if reply.status != 200:
                return refuse(502, "The assistant had a problem answering. Please try again.")
            return web.json_response(await reply.json())
    except (aiohttp.ClientError, TimeoutError, ValueError):
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


def staff_credential_ok(authorization: str, token: str) -> bool:
    """Whether an Authorization header carries the staff token (Bearer, or Basic with any user name)."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "basic":
        try:
            value = base64.b64decode(value, validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return False
    elif scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.encode("utf-8"), token.encode("utf-8"))


@web.middleware
async def staff_only(request: web.Request, handler):
    """Refuse /staff requests without the staff token; the browser asks for it (HTTP Basic)."""
    if request.path == "/staff" or request.path.startswith("/staff/"):
        token = request.app[STAFF_TOKEN]
        if not token:
            return refuse(503, "The staff pages are off: start the server with STAFF_TOKEN set.")
        if not staff_credential_ok(request.headers.get("Authorization", ""), token):
            return web.json_response(
                {"error": "Staff only: sign in with the staff token as password."},
                status=401,
                headers={"WWW-Authenticate": 'Basic realm="IASTM assistant staff", charset="UTF-8"'},
            )
    return await handler(request)


async def staff_page(request: web.Request) -> web.FileResponse:
    """The staff lookup page."""
    return web.FileResponse(STATIC / "staff" / "index.html")


async def staff_report_page(request: web.Request) -> web.FileResponse:
    """The unanswered-questions report page."""
    return web.FileResponse(STATIC / "staff" / "report.html")


async def staff_ask(request: web.Request) -> web.Response:
    """The assistant's answer to a question, with the matched intent, confidence and references."""
    try:
        question = (await request.json()).get("question")
    except (ValueError, AttributeError):
        return refuse(400, 'Send {"question": "..."}.')
    if not isinstance(question, str) or not question.strip():
        return refuse(400, "Please type a question.")
    if len(question) > MAX_MESSAGE_CHARS:
        return refuse(413, f"Please keep the question under {MAX_MESSAGE_CHARS} characters.")
    try:
        found = await asyncio.to_thread(
            lookup.ask, question, request.app[RASA_URL], request.app[TRACKER_STORE]
        )
    except requests.RequestException:
        return refuse(503, "The assistant cannot be reached right now.")
    return web.json_response(
        {
            **dataclasses.asdict(found),
            "topic": found.topic,
            "weak": found.weak,
            "references": found.references,
            "short": found.short,
        }
    )


async def staff_report(request: web.Request) -> web.Response:
    """The report as JSON for ?since=YYYY-MM-DD&until=YYYY-MM-DD (default: the last 30 days)."""
    try:
        since, until = report.period(request.query.get("since") or None, request.query.get("until") or None)
    except ValueError:
        return refuse(400, "Dates are YYYY-MM-DD.")
    try:
        found = await asyncio.to_thread(report.load_report, request.app[TRACKER_STORE], since, until)
    except sa.exc.OperationalError:
        return refuse(503, "The conversation store cannot be read right now.")
    groups = [
        {
            "question": group.question,
            "count": group.count,
            "first": group.first.isoformat(),
            "last": group.last.isoformat(),
            "reply_types": dict(group.reply_types),
            "conversations": sorted(group.conversations),
        }
        for group in found.groups
    ]
    return web.json_response(
        {
            "since": found.since.date().isoformat(),
            "until": found.until.date().isoformat(),
            "questions": found.questions,
            "groups": groups,
            "top_topics": [{"topic": topic, "count": count} for topic, count in found.top_topics],
        }
    )


async def _client(app: web.Application):
    app[CLIENT] = aiohttp.ClientSession(timeout=RASA_TIMEOUT)
    yield
    await app[CLIENT].close()


def create_app(rasa_url: str, tracker_store_url: str | None = None, staff_token: str = "") -> web.Application:
    """The web application, relaying to the Rasa server at `rasa_url`."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[staff_only])
    app[RASA_URL] = rasa_url.rstrip("/")
    app[TRACKER_STORE] = tracker_store_url or database_url()
    app[STAFF_TOKEN] = staff_token
    app.cleanup_ctx.append(_client)
    app.router.add_get("/", index)
    app.router.add_post("/chat", chat)
    app.router.add_get("/chat/status", status)
    app.router.add_get("/chat/config", config)
    app.router.add_static("/widget/", STATIC / "widget")
    app.router.add_get("/staff", staff_page)
    app.router.add_get("/staff/report", staff_report_page)
    app.router.add_post("/staff/ask", staff_ask)
    app.router.add_get("/staff/report.json", staff_report)
    app.router.add_static("/staff/assets/", STATIC / "staff")
    return app


def main() -> None:
    """Serve the demo page and the widget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument(
        "--endpoints", type=Path, default=ROOT / "endpoints.yml", help="where the tracker store is"
    )
    args = parser.parse_args()
    app = create_app(args.rasa, database_url(args.endpoints), os.environ.get("STAFF_TOKEN", ""))
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
