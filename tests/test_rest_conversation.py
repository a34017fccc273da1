"""End to end through the REST channel: real Rasa and action servers, a real multi-turn conversation."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests

from actions.clinic import load_clinic
from server.processes import wait_until_up
from staff import lookup, report
from staff.events import read_turns

MOJIBAKE = re.compile("[\u0e00-\u0e7f\u20ac]")


def text_of(replies: list) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def payload_of(replies: list) -> dict:
    payloads = [reply["custom"] for reply in replies if "custom" in reply]
    assert len(payloads) == 1, replies
    return payloads[0]


def test_multi_turn_conversation_with_follow_ups(servers):
    sender = uuid.uuid4().hex
    greeting = servers.say(sender, "hi there")
    assert "IASTM" in text_of(greeting) and greeting[0]["buttons"]

    painful = servers.say(sender, "ouch, is that scraping thing sore?")
    assert payload_of(painful)["type"] == "answer" and payload_of(painful)["topic"] == "painful"
    assert "If the older approach is used; YES." in text_of(painful)
    assert "not medical advice" in text_of(painful)

    gua_sha = servers.say(sender, "is it like gua sha")
    assert payload_of(gua_sha)["topic"] == "gua_sha"
    assert "Gua sha uses stone, Jade, and wooden tools to scrape the skin." in text_of(gua_sha)

    safe = servers.say(sender, "and is that safe?")
    assert payload_of(safe)["topic"] == "safety"
    assert "(Crothers et al., 2016)" in text_of(safe)

    study = servers.say(sender, "show me the study")
    assert payload_of(study)["type"] == "references"
    assert "Spinal manipulative therapy, Graston technique® and placebo" in text_of(study)

    tendon = servers.say(sender, "would it help my achilles tendonitis?")
    assert payload_of(tendon)["topic"] == "tendinopathy"
    ankle = servers.say(sender, "what about a sprained ankle?")
    assert payload_of(ankle)["topic"] == "ligament_sprains"
    assert "Ligament sprains" in text_of(ankle) and "(Chughtai et al., 2019)" in text_of(ankle)

    more = servers.say(sender, "tell me more")
    assert payload_of(more)["type"] == "more" and payload_of(more)["topic"] == "ligament_sprains"
    assert "The articles say no more on this condition itself." in text_of(more)

    again = servers.say(sender, "go on")
    assert payload_of(again)["type"] == "no_more" and payload_of(again)["topic"] == "ligament_sprains"
    assert again[0]["buttons"], "related topics are offered"


def test_questions_outside_the_articles_and_red_flags(servers):
    sender = uuid.uuid4().hex
    price = servers.say(sender, "how much does a session cost?")
    assert payload_of(price)["type"] == "no_answer"
    assert "915-850-0900" in text_of(price) and "citations" not in payload_of(price)

    emergency = servers.say(
        sender, "had IASTM on my leg and now my calf is hot and swollen and I'm short of breath"
    )
    assert payload_of(emergency)["type"] == "emergency"
    assert "911" in text_of(emergency)

    poem = servers.say(sender, "write me a poem about cats")
    assert payload_of(poem)["type"] == "off_topic"


def test_asking_whether_it_is_a_person_gets_told_it_is_an_assistant_and_how_to_reach_one(servers):
    person = servers.say(uuid.uuid4().hex, "am I chatting with a real person?")
    assert payload_of(person)["type"] == "about_assistant"
    assert "automated assistant" in text_of(person) and "915-850-0900" in text_of(person)


@pytest.mark.parametrize("question", ["who should I call to book?", "how do I contact the clinic?"])
def test_booking_and_contact_questions_get_the_front_desk(servers, question):
    """Not the decline for medical advice nor "the articles don't cover that": the clinic's contact."""
    reply = servers.say(uuid.uuid4().hex, question)
    assert payload_of(reply)["type"] == "contact"
    assert "front desk" in text_of(reply) and "915-850-0900" in text_of(reply)


def payloads_of(replies: list) -> list[tuple[str, str | None]]:
    return [(reply["custom"]["type"], reply["custom"]["topic"]) for reply in replies if "custom" in reply]


def test_a_message_of_two_questions_gets_both_replies(servers):
    sender = uuid.uuid4().hex
    both = servers.say(sender, "Does it hurt, and will I be left with bruises?")
    assert payloads_of(both) == [("answer", "painful"), ("answer", "bruising")]
    assert "If the older approach is used; YES." in text_of(both) and "Ecchymosis (bruising)" in text_of(both)
    assert text_of(both).count("not medical advice") == 2  # each answer carries the disclaimer

    study = servers.say(sender, "which study says so?")
    assert payloads_of(study) == [("references", "bruising")]  # the last question answered

    answer_and_gap = servers.say(sender, "Is it painful? Does it help tinnitus?")
    assert payloads_of(answer_and_gap) == [("answer", "painful"), ("no_answer", None)]
    assert '"tinnitus"' in text_of(answer_and_gap)


def test_bad_input_gets_a_reply_not_an_error(servers):
    sender = uuid.uuid4().hex
    assert payload_of(servers.say(sender, ""))["type"] == "no_topic"
    for message in [
        "<img src=x onerror=alert(1)>",
        "🙂🙂🙂",
        "x" * 1000,  # the longest message allowed
        "¿Duele el IASTM?",
        '{"a": 1}',
        "' OR 1=1; --",
    ]:
        replies = servers.say(sender, message)
        assert replies, message
        assert all(not MOJIBAKE.search(reply.get("text", "")) for reply in replies)
    assert payload_of(servers.say(sender, "is iastm painful"))["topic"] == "painful"


@pytest.mark.parametrize("mash", ["asdfghjkl", "JJJJJJJJJJJJJJJJJJJJ", "lkjsdf oiwuer mnbvcx"])
def test_keys_hit_at_random_are_told_they_could_not_be_read_not_a_goodbye(servers, mash):
    replies = servers.say(uuid.uuid4().hex, mash)
    assert payload_of(replies)["type"] == "no_topic"
    assert text_of(replies).startswith("Sorry, I could not read that message.")


def test_conversation_survives_a_server_restart(servers):
    sender = uuid.uuid4().hex
    assert payload_of(servers.say(sender, "what does IASTM stand for?"))["topic"] == "acronym"
    assert payload_of(servers.say(sender, "what about plantar fasciitis?"))["topic"] == "plantar_fasciitis"
    servers.stop_rasa()
    servers.start_rasa()
    sources = servers.say(sender, "where does that come from?")
    assert payload_of(sources)["type"] == "references" and payload_of(sources)["topic"] == "plantar_fasciitis"
    assert "Astym® therapy: a systematic review" in text_of(sources)


def test_staff_lookup_and_report_read_the_real_tracker_store(servers):
    store = f"sqlite:///{servers.workdir / 'tracker.db'}"
    rasa_url = f"http://127.0.0.1:{servers.rasa_port}"
    found = lookup.ask("is graston painful?", rasa_url, store)
    assert (found.intent, found.topic, found.weak) == ("ask_painful", "painful", False)
    assert found.short.startswith("If the older approach is used; YES.") and "Source:" in found.short
    how = lookup.ask("how does IASTM work?", rasa_url, store)
    assert any(reference.startswith("Kim et al., 2017: Kim, J.") for reference in how.references)
    two = lookup.ask("Is it painful, and will it leave bruises?", rasa_url, store)
    assert (two.intent, two.topic) == ("ask_painful", "painful")  # the first part's match and answer
    assert "Ecchymosis (bruising)" in two.text  # with the second part's answer after it

    patient = uuid.uuid4().hex
    since = datetime.now(timezone.utc) - timedelta(seconds=1)  # only this test's conversation
    servers.say(patient, "how much does a session of this cost?")
    servers.say(patient, "what does it cost per visit")
    found_report = report.load_report(store, since, since + timedelta(days=1))
    cost = [group for group in found_report.groups if "cost" in group.question]
    assert len(cost) == 1 and cost[0].count == 2 and cost[0].reply_types == {"honest no-answer": 2}
    assert report.conversation_label("rest:" + patient) in cost[0].conversations


def test_without_the_action_server_the_user_gets_an_apology_and_emergencies_still_get_advice(servers):
    sender = uuid.uuid4().hex
    servers.stop_actions()
    try:
        apology = servers.say(sender, "is iastm painful?")
        assert payload_of(apology)["type"] == "unavailable" and load_clinic().phone in text_of(apology)
        emergency = servers.say(sender, "I have crushing chest pain and can't breathe")
        assert payload_of(emergency)["type"] == "emergency" and load_clinic().emergency_number in text_of(
            emergency
        )
    finally:
        servers.start_actions()
        wait_until_up(f"http://127.0.0.1:{servers.action_port}/health", servers.actions)
    assert payload_of(servers.say(sender, "is iastm painful?"))["topic"] == "painful"


def post(servers, body, **kwargs):
    return requests.post(
        servers.webhook, timeout=60, **({"json": body} if body is not None else {}), **kwargs
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sender": "me", "message": "hi"}, 400),
        ({"sender": "../../etc/passwd", "message": "hi"}, 400),
        ({"message": "hi"}, 400),
        ({"sender": "a1b2c3d4e5f6", "message": 42}, 400),
        ({"sender": "a1b2c3d4e5f6", "message": "x" * 20_000}, 413),
        (["a", "list"], 400),
    ],
)
def test_bad_requests_get_a_clean_4xx(servers, body, status):
    answer = post(servers, body)
    assert answer.status_code == status and answer.json()["error"]


def test_unreadable_and_huge_bodies_are_refused_and_the_server_keeps_serving(servers):
    unreadable = b"\xff\xfe\x00 not json"
    assert (
        post(servers, None, data=unreadable, headers={"Content-Type": "application/json"}).status_code == 400
    )
    assert post(servers, None, data=b"x" * 200_000).status_code == 413
    sender = uuid.uuid4().hex
    assert payload_of(servers.say(sender, "is iastm\x00 painful?\x1b"))["topic"] == "painful"


def test_typed_intent_payloads_are_read_as_words_and_offered_buttons_work(servers):
    store = f"sqlite:///{servers.workdir / 'tracker.db'}"
    sender = uuid.uuid4().hex
    greeting = servers.say(sender, "hello")
    offered = greeting[0]["buttons"][0]["payload"]
    servers.say(sender, offered)
    servers.say(sender, '/ask_condition{"condition": "cancer"}')
    restarted = servers.say(sender, "/restart")
    turns = read_turns(store, sender_id="rest:" + sender)
    assert (turns[1].text, turns[1].confidence) == (offered, 1.0)  # a button: taken as its intent
    assert turns[2].text == 'ask_condition{"condition": "cancer"}' and turns[2].confidence < 1.0
    assert turns[3].text == "restart" and turns[3].intent != "restart"
    assert restarted[0]["text"] == greeting[0]["text"]  # typed "restart" is greeted afresh, not obeyed
    assert servers.say(uuid.uuid4().hex, "hola")[0]["text"].startswith("¡Hola!")  # greeted in Spanish


def test_one_sender_flooding_is_rate_limited_without_stopping_others(servers):
    flooder = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=15) as pool:
        codes = list(
            pool.map(lambda _: post(servers, {"sender": flooder, "message": "hi"}).status_code, range(15))
        )
    assert codes.count(429) >= 1 and codes.count(200) >= 1
    assert payload_of(servers.say(uuid.uuid4().hex, "is iastm painful?"))["topic"] == "painful"
