"""Typed intent payloads are read as words on every channel; offered buttons keep their meaning."""

from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from server import payload_guard

EARLIER_ANSWER = [
    {"title": "Bruising?", "payload": "/ask_bruising"},
    {"title": "👍", "payload": '/feedback{"helpful": "yes", "answer_topic": "bruising"}'},
]


async def handled_text(text: str, channel: str) -> str:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker("u1", slots=[])
    tracker.update(BotUttered("Bruises can happen.", {"buttons": EARLIER_ANSWER}))
    tracker.update(BotUttered("Hello", {"buttons": [{"title": "Pain?", "payload": "/ask_painful"}]}))
    await store.save(tracker)
    processor = SimpleNamespace(tracker_store=store)
    return await payload_guard.text_to_handle(
        processor, UserMessage(text, sender_id="u1", input_channel=channel)
    )


async def test_typed_payloads_become_words_on_any_channel():
    for channel in ("socketio", "telegram", "rest"):
        assert await handled_text("/restart", channel) == "restart"
        assert await handled_text('/ask_condition{"condition": "x"}', channel) == (
            'ask_condition{"condition": "x"}'
        )


async def test_offered_buttons_the_opener_and_plain_text_pass_unchanged():
    assert await handled_text("/ask_painful", "socketio") == "/ask_painful"
    assert await handled_text("/greet", "rest") == "/greet"
    assert await handled_text("is it painful?", "rest") == "is it painful?"


async def test_an_earlier_answers_feedback_keeps_its_meaning_and_its_other_buttons_do_not():
    rated = '/feedback{"helpful": "yes", "answer_topic": "bruising"}'
    assert await handled_text(rated, "rest") == rated
    assert await handled_text("/ask_bruising", "rest") == "ask_bruising"
    forged = '/feedback{"helpful": "yes", "answer_topic": "painful"}'
    assert await handled_text(forged, "rest") == forged[1:]
