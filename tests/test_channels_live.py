"""End to end through the messaging channels: real Rasa and action servers receive signed provider webhooks;
the replies go to a fake provider API, which records what would have been sent."""

import json
import random
import time
import uuid
from collections.abc import Callable

import pytest
import requests

from channels.formatting import LIMITS
from tests.messaging_fakes import (
    DISCLAIMER,
    EMERGENCY,
    EMERGENCY_ES,
    GUA_SHA,
    PAINFUL,
    SAFETY_CITATION,
    Sent,
    answered,
    assert_answer_with_sources,
    assert_under_limit,
    messenger_message,
    messenger_post,
    offered,
    slack_message,
    slack_post,
    slack_press,
    telegram_press,
    telegram_update,
    twilio_post,
    webhook,
)
from tests.test_hostile_input import BOOKING_QUESTIONS, BOOKING_STORY


@pytest.fixture(scope="module")
def servers(messaging_servers):
    return messaging_servers


def test_telegram(servers, provider):
    chat = random.randrange(10**9)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "telegram-secret"}

    def say(update: dict, until: Callable[[list[Sent]], bool], secret: dict = headers) -> Sent:
        before = len(provider.sent("telegram", str(chat)))
        reply = requests.post(webhook(servers, "telegram"), json=update, headers=secret, timeout=10)
        assert reply.status_code == 200, reply.text
        return provider.wait("telegram", str(chat), before, until)[-1]

    greeting = say(telegram_update(chat, "/start"), offered)  # how every Telegram chat opens
    assert ("Is IASTM painful?", "/ask_painful") in greeting.options
    assert [call[0] for call in provider.calls_to("telegram")][-1] == "/telegram/bot123:TEST/sendMessage"
    number = [payload for _, payload in greeting.options].index("/ask_painful") + 1
    assert PAINFUL in say(telegram_update(chat, str(number)), answered(PAINFUL)).text

    press = telegram_press(chat, "/ask_gua_sha")
    before = len(provider.sent("telegram", str(chat)))
    reply = requests.post(webhook(servers, "telegram"), json=press, headers=headers, timeout=10)
    assert reply.json() == {
        "method": "answerCallbackQuery",
        "callback_query_id": press["callback_query"]["id"],
    }
    assert GUA_SHA in provider.wait("telegram", str(chat), before, answered(GUA_SHA))[-1].text

    for wrong in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
        refused = requests.post(
            webhook(servers, "telegram"), json=telegram_update(chat, "hi"), headers=wrong, timeout=10
        )
        assert refused.status_code == 403
    bad = requests.post(webhook(servers, "telegram"), data=b"{oops", headers=headers, timeout=10)
    assert bad.status_code == 400 and bad.json() == {"error": "malformed payload"}
    assert_answer_with_sources(
        say(telegram_update(chat, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    emergency = say(telegram_update(chat, "my wife just collapsed and isn't breathing"), answered(EMERGENCY))
    assert DISCLAIMER not in emergency.text and not emergency.options  # the advice alone
    buried = BOOKING_STORY + " My wife just collapsed and she isn't breathing. " + BOOKING_QUESTIONS
    assert DISCLAIMER not in say(telegram_update(chat, buried), answered(EMERGENCY)).text
    assert_under_limit(provider, "telegram", LIMITS["telegram"])


def test_slack(servers, provider):
    user, channel = f"U{uuid.uuid4().hex[:8].upper()}", f"D{uuid.uuid4().hex[:8].upper()}"

    def say(body: bytes, until: Callable[[list[Sent]], bool], **extra: str) -> Sent:
        before = len(provider.sent("slack", channel))
        reply = slack_post(servers, body, **extra)
        assert reply.status_code == 200 and reply.json() == {"status": "ok"}, reply.text
        return provider.wait("slack", channel, before, until)[-1]

    challenge = json.dumps(
        {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdx", "type": "url_verification"}
    )
    assert slack_post(servers, challenge.encode()).json() == {"challenge": "3eZbrw1aBm2rZgRNFdx"}

    greeting = say(slack_message(user, channel, "hi"), offered)
    assert ("Is IASTM painful?", "/ask_painful") in greeting.options and greeting.body["text"]
    call = provider.calls_to("slack")[-1]
    assert call[0] == "/slack/chat.postMessage" and call[2]["Authorization"] == "Bearer xoxb-test"
    number = [payload for _, payload in greeting.options].index("/ask_painful") + 1
    assert PAINFUL in say(slack_message(user, channel, str(number)), answered(PAINFUL)).text
    press = slack_press(user, channel, "/ask_gua_sha")
    assert GUA_SHA in say(press, answered(GUA_SHA), content_type="application/x-www-form-urlencoded").text

    body = slack_message(user, channel, "hi")
    assert slack_post(servers, body, timestamp=str(int(time.time()) - 3600)).status_code == 403
    forged = requests.post(
        webhook(servers, "slack"), data=body, headers={"X-Slack-Signature": "v0=0"}, timeout=10
    )
    assert forged.status_code == 403
    assert slack_post(servers, body, **{"X-Slack-Retry-Num": "1"}).json() == {"status": "ignored"}
    assert slack_post(servers, b"{oops").status_code == 400
    bot_echo = json.loads(body)
    bot_echo["event"]["bot_id"] = "B1"
    assert slack_post(servers, json.dumps(bot_echo).encode()).json() == {"status": "ignored"}
    assert_answer_with_sources(
        say(slack_message(user, channel, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    poisoning = say(slack_message(user, channel, "my toddler drank some bleach"), answered("1-800-222-1222"))
    assert "Call 911 now" in poisoning.text
    assert_under_limit(provider, "slack", LIMITS["slack"])


@pytest.mark.parametrize(
    ("sender", "our_number", "limit"),
    [
        (f"+1555{random.randrange(10**7):07d}", "+15557654321", LIMITS["sms"]),
        (f"whatsapp:+1555{random.randrange(10**7):07d}", "whatsapp:+14155238886", LIMITS["whatsapp"]),
    ],
)
def test_twilio(servers, provider, sender, our_number, limit):
    def say(text: str, until: Callable[[list[Sent]], bool]) -> Sent:
        before = len(provider.sent("twilio", sender))
        reply = twilio_post(servers, sender, our_number, text)
        assert reply.status_code == 200 and "<Response>" in reply.text, reply.text
        return provider.wait("twilio", sender, before, until)[-1]

    greeting = say("hi", offered)
    assert greeting.body["From"] == our_number
    options = greeting.text.split("Reply with a number:\n")[1].splitlines()
    number = next(option.split(". ")[0] for option in options if option.endswith(". Is IASTM painful?"))
    assert PAINFUL in say(number, answered(PAINFUL)).text
    path, _, headers, _ = provider.calls_to("twilio")[-1]
    assert path == "/twilio/2010-04-01/Accounts/AC0123/Messages.json" and headers["Authorization"].startswith(
        "Basic "
    )

    local_url = webhook(servers, "twilio")  # what the server sees; Twilio signed the public URL
    assert twilio_post(servers, sender, our_number, "hi", url=local_url).status_code == 403
    assert_answer_with_sources(say("is IASTM safe?", answered(DISCLAIMER)), SAFETY_CITATION)
    assert EMERGENCY_ES in say("me duele el pecho y no puedo respirar", answered(EMERGENCY_ES)).text
    assert_under_limit(provider, "twilio", limit)


def test_messenger(servers, provider):
    user = str(random.randrange(10**15, 10**16))
    challenge = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    verified = requests.get(webhook(servers, "facebook"), params=challenge, timeout=10)
    assert verified.status_code == 200 and verified.text == "1158201444"
    wrong = requests.get(
        webhook(servers, "facebook"), params={**challenge, "hub.verify_token": "x"}, timeout=10
    )
    assert wrong.status_code == 403

    def say(event: dict, until: Callable[[list[Sent]], bool]) -> Sent:
        before = len(provider.sent("facebook", user))
        reply = messenger_post(servers, event)
        assert reply.status_code == 200, reply.text
        return provider.wait("facebook", user, before, until)[-1]

    greeting = say(messenger_message(user, "hi"), offered)
    assert "Reply with a number:\n1. What is IASTM?\n2. Is IASTM painful?" in greeting.text
    assert greeting.options[:2] == [("1", "/ask_what_is"), ("2", "/ask_painful")]
    assert provider.calls_to("facebook")[-1][1] == {"access_token": "page-token"}
    assert PAINFUL in say(messenger_message(user, "2"), answered(PAINFUL)).text
    assert GUA_SHA in say(messenger_message(user, "3", quick_reply="/ask_gua_sha"), answered(GUA_SHA)).text

    assert messenger_post(servers, messenger_message(user, "hi"), secret="forged").status_code == 403
    assert_answer_with_sources(
        say(messenger_message(user, "is IASTM safe?"), answered(DISCLAIMER)), SAFETY_CITATION
    )
    crisis = say(messenger_message(user, "everyone would be better off without me"), answered("988"))
    assert "Suicide & Crisis Lifeline" in crisis.text
    assert_under_limit(provider, "facebook", LIMITS["messenger"])
