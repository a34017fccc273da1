"""The chat widget in a real browser (Debian's Chromium driven by Playwright) against real servers."""

import os
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from actions.clinic import load_clinic
from actions.knowledge import load_knowledge
from channels.sessions import SessionTokens, session_secret
from server.processes import MODEL, ROOT, free_port, serving, wait_until_up
from staff.events import read_turns

SCREENSHOTS = ROOT / "results" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root in a closed network: no sandbox, and no background calls to Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update",
]  # fmt: skip
INJECTION = "<img src=x onerror=alert(1)>"
CITED = "Kim et al., 2017"  # the study the "how does it work" answer cites


@pytest.fixture(scope="module")
def site():
    """Real action and Rasa servers, and the website server relaying to them."""
    assert MODEL.exists(), "train first: make train"
    with serving(MODEL) as servers:
        port = free_port()
        website = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "python"), "-m", "web.app", "--port", str(port),
             "--rasa", f"http://127.0.0.1:{servers.rasa_port}"],
            cwd=ROOT, env={**os.environ, "SESSION_SECRET": session_secret()},  # as the Rasa server's
        )  # fmt: skip
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", website)
            yield servers, f"http://127.0.0.1:{port}/"
        finally:
            website.terminate()
            website.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    opened = context.new_page()
    dialogs = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


def open_chat(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Open the IASTM questions chat").click()
    expect(page.get_by_role("dialog", name="IASTM questions chat")).to_be_visible()


def bot_messages(page: Page):
    return page.locator(".iastm-chat__msg--bot")


def ask(page: Page, question: str) -> None:
    box = page.get_by_label("Your question")
    box.fill(question)
    box.press("Enter")


def test_a_visitor_asks_clicks_a_suggestion_reloads_and_cannot_inject_html(site, page):
    _, url = site
    open_chat(page, url)
    greeting = bot_messages(page).first
    expect(greeting).to_contain_text("I answer questions about IASTM")
    page.get_by_role("button", name="How is it different from gua sha?").click()
    expect(page.locator(".iastm-chat__msg--user").last).to_have_text("You: How is it different from gua sha?")
    expect(bot_messages(page)).to_have_count(2)
    expect(bot_messages(page).last).to_contain_text(re.compile("gua sha", re.IGNORECASE))

    ask(page, "how does graston work?")
    answer = bot_messages(page).last
    expect(answer.locator(".iastm-chat__citation").first).to_be_visible()
    expect(answer.locator(".iastm-chat__citation").first).to_contain_text(CITED)
    expect(answer.locator(".iastm-chat__disclaimer")).to_contain_text("not medical advice")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget.png")

    shown = page.locator(".iastm-chat__msg").count()
    page.reload()
    expect(page.locator(".iastm-chat__msg")).to_have_count(shown)
    expect(bot_messages(page).last.locator(".iastm-chat__citation").first).to_contain_text(CITED)

    ask(page, INJECTION)
    expect(page.locator(".iastm-chat__msg--user").last).to_have_text("You: " + INJECTION)
    expect(bot_messages(page)).to_have_count(4)
    assert page.locator(".iastm-chat img").count() == 0
    assert page.dialogs == []


def test_an_earlier_answer_keeps_its_feedback_buttons_and_is_counted_for_its_own_topic(site, page):
    servers, url = site
    helpful = load_knowledge().wording["feedback_helpful"]
    open_chat(page, url)
    ask(page, "is IASTM painful?")
    expect(bot_messages(page)).to_have_count(2)
    ask(page, "will I bruise afterwards?")
    expect(bot_messages(page)).to_have_count(3)
    first_answer = bot_messages(page).nth(1)
    first_answer.get_by_role("button", name=helpful).click()
    expect(bot_messages(page)).to_have_count(4)
    expect(first_answer.get_by_role("button", name=helpful)).to_have_count(0)  # rated once
    sender = page.evaluate("JSON.parse(sessionStorage.getItem('iastm-assistant')).sender")
    conversation = SessionTokens().conversation_of(sender, kinds=("web",))
    turns = read_turns(f"sqlite:///{servers.workdir / 'tracker.db'}", sender_id=conversation)
    assert [(turn.reply_type, turn.topic) for turn in turns[-3:]] == [
        ("answer", "painful"),
        ("answer", "bruising"),
        ("helpful", "painful"),
    ]


def test_two_browsers_do_not_share_a_conversation(site, browser, page):
    _, url = site
    open_chat(page, url)
    ask(page, "what is iastm?")
    expect(bot_messages(page)).to_have_count(2)
    other = browser.new_context().new_page()
    open_chat(other, url)
    expect(bot_messages(other)).to_have_count(1)
    senders = [
        p.evaluate("JSON.parse(sessionStorage.getItem('iastm-assistant')).sender") for p in (page, other)
    ]
    assert senders[0] != senders[1]  # each browser holds a conversation the server issued to it
    assert all(SessionTokens().conversation_of(sender, kinds=("web",)) for sender in senders)
    other.context.close()


def test_keyboard_only_use(site, page):
    _, url = site
    page.goto(url)
    toggle = page.get_by_role("button", name="Open the IASTM questions chat")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your question")).to_be_focused()
    page.keyboard.type("does it bruise?")
    page.keyboard.press("Enter")
    expect(bot_messages(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="IASTM questions chat")).to_be_hidden()
    expect(toggle).to_be_focused()


def test_the_panel_fills_a_phone_screen(site, browser):
    _, url = site
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    open_chat(phone, url)
    expect(bot_messages(phone)).to_have_count(1)
    box = phone.get_by_role("dialog", name="IASTM questions chat").bounding_box()
    assert box["width"] == 375 and box["height"] == 667
    phone.screenshot(path=SCREENSHOTS / "widget-phone.png")
    context.close()


def test_an_unreachable_assistant_is_announced_and_the_message_delivered_when_it_is_back(site, page):
    servers, url = site
    open_chat(page, url)
    expect(bot_messages(page)).to_have_count(1)
    servers.stop_rasa()
    try:
        ask(page, "does it leave bruises?")
        expect(page.get_by_role("alert")).to_contain_text("cannot be reached", timeout=15_000)
        expect(page.get_by_role("alert")).to_contain_text(load_clinic().phone)
    finally:
        servers.start_rasa()
    expect(page.get_by_role("alert")).to_be_hidden(timeout=30_000)
    expect(bot_messages(page)).to_have_count(2)
    expect(bot_messages(page).last).to_contain_text("bruis")
