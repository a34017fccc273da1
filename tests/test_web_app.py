"""The website server: it checks what the widget sends and relays it to the Rasa REST channel."""

import base64

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels.sessions import SessionTokens
from web.app import MAX_MESSAGE_CHARS, SECURITY_HEADERS, create_app

SENDER = SessionTokens().issue("web")  # as POST /chat/session issues it


async def fake_rasa_reply(request: web.Request) -> web.Response:
    body = await request.json()
    reply = {"recipient_id": body["sender"], "text": "echo: " + body["message"]}
    if body["message"] == "forwarded?":
        reply["text"] = request.headers.get("X-Forwarded-For", "")
    return web.json_response([reply])


async def fake_rasa_root(request: web.Request) -> web.Response:
    return web.Response(text="Hello from Rasa: 3.6.21")


@pytest.fixture
async def rasa_url():
    rasa = web.Application()
    rasa.router.add_post("/webhooks/rest/webhook", fake_rasa_reply)
    rasa.router.add_get("/", fake_rasa_root)
    async with TestServer(rasa) as server:
        yield str(server.make_url("")).rstrip("/")


async def client_for(rasa_url: str) -> TestClient:
    client = TestClient(TestServer(create_app(rasa_url)))
    await client.start_server()
    return client


async def test_the_server_issues_the_widgets_conversation_and_sends_security_headers(rasa_url):
    client = await client_for(rasa_url)
    try:
        issued = await (await client.post("/chat/session")).json()
        assert SessionTokens().conversation_of(issued["session"], kinds=("web",))
        for path in ("/", "/chat/status", "/staff", "/widget/widget.js", "/no-such-page"):
            response = await client.get(path)
            assert {key: response.headers.get(key) for key in SECURITY_HEADERS} == SECURITY_HEADERS, path
        assert "script-src 'self'" in SECURITY_HEADERS["Content-Security-Policy"]
        assert "frame-ancestors" in SECURITY_HEADERS["Content-Security-Policy"]
        page = await (await client.get("/")).text()
        assert "<script>" not in page and "<style>" not in page  # nothing inline for the policy to allow
    finally:
        await client.close()


async def test_a_message_is_relayed_and_the_reply_returned(rasa_url):
    client = await client_for(rasa_url)
    try:
        response = await client.post("/chat", json={"sender": SENDER, "message": "is it painful?"})
        assert response.status == 200
        assert await response.json() == [{"recipient_id": SENDER, "text": "echo: is it painful?"}]
        assert (await client.get("/chat/status")).status == 200
    finally:
        await client.close()


async def test_the_relay_forwards_the_proxies_chain_and_its_peer_for_the_rate_limits(rasa_url):
    """Behind nginx the peer is nginx: the visitor's address is what nginx forwarded."""
    client = await client_for(rasa_url)
    try:
        message = {"sender": SENDER, "message": "forwarded?"}
        direct = await (await client.post("/chat", json=message)).json()
        assert direct[0]["text"] == "127.0.0.1"
        behind = await client.post("/chat", json=message, headers={"X-Forwarded-For": "203.0.113.7"})
        assert (await behind.json())[0]["text"] == "203.0.113.7, 127.0.0.1"
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"sender": SENDER, "message": ""}, 400, "type a question"),
        ({"sender": SENDER, "message": 42}, 400, "type a question"),
        ({"sender": "../../etc", "message": "hi"}, 401, "reload the page"),
        ({"sender": "0123456789abcdef0123456789abcdef", "message": "hi"}, 401, "reload the page"),
        ({"sender": SessionTokens().issue("staff"), "message": "hi"}, 401, "reload the page"),
        ({"sender": SessionTokens("another secret").issue("web"), "message": "hi"}, 401, "reload the page"),
        ({"message": "hi"}, 401, "reload the page"),
        (["not", "an", "object"], 400, "could not be read"),
    ],
)
async def test_bad_input_gets_a_clear_4xx(rasa_url, body, status, says):
    client = await client_for(rasa_url)
    try:
        response = await client.post("/chat", json=body)
        assert response.status == status
        assert says in (await response.json())["error"]
    finally:
        await client.close()


async def test_a_long_message_is_relayed_whole_for_triage_to_read(rasa_url):
    """The REST channel reads an over-long message for an emergency before refusing it."""
    client = await client_for(rasa_url)
    try:
        long_message = "a question about scraping. " * 60 + "my dad collapsed and is not breathing"
        assert len(long_message) > MAX_MESSAGE_CHARS
        response = await client.post("/chat", json={"sender": SENDER, "message": long_message})
        assert response.status == 200
        assert (await response.json())[0]["text"] == "echo: " + long_message
    finally:
        await client.close()


async def test_unreadable_and_oversized_bodies_are_refused(rasa_url):
    client = await client_for(rasa_url)
    try:
        assert (await client.post("/chat", data=b"\xff\xfe not json")).status == 415  # no JSON type
        unreadable = b"\xff\xfe not json"
        assert (
            await client.post("/chat", data=unreadable, headers={"Content-Type": "application/json"})
        ).status == 400
        huge = await client.post("/chat", data=b"x" * 100_000, headers={"Content-Type": "application/json"})
        assert huge.status == 413
    finally:
        await client.close()


async def test_an_unreachable_assistant_gives_503_and_the_clinic_contact_is_served():
    client = await client_for("http://127.0.0.1:9")  # nothing listens on the discard port
    try:
        response = await client.post("/chat", json={"sender": SENDER, "message": "hi"})
        assert response.status == 503 and "cannot be reached" in (await response.json())["error"]
        assert (await client.get("/chat/status")).status == 503
        config = await (await client.get("/chat/config")).json()
        assert config["phone"] and config["phone"] in config["contact"]
    finally:
        await client.close()


async def test_the_demo_page_embeds_the_local_widget_only(rasa_url):
    client = await client_for(rasa_url)
    try:
        page = await (await client.get("/")).text()
        assert '<script src="/widget/widget.js"' in page and "http" not in page.split("<body>")[0]
        assert (await client.get("/widget/widget.js")).status == 200
        assert (await client.get("/widget/widget.css")).status == 200
    finally:
        await client.close()


TOKEN = "s3cret-staff-token"
ANSWER_PAYLOAD = {
    "type": "answer",
    "topic": "how_it_works",
    "passages": [
        {"article": "clinic_article", "text": "IASTM works by ...", "citations": ["Kim et al., 2017"]}
    ],
    "sources": [{"id": "clinic_article", "title": 'the clinic article "Understanding IASTM"'}],
    "citations": [
        {"key": "kim2017", "citation": "Kim et al., 2017", "reference": "Kim, J. (2017). ...", "article": "x"}
    ],
}


async def fake_rasa_answer(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response(
        [
            {"recipient_id": body["sender"], "text": "IASTM works by ... (Kim et al., 2017)"},
            {"custom": ANSWER_PAYLOAD},
        ]
    )


def basic(password: str, user: str = "frontdesk") -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
async def staff_client(tmp_path):
    rasa = web.Application()
    rasa.router.add_post("/webhooks/rest/webhook", fake_rasa_answer)
    async with TestServer(rasa) as server:
        rasa_url = str(server.make_url("")).rstrip("/")
        client = TestClient(TestServer(create_app(rasa_url, f"sqlite:///{tmp_path / 'none.db'}", TOKEN)))
        await client.start_server()
        yield client
        await client.close()


@pytest.mark.parametrize("path", ["/staff", "/staff/report", "/staff/report.json", "/staff/assets/staff.js"])
async def test_staff_pages_refuse_requests_without_the_token(staff_client, path):
    for headers in ({}, basic("wrong"), {"Authorization": "Bearer wrong"}, {"Authorization": "Basic %%%"}):
        response = await staff_client.get(path, headers=headers)
        assert response.status == 401 and "Basic" in response.headers["WWW-Authenticate"]
    assert (await staff_client.get(path, headers=basic(TOKEN))).status == 200
    assert (await staff_client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})).status == 200
    assert (await staff_client.post("/staff/ask", json={"question": "x"})).status == 401


async def test_staff_pages_are_off_without_a_configured_token(rasa_url):
    client = TestClient(TestServer(create_app(rasa_url, "sqlite:///nowhere.db", staff_token="")))
    await client.start_server()
    try:
        response = await client.get("/staff", headers=basic(""))
        assert response.status == 503 and "STAFF_TOKEN" in (await response.json())["error"]
        assert (await client.get("/")).status == 200  # the public page is not affected
    finally:
        await client.close()


async def test_staff_lookup_gives_the_answer_references_and_a_short_version(staff_client):
    response = await staff_client.post(
        "/staff/ask", json={"question": "how does it work"}, headers=basic(TOKEN)
    )
    found = await response.json()
    assert response.status == 200 and found["topic"] == "how_it_works"
    assert found["references"] == ["Kim et al., 2017: Kim, J. (2017). ..."]
    assert (
        found["short"]
        == 'IASTM works by ... (Kim et al., 2017) Source: the clinic article "Understanding IASTM".'
    )
    assert found["weak"] is True  # the fake server stored no NLU result, so the match cannot be vouched for
    bad = await staff_client.post("/staff/ask", json={"question": " "}, headers=basic(TOKEN))
    assert bad.status == 400


async def test_staff_report_json_and_bad_dates(staff_client):
    response = await staff_client.get(
        "/staff/report.json?since=2026-11-01&until=2026-12-01", headers=basic(TOKEN)
    )
    found = await response.json()
    assert response.status == 200 and found["questions"] == 0 and found["groups"] == []
    assert found["since"] == "2026-11-01" and found["until"] == "2026-12-01"
    bad = await staff_client.get("/staff/report.json?since=yesterday", headers=basic(TOKEN))
    assert bad.status == 400


async def test_the_rest_channels_refusals_reach_the_widget_with_their_message():
    async def refusing(request: web.Request) -> web.Response:
        return web.json_response({"error": "Too many messages at once. Please wait a moment."}, status=429)

    rasa = web.Application()
    rasa.router.add_post("/webhooks/rest/webhook", refusing)
    async with TestServer(rasa) as server:
        client = await client_for(str(server.make_url("")).rstrip("/"))
        try:
            response = await client.post("/chat", json={"sender": SENDER, "message": "hi"})
            assert response.status == 429 and "Too many messages" in (await response.json())["error"]
        finally:
            await client.close()
