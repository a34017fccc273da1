"""socket.io with a real chat widget: rasa-webchat from the npm registry (`make` fetches its bundle,
checked against its published integrity), served locally, in Debian's Chromium, against real servers.
A visitor holds a conversation with citations; a second browser that claims the visitor's
conversation id is given a conversation of its own and nothing of the visitor's."""

import os
from collections import defaultdict

import pytest
from aiohttp import web
from playwright.sync_api import expect

from server.processes import MODEL, ROOT, free_port, serving
from staff.events import read_turns
from tests.test_widget_browser import browser  # noqa: F401 - the Chromium fixture
from tests.thread_server import serve_in_thread

BUNDLE = ROOT / "results" / "webchat" / "package" / "lib" / "index.js"
SAFETY_CITATION = "Crothers et al., 2016"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>webchat</title></head><body>
<div id="webchat"></div><script src="/webchat.js"></script><script>
WebChat.default({socketUrl: "http://127.0.0.1:%d", socketPath: "/socket.io/", title: "IASTM",
  embedded: true, params: {storage: "session"}, initPayload: "/greet"}, document.getElementById("webchat"));
</script></body></html>"""


@pytest.fixture(scope="module")
def webchat_site():
    """Real servers that allow the test page's origin, and the page with the webchat bundle."""
    assert BUNDLE.exists(), "fetch the bundle first: make results/webchat/package/lib/index.js"
    page_port = free_port()
    origin = f"http://127.0.0.1:{page_port}"
    previous = os.environ.get("ALLOWED_ORIGINS")
    os.environ["ALLOWED_ORIGINS"] = origin
    try:
        with serving(MODEL) as servers:
            app = web.Application()
            page = PAGE % servers.rasa_port
            app.router.add_get("/", lambda _: web.Response(text=page, content_type="text/html"))
            app.router.add_get("/webchat.js", lambda _: web.FileResponse(BUNDLE))
            with serve_in_thread(app, page_port):
                yield servers, origin + "/"
    finally:
        if previous is None:
            os.environ.pop("ALLOWED_ORIGINS", None)
        else:
            os.environ["ALLOWED_ORIGINS"] = previous


def conversations(servers) -> dict[str, list[str]]:
    """What each conversation in the tracker store was sent, by conversation id."""
    found = defaultdict(list)
    for turn in read_turns(f"sqlite:///{servers.workdir / 'tracker.db'}"):
        found[turn.sender_id].append(turn.text)
    return found


def ask(page, question: str) -> None:
    box = page.locator(".rw-new-message")
    box.fill(question)
    box.press("Enter")


def test_rasa_webchat_holds_a_conversation_and_a_claimed_id_gets_nothing(webchat_site, browser):  # noqa: F811
    servers, url = webchat_site
    visitor = browser.new_context().new_page()
    visitor.goto(url)
    expect(visitor.locator(".rw-message").first).to_be_visible(timeout=60_000)  # the greeting
    ask(visitor, "is IASTM safe?")
    expect(visitor.locator(".rw-messages-container")).to_contain_text(SAFETY_CITATION, timeout=60_000)
    token = visitor.evaluate("JSON.parse(sessionStorage.getItem('chat_session')).session_id")
    visitor_conversation = "socketio:" + token.split(".")[0].split("-", 1)[1]
    assert conversations(servers)[visitor_conversation][-1] == "is IASTM safe?"

    claimed = token.split(".")[0]
    intruder_context = browser.new_context()
    intruder_context.add_init_script(  # the visitor's conversation id, without the server's signature
        "sessionStorage.setItem('chat_session', JSON.stringify({session_id: '%s'}))".replace("%s", claimed)
    )
    intruder = intruder_context.new_page()
    intruder.goto(url)
    expect(intruder.locator(".rw-message").first).to_be_visible(timeout=60_000)
    ask(intruder, "tell me more")
    expect(intruder.locator(".rw-message")).to_have_count(3, timeout=60_000)  # greeting, question, reply
    expect(intruder.locator(".rw-messages-container")).not_to_contain_text(SAFETY_CITATION)
    found = conversations(servers)
    assert "tell me more" not in found[visitor_conversation]
    assert sum("tell me more" in texts for texts in found.values()) == 1
    intruder_context.close()
    visitor.context.close()
