"""The SQL tracker store keeps each conversation's tracker in memory between messages.

Rasa's SQLTrackerStore reads every event of the conversation and replays it into a new tracker on
every message: about 17% of the Rasa server's time under load (docs/performance.md). Here the
tracker saved last is kept (per process, least recently used first out) with the id of the
conversation's newest stored event, and handed back while that id is still the newest (one
indexed query) and the tracker has not changed since. Anything else (another server process
answered in between, a message failed before its tracker was saved, retention deleted the
conversation) reloads it from the database as before. Rasa's lock store keeps two messages of one
conversation from being handled at once, so no other process writes between a save and its id.
"""

from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

CACHED_CONVERSATIONS = 2000
_retrieve = SQLTrackerStore.retrieve
_save = SQLTrackerStore.save


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    newest_event_id: int | None  # in the database when the tracker was saved or loaded
    events: int  # the tracker's events then


def _cache(store: SQLTrackerStore) -> OrderedDict:
    return store.__dict__.setdefault("_tracker_cache", OrderedDict())


def _newest_event_id(store: SQLTrackerStore, sender_id: str) -> int | None:
    query = sa.select(sa.func.max(store.SQLEvent.id)).where(store.SQLEvent.sender_id == sender_id)
    with store.session_scope() as session:
        return session.execute(query).scalar()


def _remember(
    store: SQLTrackerStore, tracker: DialogueStateTracker | None, newest_event_id: int | None
) -> None:
    cache = _cache(store)
    if tracker is None:
        return
    if sum(isinstance(event, SessionStarted) for event in tracker.events) > 1:
        cache.pop(tracker.sender_id, None)  # Rasa loads only the latest session: let it
        return
    cache[tracker.sender_id] = _Entry(tracker, newest_event_id, len(tracker.events))
    cache.move_to_end(tracker.sender_id)
    while len(cache) > CACHED_CONVERSATIONS:
        cache.popitem(last=False)


async def retrieve_cached(self: SQLTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    """`SQLTrackerStore.retrieve`, answered from memory when the database has not moved on."""
    newest = _newest_event_id(self, sender_id)
    entry = _cache(self).get(sender_id)
    if entry and entry.newest_event_id == newest and entry.events == len(entry.tracker.events):
        _cache(self).move_to_end(sender_id)
        return entry.tracker
    tracker = await _retrieve(self, sender_id)  # read after the id: anything newer makes it stale
    _remember(self, tracker, newest)
    return tracker


async def save_and_cache(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """`SQLTrackerStore.save`, then keep the tracker for the next message."""
    await _save(self, tracker)
    _remember(self, tracker, _newest_event_id(self, tracker.sender_id))


def apply_tracker_cache() -> None:
    """Install the cache; call before the Rasa server starts."""
    SQLTrackerStore.retrieve = retrieve_cached
    SQLTrackerStore.save = save_and_cache
