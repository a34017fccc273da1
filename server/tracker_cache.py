"""A SQL tracker store that keeps each conversation's tracker in memory between messages:
`CachedSQLTrackerStore`, named by endpoints.yml (`type: server.tracker_cache.CachedSQLTrackerStore`),
so that `rasa run`, `rasa shell`, the tests and the benchmark all use it.

Rasa's SQLTrackerStore reads every event of the conversation and replays it into a new tracker on
every message: about 17% of the Rasa server's time under load (docs/performance.md). Here the
tracker saved last is kept (per process, least recently used first out) with what the database
held of the conversation when it matched the tracker: its number of events and its newest event id.
It is handed back while the database still holds exactly that (one indexed query) and the tracker
has not changed since. When a message failed before its tracker was saved, or retention deleted
the conversation, it is reloaded from the database as before.

When another server process answered in between, only the events it stored after the cached
tracker's newest are read and applied to it, as Rasa's reload would apply them (unless they start
a new session, or do not account for every new event: then it is reloaded). With several
processes, a conversation's messages land on any of them, so without this most messages reloaded
the whole conversation.

Saving a tracker handed back this way needs no count of the stored events either: the cache knows
it, so only the new events are inserted, in one statement. The save is a compare-and-swap: the
tracker stays cached only if, in the same transaction, the database holds the events it held
before plus exactly the new ones. Rasa's lock store keeps two messages of one conversation apart;
when a lock expired and two processes wrote one conversation at once (docs/deploy.md), the cached
tracker is dropped and the next message reloads what the database holds, never a stale tracker.
"""

import json
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

CACHED_CONVERSATIONS = 2000


class Stored(NamedTuple):
    """What the database holds of one conversation."""

    count: int
    newest_event_id: int | None


@dataclass
class _Entry:
    tracker: DialogueStateTracker
    stored: Stored  # when the tracker matched the database
    events: int  # the tracker's events then


def _cache(store: SQLTrackerStore) -> OrderedDict:
    return store.__dict__.setdefault("_tracker_cache", OrderedDict())


def _stored(connection: sa.engine.Connection, store: SQLTrackerStore, sender_id: str) -> Stored:
    query = store.__dict__.get("_stored_query")
    if query is None:  # built once: SQLAlchemy then finds it compiled in its cache
        events = store.SQLEvent
        query = sa.select(sa.func.count(events.id), sa.func.max(events.id)).where(
            events.sender_id == sa.bindparam("sender_id")
        )
        store.__dict__["_stored_query"] = query
    return Stored(*connection.execute(query, {"sender_id": sender_id}).one())


def _event_row(sender_id: str, event) -> dict:
    """The columns Rasa's SQLTrackerStore.save stores for `event`."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _insert_new_events(store: SQLTrackerStore, tracker: DialogueStateTracker, stored: int) -> Stored:
    """Insert the tracker's events after its first `stored` ones; return what the database then holds."""
    rows = [_event_row(tracker.sender_id, event) for event in islice(tracker.events, stored, None)]
    with store.engine.begin() as connection:
        if rows:
            connection.execute(store.SQLEvent.__table__.insert(), rows)
        return _stored(connection, store, tracker.sender_id)


def _remember(store: SQLTrackerStore, tracker: DialogueStateTracker | None, stored: Stored | None) -> None:
    """Keep `tracker` as matching `stored`; forget the conversation when `stored` is None."""
    cache = _cache(store)
    if tracker is None:
        return
    if stored is None or sum(isinstance(event, SessionStarted) for event in tracker.events) > 1:
        cache.pop(tracker.sender_id, None)  # unknown, or Rasa loads only the latest session: let it
        return
    cache[tracker.sender_id] = _Entry(tracker, stored, len(tracker.events))
    cache.move_to_end(tracker.sender_id)
    while len(cache) > CACHED_CONVERSATIONS:
        cache.popitem(last=False)


def _catch_up(connection: sa.engine.Connection, store: SQLTrackerStore, entry: _Entry, now: Stored) -> bool:
    """Apply the events stored after the cached tracker's newest; False if they do not make `now`."""
    before = entry.stored
    if before.newest_event_id is None or now.newest_event_id is None or now.count <= before.count:
        return False  # never stored, or deleted since: reload
    events = store.SQLEvent
    rows = connection.execute(
        sa.select(events.type_name, events.data)
        .where(
            events.sender_id == entry.tracker.sender_id,
            events.id > before.newest_event_id,
            events.id <= now.newest_event_id,
        )
        .order_by(events.id)
    ).all()
    if len(rows) != now.count - before.count:
        return False  # an event committed late, below the newest id: reload
    if any(row.type_name == SessionStarted.type_name for row in rows):
        return False  # Rasa loads only the latest session
    for event in deserialise_events([json.loads(row.data) for row in rows]):
        entry.tracker.update(event)
    _remember(store, entry.tracker, now)
    return True


class CachedSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore with the cache of the module docstring; configured like it."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """`SQLTrackerStore.retrieve`, answered from memory when the database has not moved on."""
        with self.engine.connect() as connection:
            now = _stored(connection, self, sender_id)
            entry = _cache(self).get(sender_id)
            if entry is not None and entry.events == len(entry.tracker.events):  # unchanged since stored
                if entry.stored == now:
                    _cache(self).move_to_end(sender_id)
                    return entry.tracker
                if _catch_up(connection, self, entry, now):
                    return entry.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            with self.engine.connect() as connection:  # written to during the reload: not known to match
                unchanged = _stored(connection, self, sender_id) == now
            _remember(self, tracker, now if unchanged else None)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """`SQLTrackerStore.save`, then keep the tracker for the next message if the database holds
        what it held before plus exactly the tracker's new events (compare-and-swap).

        A tracker this cache handed back (the same object) has its first `entry.events` events stored.
        """
        entry = _cache(self).get(tracker.sender_id)
        known = entry is not None and entry.tracker is tracker
        expected = entry.stored.count + len(tracker.events) - entry.events if known else len(tracker.events)
        if known and self.event_broker is None:
            now = _insert_new_events(self, tracker, entry.events)
        else:
            await super().save(tracker)
            with self.engine.connect() as connection:
                now = _stored(connection, self, tracker.sender_id)
        _remember(self, tracker, now if now.count == expected else None)
