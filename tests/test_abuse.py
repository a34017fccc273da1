"""The abuse suite: property-based fuzzing (hypothesis) of every channel's webhook and the website
relay with random and adversarial input (long runs of spaces, punctuation or one word, deep unicode,
control characters, huge or mistyped JSON). Each request gets a reply or a clean 4xx, never a 5xx,
and afterwards the server still answers an ordinary question on that channel.
"""

import json
import random
import string
import uuid

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.sessions import SessionTokens
from tests.messaging_fakes import (
    PAINFUL,
    answered,
    messenger_message,
    messenger_post,
    slack_message,
    slack_post,
    telegram_update,
    twilio_post,
    webhook,
)
from web.app import create_app


@pytest.fixture(scope="module")
def servers(messaging_servers):
    return messaging_servers


FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CLEAN = {200, 400, 401, 403, 404, 405, 413, 415, 429}
RUNS = ["  ", " ", ".", "?", "!", "a", "why? ", "and ", ", and ", "\u200b", "\x00", "\x9b", "é", "🙂", "\n"]
adversarial_text = st.one_of(
    st.text(max_size=2000),  # any unicode, control characters included
    st.builds(lambda unit, n: unit * n, st.sampled_from(RUNS), st.integers(0, 5000)),
    st.builds(
        lambda a, run, b: a + run + b,
        st.text(max_size=40),
        st.sampled_from(RUNS).map(lambda r: r * 3000),
        st.text(max_size=40),
    ),  # fmt: skip
    st.builds(
        lambda word, n: word * n,
        st.text(string.ascii_letters, min_size=1, max_size=3),
        st.integers(500, 3000),
    ),
)
any_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=200),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


def still_answers_rest(servers) -> None:
    replies = servers.say(uuid.uuid4().hex, "is iastm painful?")
    assert any(PAINFUL in reply.get("text", "") for reply in replies)


@FUZZ
@given(message=adversarial_text | any_json, sender=st.one_of(st.just("ok"), any_json))
def test_rest_never_fails_with_a_5xx(servers, message, sender):
    sender = uuid.uuid4().hex if sender == "ok" else sender
    reply = requests.post(servers.webhook, json={"sender": sender, "message": message}, timeout=120)
    assert reply.status_code in CLEAN, reply.text[:300]


@FUZZ
@given(body=st.binary(max_size=3000) | any_json.map(lambda value: json.dumps(value).encode()))
def test_rest_never_fails_with_a_5xx_on_any_body(servers, body):
    reply = requests.post(
        servers.webhook, data=body, headers={"Content-Type": "application/json"}, timeout=120
    )
    assert reply.status_code in CLEAN


def test_rest_still_answers_after_the_fuzzing(servers):
    still_answers_rest(servers)


@FUZZ
@given(message=adversarial_text | any_json)
async def test_the_website_relay_never_fails_with_a_5xx(servers, message):
    client = TestClient(TestServer(create_app(f"http://127.0.0.1:{servers.rasa_port}")))
    await client.start_server()
    try:
        sender = SessionTokens().issue("web")
        reply = await client.post("/chat", json={"sender": sender, "message": message})
        assert reply.status in CLEAN
        assert (await client.post("/chat", data=str(message).encode()[:20_000])).status in CLEAN
    finally:
        await client.close()


SECRET = {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}


@FUZZ
@given(text=adversarial_text, junk=any_json)
def test_telegram_never_fails_with_a_5xx(servers, text, junk):
    update = telegram_update(random.randrange(10**9), text)
    assert (
        requests.post(webhook(servers, "telegram"), json=update, headers=SECRET, timeout=30).status_code
        in CLEAN
    )
    assert (
        requests.post(webhook(servers, "telegram"), json=junk, headers=SECRET, timeout=30).status_code
        in CLEAN
    )
    assert requests.post(webhook(servers, "telegram"), json=update, timeout=30).status_code == 403  # unsigned


@FUZZ
@given(text=adversarial_text, junk=st.binary(max_size=2000))
def test_slack_never_fails_with_a_5xx(servers, text, junk):
    assert slack_post(servers, slack_message(f"U{uuid.uuid4().hex[:8]}", "D1", text)).status_code in CLEAN
    assert slack_post(servers, junk).status_code in CLEAN


@FUZZ
@given(text=adversarial_text)
def test_twilio_never_fails_with_a_5xx(servers, text):
    sender = f"+1555{random.randrange(10**7):07d}"
    assert twilio_post(servers, sender, "+15557654321", text).status_code in CLEAN


@FUZZ
@given(text=adversarial_text, junk=any_json)
def test_messenger_never_fails_with_a_5xx(servers, text, junk):
    user = str(random.randrange(10**15, 10**16))
    assert messenger_post(servers, messenger_message(user, text)).status_code in CLEAN
    body = json.dumps(junk).encode()
    assert requests.post(webhook(servers, "facebook"), data=body, timeout=30).status_code in CLEAN  # unsigned


def test_the_messaging_channels_still_answer_after_the_fuzzing(servers, provider):
    chat, user = random.randrange(10**9), str(random.randrange(10**15, 10**16))
    update = telegram_update(chat, "is iastm painful?")
    assert (
        requests.post(webhook(servers, "telegram"), json=update, headers=SECRET, timeout=30).status_code
        == 200
    )
    assert PAINFUL in provider.wait("telegram", str(chat), 0, answered(PAINFUL))[-1].text
    assert messenger_post(servers, messenger_message(user, "is iastm painful?")).status_code == 200
    assert PAINFUL in provider.wait("facebook", user, 0, answered(PAINFUL))[-1].text
