"""The SQL tracker store keeps each conversation's tracker in memory between messages.

Rasa's SQLTrackerStore reads every event of the conversation and replays it into a new tracker on
every message: about 17% of the Rasa server's time under load (docs/performance.md). Here the
tracker saved last is kept (per process, least recently used first out) and handed back when the
database still holds exactly its events: the same number since the session started and the same
latest timestamp, checked with one small query. Anything else (another server process answered in
between, or a message failed before its tracker was saved) reloads it from the database as before.
"""

from collections import OrderedDict

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

CACHED_CONVERSATIONS = 2000
_retrieve = SQLTrackerStore.retrieve
_save = SQLTrackerStore.save


def _cache(store: SQLTrackerStore) -> OrderedDict:
    return store.__dict__.setdefault("_tracker_cache", OrderedDict())


def _remember(store: SQLTrackerStore, tracker: DialogueStateTracker | None) -> None:
    if tracker is None:
        return
    cache = _cache(store)
    cache[tracker.sender_id] = tracker
    cache.move_to_end(tracker.sender_id)
    while len(cache) > CACHED_CONVERSATIONS:
        cache.popitem(last=False)


def _is_current(store: SQLTrackerStore, tracker: DialogueStateTracker) -> bool:
    """Whether the database holds exactly the tracker's events of its latest session."""
    if not tracker.events:
        return False
    with store.session_scope() as session:
        query = store._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
        count, last = (
            query.order_by(None)
            .with_entities(sa.func.count(store.SQLEvent.id), sa.func.max(store.SQLEvent.timestamp))
            .one()
        )
    return count == len(tracker.events) and last == max(event.timestamp for event in tracker.events)


async def retrieve_cached(self: SQLTrackerStore, sender_id: str) -> DialogueStateTracker | None:
    """`SQLTrackerStore.retrieve`, answered from memory when the database has not moved on."""
    cached = _cache(self).get(sender_id)
    if cached is not None and _is_current(self, cached):
        _cache(self).move_to_end(sender_id)
        return cached
    tracker = await _retrieve(self, sender_id)
    _remember(self, tracker)
    return tracker


async def save_and_cache(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """`SQLTrackerStore.save`, then keep the tracker for the next message."""
    await _save(self, tracker)
    _remember(self, tracker)


def apply_tracker_cache() -> None:
    """Install the cache; call before the Rasa server starts."""
    SQLTrackerStore.retrieve = retrieve_cached
    SQLTrackerStore.save = save_and_cache
