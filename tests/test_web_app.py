"""The website server: it checks what the widget sends and relays it to the Rasa REST channel."""

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from web.app import MAX_MESSAGE_CHARS, create_app

SENDER = "0123456789abcdef0123456789abcdef"


async def fake_rasa_reply(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{"recipient_id": body["sender"], "text": "echo: " + body["message"]}])


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


async def test_a_message_is_relayed_and_the_reply_returned(rasa_url):
    client = await client_for(rasa_url)
    try:
        response = await client.post("/chat", json={"sender": SENDER, "message": "is it painful?"})
        assert response.status == 200
        assert await response.json() == [{"recipient_id": SENDER, "text": "echo: is it painful?"}]
        assert (await client.get("/chat/status")).status == 200
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"sender": SENDER, "message": ""}, 400, "type a question"),
        ({"sender": SENDER, "message": 42}, 400, "type a question"),
        ({"sender": "../../etc", "message": "hi"}, 400, "reload the page"),
        ({"sender": "user1", "message": "hi"}, 400, "reload the page"),
        ({"message": "hi"}, 400, "reload the page"),
        ({"sender": SENDER, "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "under 1000 characters"),
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


async def test_unreadable_and_oversized_bodies_are_refused(rasa_url):
    client = await client_for(rasa_url)
    try:
        assert (await client.post("/chat", data=b"\xff\xfe not json")).status == 400
        assert (await client.post("/chat", data=b"x" * 100_000)).status == 413
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
