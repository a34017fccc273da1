"""A message of several questions is handled as its questions, one after another, when each reads surely."""

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain

from server.processor import AssistantProcessor
from server.two_questions import question_parts


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Does it hurt, and will I be left with bruises?", ["Does it hurt", "will I be left with bruises?"]),
        ("Is it painful? Does it help tinnitus?", ["Is it painful?", "Does it help tinnitus?"]),
        (
            "Does it hurt, and am I going to walk out covered in bruises?",
            ["Does it hurt", "am I going to walk out covered in bruises?"],
        ),
        (
            "was it invented by Graston? were the tools metal?",
            ["was it invented by Graston?", "were the tools metal?"],
        ),
        ("what is iastm and also how does it work", ["what is iastm", "how does it work"]),
        ("is it safe; how long does it take?", ["is it safe", "how long does it take?"]),
        ("tell me more and which study says so?", ["tell me more", "which study says so?"]),
        ("How does it work? And is it safe?", ["How does it work?", "is it safe?"]),
        (
            "hey, does it hurt? and how long do sessions last?",
            ["does it hurt?", "how long do sessions last?"],
        ),
        (
            "what is it? how does it work? is it safe? does it bruise?",
            ["what is it?", "how does it work?", "is it safe?", "does it bruise?"],
        ),
    ],
)
def test_questions_of_a_message_made_of_questions(text, parts):
    assert question_parts(text) == parts


@pytest.mark.parametrize(
    "text",
    [
        "is iastm painful?",
        "is it safe and effective?",  # "effective?" asks nothing on its own
        "and is that safe?",
        "My physio uses it on my knee. Is it safe? Will it bruise?",  # a story: question focus instead
        "is it safe? does it hurt? will it bruise? who invented it? what is it?",  # more than four
        "hey, so is it safe",
        '/ask_condition{"condition": "sprain and strain"}',
    ],
)
def test_other_messages_are_read_whole(text):
    assert question_parts(text) == []


class FakeProcessor(AssistantProcessor):
    """The assistant's processor over a stand-in NLU that parses by a table (anything else: unsure
    fallback); records what it handled."""

    def __init__(self, intents: dict[str, tuple[str, float]]):
        self.intents = intents
        self.handled = []
        self.tracker_store = InMemoryTrackerStore(Domain.empty())

    async def parse_message(self, message, tracker=None, only_output_properties=True):
        name, confidence = self.intents.get(message.text, ("nlu_fallback", 0.3))
        return {"intent": {"name": name, "confidence": confidence}, "intent_ranking": []}


@pytest.fixture
def handled(monkeypatch):
    """Stand-in for Rasa's handle_message: replies with the text it was given."""

    async def fake_handle(processor, message):
        processor.handled.append((message.text, message.message_id))
        await message.output_channel.send_text_message(message.sender_id, "reply to " + message.text)
        return message.output_channel.messages

    monkeypatch.setattr(MessageProcessor, "handle_message", fake_handle)


TWO = "Does it hurt, and will I be left with bruises?"


def handle(processor: FakeProcessor, text: str) -> list:
    message = UserMessage(text, CollectingOutputChannel(), sender_id="s1", message_id="m1")
    return asyncio.run(processor.handle_message(message))


def test_each_sure_question_is_handled_in_turn_and_all_replies_return(handled):
    processor = FakeProcessor(
        {
            TWO: ("ask_painful", 0.7),
            "Does it hurt": ("ask_painful", 0.99),
            "will I be left with bruises?": ("ask_bruising", 0.95),
        }
    )
    replies = handle(processor, TWO)
    assert processor.handled == [("Does it hurt", "m1-0"), ("will I be left with bruises?", "m1-1")]
    assert [reply["text"] for reply in replies] == [
        "reply to Does it hurt",
        "reply to will I be left with bruises?",
    ]


@pytest.mark.parametrize(
    "intents",
    [
        {
            "Does it hurt": ("ask_painful", 0.99),
            "will I be left with bruises?": ("ask_bruising", 0.6),
        },  # unsure
        {
            "Does it hurt": ("ask_painful", 0.99),
            "will I be left with bruises?": ("ask_painful", 0.9),
        },  # the same
        {"Does it hurt": ("ask_painful", 0.99), "will I be left with bruises?": ("emergency", 0.99)},
        {
            TWO: ("emergency", 0.5),
            "Does it hurt": ("ask_painful", 0.99),
            "will I be left with bruises?": ("ask_bruising", 0.99),
        },
    ],
)
def test_the_message_is_handled_whole_unless_every_part_is_a_sure_different_question(handled, intents):
    processor = FakeProcessor(intents)
    handle(processor, TWO)
    assert processor.handled == [(TWO, "m1")]


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        (  # a part pointing back at a study asks about it
            "What did the Kim review find, and what was it looking at?",
            {
                "What did the Kim review find": ("ask_study", 0.99),
                "what was it looking at?": ("ask_tools", 0.95),
            },
        ),
        (  # ... or at its author
            "what's the deal with Schleip 2016? what did he say about fascia",
            {
                "what's the deal with Schleip 2016?": ("ask_study", 0.99),
                "what did he say about fascia": ("ask_fascia_evidence", 0.95),
            },
        ),
        (  # a follow-up with a part pointing back asks about the last answer
            "Where does that come from? What research backs it up?",
            {
                "Where does that come from?": ("ask_source", 0.99),
                "What research backs it up?": ("ask_effectiveness", 0.9),
            },
        ),
        (  # a general "is it safe?" beside a personal-safety part is personal too
            "do you do this on people with pacemakers? is it safe",
            {
                "do you do this on people with pacemakers?": ("ask_personal_safety", 0.95),
                "is it safe": ("ask_safety", 0.99),
            },
        ),
    ],
)
def test_parts_that_belong_together_keep_the_message_whole(handled, text, intents):
    processor = FakeProcessor(intents)
    handle(processor, text)
    assert processor.handled == [(text, "m1")]


def test_a_typed_payload_is_read_as_words_and_handled_whole(handled):
    processor = FakeProcessor(
        {"is it painful?": ("ask_painful", 0.99), "does it bruise?": ("ask_bruising", 0.99)}
    )
    handle(processor, "/is it painful? does it bruise?")
    assert processor.handled == [("is it painful? does it bruise?", "m1")]
