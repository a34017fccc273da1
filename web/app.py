"""The clinic website side: a demo clinic page with the chat widget, and the staff pages.

The widget talks only to this server (same origin), which checks the input and relays it to the
Rasa server's REST channel, so the Rasa port need not be public. The widget's conversation is a
token this server issues (POST /chat/session, channels/sessions.py): no one without it can write
into or read from that conversation. JSON endpoints take JSON only; every response carries
security headers (a content security policy without inline script, no framing by other sites,
no MIME sniffing, no referrer). Conversations older than RETENTION_DAYS (default 90; 0 keeps
everything) are deleted at start and then every day. The staff pages (/staff: lookup,
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
import time
from pathlib import Path

import aiohttp
import requests
import sqlalchemy as sa
from aiohttp import web

from actions.clinic import load_clinic
from actions.handoff_actions import WAITING
from channels.sessions import SessionTokens
from staff import inbox, lookup, report
from staff.events import ROOT, database_url
from staff.retention import prune_older_than

STATIC = Path(__file__).resolve().parent / "static"
MAX_MESSAGE_CHARS = 1000  # for the staff lookup; the REST channel sets the chat limit
MAX_BODY_BYTES = 16 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
RETENTION_CHECK_SECONDS = 24 * 3600
HANDOFF_CHECK_SECONDS = 20  # how often conversations nobody took are looked for
INBOX_DAYS = 30  # how far back the inbox lists handoffs and messages left
STAFF_OPERATIONS = ("claim", "reply", "release")
RASA_TIMEOUT = aiohttp.ClientTimeout(total=30)
RASA_URL = web.AppKey("rasa_url", str)
CLIENT = web.AppKey("client", aiohttp.ClientSession)
STAFF_TOKEN = web.AppKey("staff_token", str)
TRACKER_STORE = web.AppKey("tracker_store", str)
TOKENS = web.AppKey("tokens", SessionTokens)
RETENTION_DAYS = web.AppKey("retention_days", int)
HANDOFF_CHECK = web.AppKey("handoff_check_seconds", float)


def refuse(status: int, message: str) -> web.Response:
    """A JSON error the widget shows as it is."""
    return web.json_response({"error": message}, status=status)


async def json_body(request: web.Request) -> dict | web.Response:
    """The request's JSON object, or the refusal to send: 415 for another content type, 400 when
    it is not a JSON object."""
    if request.content_type != "application/json":
        return refuse(415, "Send JSON (Content-Type: application/json).")
    try:
        body = await request.json()
    except ValueError:
        return refuse(400, "The message could not be read. Please try again.")
    return body if isinstance(body, dict) else refuse(400, "The message could not be read. Please try again.")


async def new_session(request: web.Request) -> web.Response:
    """A new conversation for the widget: a token only this browser will hold."""
    return web.json_response({"session": request.app[TOKENS].issue("web")})


async def chat(request: web.Request) -> web.Response:
    """Relay one message to the Rasa REST channel; 4xx for bad input, 503 when Rasa is away."""
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    sender, message = body.get("sender"), body.get("message")
    if request.app[TOKENS].conversation_of(sender, kinds=("web",)) is None:
        return refuse(401, "This chat session is not valid. Please reload the page.")
    if not isinstance(message, str) or not message.strip():
        return refuse(400, "Please type a question.")
    # No length check here: the REST channel reads a long message for an emergency before it
    # refuses it (the body itself is capped at MAX_BODY_BYTES).
    url = request.app[RASA_URL] + "/webhooks/rest/webhook"
    try:
        # Rate limits count the visitor's address: the chain a proxy in front forwarded, plus the
        # peer's (the REST channel believes it only as far as its TRUSTED_PROXIES reach).
        chain = [request.headers.get("X-Forwarded-For", "").strip(), request.remote or ""]
        forwarded = {"X-Forwarded-For": ", ".join(part for part in chain if part)}
        relay = request.app[CLIENT].post(url, json={"sender": sender, "message": message}, headers=forwarded)
        async with relay as reply:
            if 400 <= reply.status < 500:  # the REST channel's own refusal, e.g. too many messages
                refusal = await reply.json(content_type=None)
                return refuse(reply.status, refusal.get("error") or "That message could not be sent.")
            if reply.status != 200:
                return refuse(502, "The assistant had a problem answering. Please try again.")
            return web.json_response(await reply.json())
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return refuse(503, "The assistant cannot be reached right now.")


async def chat_updates(request: web.Request) -> web.Response:
    """The messages pushed to this visitor after event `after` (a person's replies in a handoff), and
    whether a person is still being waited for or talking: the widget polls this during a handoff."""
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    conversation = request.app[TOKENS].conversation_of(body.get("sender"), kinds=("web",))
    if conversation is None:
        return refuse(401, "This chat session is not valid. Please reload the page.")
    after = body.get("after")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        return refuse(400, "`after` is the id of the last message seen (0 for none).")
    try:
        messages = await asyncio.to_thread(inbox.pushed, request.app[TRACKER_STORE], conversation, after)
        waiting = await asyncio.to_thread(inbox.handoff_of, request.app[TRACKER_STORE], conversation)
    except sa.exc.SQLAlchemyError:
        return refuse(503, "The conversation store cannot be read right now.")
    return web.json_response({"messages": messages, "handoff": waiting})


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


async def demo_css(request: web.Request) -> web.FileResponse:
    """The demo clinic page's style sheet."""
    return web.FileResponse(STATIC / "demo.css")


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


def basic_user_name(authorization: str) -> str:
    """The user name of an HTTP Basic Authorization header ('' for none): the staff member's name."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return ""


@web.middleware
async def security_headers(request: web.Request, handler):
    """Every response, errors included, with the headers of SECURITY_HEADERS."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    response.headers.update(SECURITY_HEADERS)
    if isinstance(response, web.HTTPException):
        raise response
    return response


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
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    question = body.get("question")
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


async def staff_inbox_page(request: web.Request) -> web.FileResponse:
    """The live inbox of conversations handed to the front desk."""
    return web.FileResponse(STATIC / "staff" / "inbox.html")


async def staff_inbox(request: web.Request) -> web.Response:
    """Who waits for a person, who is being answered by whom, and the messages left (JSON)."""
    since = time.time() - INBOX_DAYS * 86400
    try:
        found = await asyncio.to_thread(inbox.handoffs, request.app[TRACKER_STORE], since)
    except sa.exc.SQLAlchemyError:
        return refuse(503, "The conversation store cannot be read right now.")
    now = time.time()
    return web.json_response({"handoffs": [handoff.as_dict(now) for handoff in found]})


async def staff_history(request: web.Request) -> web.Response:
    """One conversation's latest messages (JSON), ?conversation=<id>."""
    conversation = request.query.get("conversation", "")
    if not conversation:
        return refuse(400, "Give the conversation.")
    try:
        messages = await asyncio.to_thread(inbox.history, request.app[TRACKER_STORE], conversation)
    except sa.exc.SQLAlchemyError:
        return refuse(503, "The conversation store cannot be read right now.")
    return web.json_response({"conversation": conversation, "messages": messages})


async def staff_operation(request: web.Request) -> web.Response:
    """Claim, answer or hand back a conversation: relayed to the Rasa server's staff channel
    (channels/staff.py), which holds the conversation's lock and sends through its channel."""
    operation = request.match_info["operation"]
    if operation not in STAFF_OPERATIONS:
        return refuse(404, "Unknown operation.")
    body = await json_body(request)
    if isinstance(body, web.Response):
        return body
    body.setdefault("staff", basic_user_name(request.headers.get("Authorization", "")))
    return await _staff_channel(request.app, operation, body)


async def _staff_channel(app: web.Application, operation: str, body: dict) -> web.Response:
    url = f"{app[RASA_URL]}/webhooks/staff/{operation}"
    headers = {"Authorization": f"Bearer {app[STAFF_TOKEN]}"}
    fields = {key: body.get(key) for key in ("conversation", "staff", "text")}
    try:
        async with app[CLIENT].post(url, json=fields, headers=headers) as reply:
            answer = await reply.json(content_type=None)
            return web.json_response(answer if isinstance(answer, dict) else {}, status=reply.status)
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return refuse(503, "The assistant cannot be reached right now.")


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
            "feedback": [
                {"topic": topic, "helpful": counts["helpful"], "unhelpful": counts["unhelpful"]}
                for topic, counts in found.feedback.items()
            ],
            "handoffs": [
                {"outcome": label, "count": found.handoffs[outcome]}
                for outcome, label in inbox.OUTCOMES.items()
            ],
        }
    )


async def _client(app: web.Application):
    app[CLIENT] = aiohttp.ClientSession(timeout=RASA_TIMEOUT)
    yield
    await app[CLIENT].close()


async def _retention(app: web.Application):
    """Delete old conversations now and then every day, while the server runs."""

    async def prune_daily() -> None:
        while True:
            try:
                await asyncio.to_thread(prune_older_than, app[RETENTION_DAYS], app[TRACKER_STORE])
            except sa.exc.SQLAlchemyError as error:
                print(f"Retention: the conversation store could not be pruned ({type(error).__name__}).")
            await asyncio.sleep(RETENTION_CHECK_SECONDS)

    task = asyncio.create_task(prune_daily()) if app[RETENTION_DAYS] > 0 else None
    yield
    if task:
        task.cancel()


async def _handoff_expiry(app: web.Application):
    """While the server runs, hand a conversation nobody took in time back to the assistant, which
    offers the visitor to leave a message (the staff channel checks the time again, under its lock)."""

    async def expire_overdue() -> None:
        while True:
            await asyncio.sleep(app[HANDOFF_CHECK])
            try:
                found = await asyncio.to_thread(inbox.handoffs, app[TRACKER_STORE], time.time() - 86400)
                wait = load_clinic().handoff_wait_seconds
                for handoff in found:
                    if handoff.status == WAITING and time.time() - handoff.since >= wait:
                        await _staff_channel(app, "expire", {"conversation": handoff.conversation})
            except sa.exc.SQLAlchemyError as error:
                print(f"Handoffs: the conversation store could not be read ({type(error).__name__}).")

    task = asyncio.create_task(expire_overdue()) if app[STAFF_TOKEN] else None
    yield
    if task:
        task.cancel()


def create_app(
    rasa_url: str,
    tracker_store_url: str | None = None,
    staff_token: str = "",
    retention_days: int = 0,
    handoff_check_seconds: float = HANDOFF_CHECK_SECONDS,
) -> web.Application:
    """The web application, relaying to the Rasa server at `rasa_url`; with `retention_days`,
    conversations older than that are deleted at start and daily; every `handoff_check_seconds`,
    a conversation nobody at the front desk took in time goes back to the assistant."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[security_headers, staff_only])
    app[RASA_URL] = rasa_url.rstrip("/")
    app[TRACKER_STORE] = tracker_store_url or database_url()
    app[STAFF_TOKEN] = staff_token
    app[TOKENS] = SessionTokens()
    app[RETENTION_DAYS] = retention_days
    app[HANDOFF_CHECK] = handoff_check_seconds
    app.cleanup_ctx.append(_client)
    app.cleanup_ctx.append(_retention)
    app.cleanup_ctx.append(_handoff_expiry)
    app.router.add_get("/", index)
    app.router.add_get("/demo.css", demo_css)
    app.router.add_post("/chat/session", new_session)
    app.router.add_post("/chat", chat)
    app.router.add_post("/chat/updates", chat_updates)
    app.router.add_get("/chat/status", status)
    app.router.add_get("/chat/config", config)
    app.router.add_static("/widget/", STATIC / "widget")
    app.router.add_get("/staff", staff_page)
    app.router.add_get("/staff/report", staff_report_page)
    app.router.add_post("/staff/ask", staff_ask)
    app.router.add_get("/staff/report.json", staff_report)
    app.router.add_get("/staff/inbox", staff_inbox_page)
    app.router.add_get("/staff/inbox.json", staff_inbox)
    app.router.add_get("/staff/inbox/history.json", staff_history)
    app.router.add_post("/staff/inbox/{operation}", staff_operation)
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
    retention = int(os.environ.get("RETENTION_DAYS", "90"))
    app = create_app(args.rasa, database_url(args.endpoints), os.environ.get("STAFF_TOKEN", ""), retention)
    web.run_app(app, host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
