"""A reply that is just a number picks that option of the bot's last message (SMS has no buttons)."""

import re
from collections.abc import Iterable

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import BotUttered, Event

_NUMBER = re.compile(r"\s*(\d+)\s*[.)]?\s*")


def last_buttons(events: Iterable[Event]) -> list[dict]:
    """The buttons of the last bot message (none if it had none)."""
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            return event.data.get("buttons") or []
    return []


async def resolve_number(tracker_store: TrackerStore, sender_id: str, text: str | None) -> str | None:
    """The payload of option `text` of the last bot message, or `text` itself if it is not such a number."""
    match = _NUMBER.fullmatch(text or "")
    if not match:
        return text
    tracker = await tracker_store.retrieve(sender_id)
    buttons = last_buttons(tracker.events) if tracker else []
    number = int(match.group(1))
    return buttons[number - 1]["payload"] if 1 <= number <= len(buttons) else text
