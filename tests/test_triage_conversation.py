"""Triage end to end: real Rasa and action servers, through the REST channel and the website relay.

One conversation per tier, the look-alikes that must get an ordinary reply, and each path a message
can take to triage: an over-length message, a message of several questions, a message during a
follow-up, the website relay. (The messaging webhooks: tests/test_channels_live.py.)
"""

import uuid

import pytest
import requests
from aiohttp.test_utils import TestClient, TestServer

from channels.sessions import SessionTokens
from channels.text import bounded, tidy
from tests.test_hostile_input import BOOKING_QUESTIONS, BOOKING_STORY
from web.app import create_app


def text_of(replies: list) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def types_of(replies: list) -> list[str]:
    return [reply["custom"]["type"] for reply in replies if "custom" in reply]


def emergency_of(replies: list) -> dict:
    """The one emergency payload of a turn whose every payload is the emergency's."""
    assert types_of(replies) == ["emergency"], replies
    return next(reply["custom"] for reply in replies if "custom" in reply)


@pytest.mark.parametrize(
    ("message", "tier", "says"),
    [
        ("my husband just collapsed on the kitchen floor and he's not answering me", "life_threatening",
         ["Call 911 now", "emergency department"]),
        ("honestly everyone would be better off if I wasn't here anymore", "suicide_self_harm",
         ["call or text 988", "Suicide & Crisis Lifeline", "call 911"]),
        ("my toddler got into the cupboard and drank some of the bleach", "poisoning_overdose",
         ["Call 911 now", "Poison Control at 1-800-222-1222"]),
        ("two days after my graston session the red patch is spreading up my leg and I have a fever",
         "urgent_after_treatment", ["emergency department", "call 911 if it gets worse", "915-850-0900"]),
        ("mi papa tiene la cara chueca y no puede hablar bien", "life_threatening",
         ["Llame al 911 ahora", "sala de emergencias"]),
    ],
)  # fmt: skip
def test_each_tier_gets_its_own_reply_first_and_nothing_else(servers, message, tier, says):
    sender = uuid.uuid4().hex
    servers.say(sender, "is IASTM painful?")  # an answer first: the emergency must not follow on from it
    replies = servers.say(sender, message)
    assert emergency_of(replies)["tier"] == tier
    assert all(phrase in text_of(replies) for phrase in says), text_of(replies)
    assert "not medical advice" not in text_of(replies) and not any(r.get("buttons") for r in replies)


@pytest.mark.parametrize(
    "message",
    [
        "this scraping thing is killing me lol, is it supposed to hurt?",
        "I had a stroke years ago, is IASTM safe for me?",
        "we did suicide sprints yesterday, can scraping help my calves?",
    ],
)
def test_look_alikes_get_an_ordinary_reply(servers, message):
    assert "emergency" not in types_of(servers.say(uuid.uuid4().hex, message))


def test_an_over_length_message_is_read_for_an_emergency_before_it_is_refused(servers):
    chatter = "I would like to know more about how the scraping sessions work and what they cost. " * 15
    refused = requests.post(
        servers.webhook, json={"sender": uuid.uuid4().hex, "message": chatter}, timeout=60
    )
    assert refused.status_code == 413
    urgent = chatter + "But right now my chest is crushing and my left arm is numb."
    replies = requests.post(servers.webhook, json={"sender": uuid.uuid4().hex, "message": urgent}, timeout=60)
    assert replies.status_code == 200 and emergency_of(replies.json())["tier"] == "life_threatening"


def test_an_emergency_in_the_middle_of_a_rambling_message_is_read_though_nlu_reads_its_ends(servers):
    urgent = (
        BOOKING_STORY
        + " Oh and my mouth is drooping on one side and my words are slurred. "
        + BOOKING_QUESTIONS
    )
    assert "slurred" not in bounded(tidy(urgent))  # NLU reads its start and end only
    assert emergency_of(servers.say(uuid.uuid4().hex, urgent))["tier"] == "life_threatening"


def test_a_rambling_message_is_read_whole_for_triage_and_a_client_cannot_supply_the_whole_text(servers):
    """Its middle cut out, "anxious ... thinking of cancelling" read as a crisis; and metadata a REST
    client sends is dropped, so it cannot make or hide an emergency."""
    anxious = (
        "I have a pretty low pain tolerance, honestly. I cried getting my ears pierced as an adult. My "
        "physical therapist wants to add instrument work to my sessions for my calf, and she showed me the "
        "tool and it looks like a butter knife made of steel. She said I might feel some pressure but I'm "
        "already anxious about it and thinking of cancelling. I'd like to know what I'm getting into. Is "
        "the scraping going to hurt?"
    )
    assert "emergency" not in types_of(servers.say(uuid.uuid4().hex, anxious))
    spoofed = {
        "sender": uuid.uuid4().hex,
        "message": "is it painful?",
        "metadata": {"text_in_full": "i took 40 pills"},
    }
    replies = requests.post(servers.webhook, json=spoofed, timeout=60).json()
    assert types_of(replies) == ["answer"]


def test_an_emergency_in_a_message_of_several_questions_is_all_that_is_answered(servers):
    replies = servers.say(
        uuid.uuid4().hex, "Is it painful? And what do I do, my son swallowed a bottle of pills?"
    )
    assert emergency_of(replies)["tier"] == "poisoning_overdose"


def test_an_emergency_during_a_follow_up_interrupts_it(servers):
    sender = uuid.uuid4().hex
    assert types_of(servers.say(sender, "how does IASTM work?")) == ["answer"]
    replies = servers.say(sender, "tell me more. actually wait, I feel like I'm going to pass out")
    assert emergency_of(replies)["tier"] == "life_threatening"
    assert types_of(servers.say(sender, "ok I'm fine now, tell me more")) != ["emergency"]


async def test_the_website_relay_passes_an_emergency_through(servers):
    client = TestClient(TestServer(create_app(f"http://127.0.0.1:{servers.rasa_port}")))
    await client.start_server()
    try:
        response = await client.post(
            "/chat",
            json={"sender": SessionTokens().issue("web"), "message": "i swallowed all my sleeping pills"},
        )
        assert response.status == 200 and emergency_of(await response.json())["tier"] == "poisoning_overdose"
    finally:
        await client.close()
