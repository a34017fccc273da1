"""Typed intent payloads are read as words on every channel; offered buttons keep their meaning."""

from types import SimpleNamespace

from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from server import payload_guard


async def handled_text(monkeypatch, text: str, channel: str) -> str:
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker("u1", slots=[])
    tracker.update(BotUttered("Hello", {"buttons": [{"title": "Pain?", "payload": "/ask_painful"}]}))
    await store.save(tracker)
    seen = []

    async def handle(processor, message):
        seen.append(message.text)

    monkeypatch.setattr(payload_guard, "_handle_message", handle)
    processor = SimpleNamespace(tracker_store=store)
    await payload_guard.handle_message_reading_typed_payloads_as_words(
        processor, UserMessage(text, sender_id="u1", input_channel=channel)
    )
    return seen[0]


async def test_typed_payloads_become_words_on_any_channel(monkeypatch):
    for channel in ("socketio", "telegram", "rest"):
        assert await handled_text(monkeypatch, "/restart", channel) == "restart"
        assert await handled_text(monkeypatch, '/ask_condition{"condition": "x"}', channel) == (
            'ask_condition{"condition": "x"}'
        )


async def test_offered_buttons_the_opener_and_plain_text_pass_unchanged(monkeypatch):
    assert await handled_text(monkeypatch, "/ask_painful", "socketio") == "/ask_painful"
    assert await handled_text(monkeypatch, "/greet", "rest") == "/greet"
    assert await handled_text(monkeypatch, "is it painful?", "rest") == "is it painful?"
