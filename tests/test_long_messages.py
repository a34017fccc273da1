"""A long message takes its intent from its question sentence when that reads more surely."""

import pytest
from rasa.core.channels.channel import UserMessage

from server.long_messages import FOCUS_KEY, parse_by_question, question_sentences

STORY = (
    "My daughter is 19 and a competitive swimmer, and her team physio has started using scraping "
    "tools on her shoulders. She seems happy with it. Are there any risks I should know about? "
    "I'm the worrying type, sorry."
)


def test_question_sentences_of_a_long_message():
    assert question_sentences(STORY) == ["Are there any risks I should know about?"]


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        ("my wifi keeps having seizures lol, anyway does graston hurt?", ["does graston hurt?"]),
        ("ugh, mondays. But anyway: is it the same as gua sha?", ["is it the same as gua sha?"]),
        ("ay que calor hoy, por cierto ¿duele el raspado?", ["¿duele el raspado?"]),
        ("Hey, good morning! Quick one: what is IASTM?", ["what is IASTM?"]),
        (
            "my cat just knocked my coffee onto my keyboard 😂 what kind of tools do you guys scrape with?",
            ["what kind of tools do you guys scrape with?"],
        ),
    ],
)
def test_a_question_after_a_change_of_subject_is_a_sentence_of_its_own(text, questions):
    assert question_sentences(text) == questions


@pytest.mark.parametrize(
    "text",
    [
        "is iastm painful? does it bruise?",
        "does it work anyway? is it safe?",
        "will it hurt anyway if I'm numb?",
        "My physio mentioned Graston to me last week. What is it?",
    ],
)
def test_short_messages_are_read_whole(text):
    assert question_sentences(text) == []


def parse(intent: str, confidence: float, text: str) -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [{"entity": "condition", "value": "shoulder"}] if "shoulder" in text else [],
    }


@pytest.fixture
def parses():
    """The stand-in NLU's table of parses by text."""
    return {}


def focused(parses: dict, text: str) -> dict:
    """The question focus over a stand-in NLU: the table's parse, or else medical advice, unsure."""

    def stand_in_parse(message: UserMessage) -> dict:
        return parses.get(message.text) or parse("ask_medical_advice", 0.55, message.text)

    return parse_by_question(stand_in_parse, UserMessage(text))


def test_the_more_confident_question_sentence_gives_the_intent(parses):
    parses["Are there any risks I should know about?"] = parse("ask_safety", 0.9, "")
    result = focused(parses, STORY)
    assert result["intent"]["name"] == "ask_safety"
    assert result[FOCUS_KEY] == "Are there any risks I should know about?"
    assert result["text"] == STORY
    assert result["entities"] == [{"entity": "condition", "value": "shoulder"}]  # from the whole story


def test_the_whole_message_wins_when_it_reads_more_surely(parses):
    parses[STORY] = parse("ask_safety", 0.95, STORY)
    parses["Are there any risks I should know about?"] = parse("ask_bruising", 0.6, "")
    result = focused(parses, STORY)
    assert result["intent"]["name"] == "ask_safety"
    assert FOCUS_KEY not in result


def test_an_emergency_in_the_story_is_never_overridden(parses):
    parses[STORY] = parse("emergency", 0.5, STORY)
    parses["Are there any risks I should know about?"] = parse("ask_safety", 0.99, "")
    assert focused(parses, STORY)["intent"]["name"] == "emergency"


def test_a_story_that_makes_the_question_personal_keeps_it_personal(parses):
    story = (
        "I'm 7 months pregnant and my back is killing me at work, my friend swears by scraping. Is it safe?"
    )
    parses[story] = parse("ask_personal_safety", 0.6, story)
    parses["Is it safe?"] = parse("ask_safety", 0.99, "")
    result = focused(parses, story)
    assert result["intent"]["name"] == "ask_personal_safety"
    assert FOCUS_KEY not in result


def test_a_follow_up_sentence_points_at_the_story_and_never_replaces_it(parses):
    story = "I read that IASTM works through the nerves rather than the tissue. What does that mean?"
    parses[story] = parse("ask_nervous_system", 0.54, story)
    parses["What does that mean?"] = parse("ask_more", 0.9, "")
    result = focused(parses, story)
    assert result["intent"]["name"] == "ask_nervous_system"
    assert FOCUS_KEY not in result


def test_a_question_after_a_change_of_subject_beats_the_remark_when_fairly_sure(parses):
    text = "traffic on I-10 is a nightmare today. Anyway, who actually does this treatment?"
    parses[text] = parse("ask_contact", 0.98, text)
    parses["who actually does this treatment?"] = parse(
        "ask_who_performs", 0.85, "who actually does this treatment?"
    )
    found = focused(parses, text)
    assert found["intent"]["name"] == "ask_who_performs"
    assert found[FOCUS_KEY] == "who actually does this treatment?"


def test_an_unsure_question_after_a_change_of_subject_leaves_the_whole_message(parses):
    text = "traffic on I-10 is a nightmare today. Anyway, who actually does this treatment?"
    parses[text] = parse("ask_contact", 0.98, text)
    parses["who actually does this treatment?"] = parse(
        "ask_who_performs", 0.4, "who actually does this treatment?"
    )
    assert focused(parses, text)["intent"]["name"] == "ask_contact"
