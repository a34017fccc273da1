"""A handoff in two real browsers (Debian's Chromium driven by Playwright): a visitor in the chat
widget and a staff member in the inbox, against real servers and the website server."""

import os
import subprocess

import pytest
from playwright.sync_api import expect

from channels.sessions import session_secret
from server.processes import MODEL, ROOT, free_port, serving, wait_until_up
from tests.test_widget_browser import ask, bot_messages, browser, open_chat  # noqa: F401 (fixture)

STAFF_TOKEN = "browser-staff-token"
WAIT_MS = 15_000  # the inbox refreshes every 3 s, the widget asks for a person's messages every 2 s
ENVIRONMENT = {
    "STAFF_TOKEN": STAFF_TOKEN,
    "CLINIC_OPENING_HOURS": "Mon-Sun 00:00-24:00",
    "HANDOFF_WAIT_MINUTES": "10",
}


@pytest.fixture(scope="module")
def site():
    """Real servers with the front desk open, and the website server with the staff token."""
    assert MODEL.exists(), "train first: make train"
    with serving(MODEL, environment=ENVIRONMENT) as servers:
        port = free_port()
        website = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "web.app", "--port", str(port),
             "--rasa", f"http://127.0.0.1:{servers.rasa_port}", "--endpoints", str(servers.endpoints)],
            cwd=ROOT, env={**os.environ, **ENVIRONMENT, "SESSION_SECRET": session_secret()},
        )  # fmt: skip
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", website)
            yield f"http://127.0.0.1:{port}"
        finally:
            website.terminate()
            website.wait(timeout=30)


def test_a_visitor_and_the_front_desk_hold_a_handoff_in_two_browsers(site, browser):  # noqa: F811
    visitor = browser.new_context(viewport={"width": 1100, "height": 800}).new_page()
    staff = browser.new_context(http_credentials={"username": "Maria", "password": STAFF_TOKEN}).new_page()

    open_chat(visitor, site + "/")
    ask(visitor, "can I talk to a real person?")
    expect(bot_messages(visitor).last).to_contain_text("a person will reply here")

    staff.goto(site + "/staff/inbox")
    staff.get_by_label("Your name (visitors see it)").fill("Maria")
    waiting = staff.locator(".inbox__item", has_text="can I talk to a real person?")
    expect(waiting).to_contain_text("Waiting for a person", timeout=WAIT_MS)
    waiting.click()
    staff.get_by_role("button", name="Take this conversation").click()
    from_staff = visitor.locator(".iastm-chat__msg--staff")
    expect(from_staff.last).to_contain_text("Maria from the front desk has joined", timeout=WAIT_MS)

    staff.get_by_placeholder("Your reply to the visitor").fill("Hi! I'm Maria. What can I do for you?")
    staff.get_by_role("button", name="Send").click()
    person = from_staff.last
    expect(person).to_contain_text("What can I do for you?", timeout=WAIT_MS)
    expect(person).to_contain_text("Maria · front desk (a person)")

    ask(visitor, "I'd like to move my Friday appointment")
    told = staff.locator(".inbox__history li.visitor").last
    expect(told).to_contain_text("move my Friday appointment", timeout=WAIT_MS)
    ask(visitor, "actually my dad just collapsed and he is not breathing")
    expect(bot_messages(visitor).last).to_contain_text("911", timeout=WAIT_MS)  # the emergency reply, at once
    expect(staff.locator(".inbox__item--emergency")).to_contain_text("EMERGENCY", timeout=WAIT_MS)

    staff.get_by_role("button", name="Hand back to the assistant").click()
    expect(from_staff.last).to_contain_text("has left the chat", timeout=WAIT_MS)
    ask(visitor, "does it leave bruises?")
    expect(bot_messages(visitor).last).to_contain_text("Ecchymosis")
    visitor.context.close()
    staff.context.close()
