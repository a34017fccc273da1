"""The tracker cache hands back a conversation only while the database still holds exactly it."""

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from server.lock_store import RedisLockStore
from server.processes import ROOT
from server.tracker_cache import CachedSQLTrackerStore

SENDER = "cache-test-sender"


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "trackers.db")


def store_on(database: str) -> CachedSQLTrackerStore:
    """A tracker store on the SQLite file; two of them stand for two server processes."""
    return CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=database)


def turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered(f"you said {text}"))
    tracker.update(ActionExecuted("action_listen"))


def new_session(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, text)


def new_tracker() -> DialogueStateTracker:
    return DialogueStateTracker.from_events(SENDER, [ActionExecuted("action_listen")])


def texts(tracker: DialogueStateTracker) -> list[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_a_saved_conversation_comes_back_from_memory(database):
    store = store_on(database)
    tracker = new_tracker()
    turn(tracker, "hello")
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve(SENDER))
    assert again is tracker
    assert texts(again) == ["hello"]


def answered_elsewhere(database: str, answer) -> tuple[CachedSQLTrackerStore, DialogueStateTracker]:
    """A conversation saved by one process, then `answer`ed and saved by another: the first's store
    and tracker."""
    first, second = store_on(database), store_on(database)
    tracker = new_tracker()
    turn(tracker, "hello")
    asyncio.run(first.save(tracker))
    elsewhere = asyncio.run(second.retrieve(SENDER))
    answer(elsewhere)
    asyncio.run(second.save(elsewhere))
    return first, tracker


def test_a_conversation_moved_on_by_another_process_comes_back_as_it_now_stands(database):
    first, _ = answered_elsewhere(database, lambda elsewhere: turn(elsewhere, "is it painful"))
    assert texts(asyncio.run(first.retrieve(SENDER))) == ["hello", "is it painful"]


def test_a_tracker_changed_but_never_saved_is_not_handed_back(database):
    store = store_on(database)
    tracker = new_tracker()
    turn(tracker, "hello")
    asyncio.run(store.save(tracker))
    turn(tracker, "a message whose handling failed before the save")
    again = asyncio.run(store.retrieve(SENDER))
    assert again is not tracker
    assert texts(again) == ["hello"]


def test_an_unknown_conversation_is_none(database):
    assert asyncio.run(store_on(database).retrieve("nobody-here")) is None


def test_a_tracker_holding_two_sessions_is_reloaded_with_the_latest_only(database):
    store = store_on(database)
    tracker = DialogueStateTracker.from_events(SENDER, [SessionStarted(), ActionExecuted("action_listen")])
    turn(tracker, "hello")
    new_session(tracker, "again")
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve(SENDER))
    assert again is not tracker
    assert texts(again) == ["again"]


def stored_rows(database: str) -> list[tuple]:
    """Every stored event's columns but its id, in order."""
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


def test_a_conversation_handed_back_is_stored_as_rasa_stores_it(tmp_path, monkeypatch):
    cached, plain = str(tmp_path / "cached.db"), str(tmp_path / "plain.db")
    store, rasa_store = store_on(cached), store_on(plain)
    tracker = new_tracker()
    turn(tracker, "hello")
    asyncio.run(store.save(tracker))
    asyncio.run(rasa_store.save(tracker))

    def counted(*args):
        raise AssertionError("a tracker the cache handed back needs no count of stored events")

    for text in ("is it painful", "does it bruise"):
        again = asyncio.run(store.retrieve(SENDER))
        assert again is tracker
        turn(again, text)
        with monkeypatch.context() as patched:
            patched.setattr(SQLTrackerStore, "_additional_events", counted)
            asyncio.run(store.save(again))
        asyncio.run(rasa_store.save(again))
    assert stored_rows(cached) == stored_rows(plain)
    reloaded = asyncio.run(store_on(cached).retrieve(SENDER))
    assert [event.as_dict() for event in reloaded.events] == [event.as_dict() for event in tracker.events]


def test_a_conversation_saved_fast_is_then_loaded_by_another_process(database):
    first, second = store_on(database), store_on(database)
    tracker = new_tracker()
    turn(tracker, "hello")
    asyncio.run(first.save(tracker))
    turn(asyncio.run(first.retrieve(SENDER)), "is it painful")
    asyncio.run(first.save(tracker))
    elsewhere = asyncio.run(second.retrieve(SENDER))
    assert elsewhere is not tracker
    assert texts(elsewhere) == ["hello", "is it painful"]


def test_a_conversation_moved_on_elsewhere_is_caught_up_to_what_a_reload_gives(database):
    domain = Domain.from_dict({"slots": {"last_topic": {"type": "text", "mappings": [{"type": "custom"}]}}})
    first, second = (CachedSQLTrackerStore(domain, dialect="sqlite", db=database) for _ in range(2))
    tracker = DialogueStateTracker.from_events(SENDER, [ActionExecuted("action_listen")], slots=domain.slots)
    turn(tracker, "hello")
    asyncio.run(first.save(tracker))
    elsewhere = asyncio.run(second.retrieve(SENDER))
    turn(elsewhere, "is it painful")
    elsewhere.update(SlotSet("last_topic", "painful"))
    asyncio.run(second.save(elsewhere))
    caught_up = asyncio.run(first.retrieve(SENDER))
    reloaded = asyncio.run(SQLTrackerStore(domain, dialect="sqlite", db=database).retrieve(SENDER))
    assert caught_up is tracker  # the new events were applied to the cached tracker
    assert [event.as_dict() for event in caught_up.events] == [event.as_dict() for event in reloaded.events]
    assert caught_up.current_slot_values() == reloaded.current_slot_values()
    assert caught_up.get_slot("last_topic") == "painful"
    turn(caught_up, "does it bruise")
    asyncio.run(first.save(caught_up))
    stored = asyncio.run(store_on(database).retrieve(SENDER))
    assert texts(stored) == ["hello", "is it painful", "does it bruise"]


def test_a_new_session_started_elsewhere_is_reloaded(database):
    first, tracker = answered_elsewhere(database, lambda elsewhere: new_session(elsewhere, "again"))
    again = asyncio.run(first.retrieve(SENDER))
    assert again is not tracker
    assert texts(again) == ["again"]


def test_the_endpoints_name_the_cached_store_and_rasa_builds_it(tmp_path):
    """Rasa falls back to an in-memory store, with a warning only, when it cannot import the class
    endpoints.yml names: the project's endpoints must build this class."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    config.kwargs["db"] = str(tmp_path / "tracker.db")
    store = TrackerStore.create(config, Domain.empty())
    assert isinstance(getattr(store, "_tracker_store", store), CachedSQLTrackerStore)


def test_a_save_after_another_wrote_drops_the_cached_tracker(database):
    """Two processes with one conversation at once (its lock expired): the tracker saved second
    lacks the first one's events, so it is not handed back as current (compare-and-swap)."""
    first, tracker = answered_elsewhere(database, lambda elsewhere: turn(elsewhere, "is it painful"))
    # `first` still holds its tracker from before the other process answered
    turn(tracker, "does it bruise")
    asyncio.run(first.save(tracker))
    again = asyncio.run(first.retrieve(SENDER))
    assert again is not tracker
    assert texts(again) == ["hello", "is it painful", "does it bruise"]


# Another server process: takes the conversation's lock, answers one message and saves it.
OTHER_PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig
    from server.lock_store import RedisLockStore
    from server.tracker_cache import CachedSQLTrackerStore
    from tests.test_tracker_cache import SENDER, turn

    async def answer():
        locks = RedisLockStore(EndpointConfig("127.0.0.1", port=6379, key_prefix="cachetest"))
        async with locks.lock(SENDER, lock_lifetime=30, wait_time_in_seconds=0.05):
            store = CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
            tracker = await store.retrieve(SENDER)
            turn(tracker, "is it painful")
            await store.save(tracker)

    asyncio.run(answer())
    """
)


@pytest.mark.integration
async def test_two_processes_with_an_expired_lock_leave_no_stale_tracker(database):
    """A turn outlives its lock; another process (Redis lock store, as in production) answers the
    next message meanwhile; the slow turn then saves: every process reads what the database holds."""
    locks = RedisLockStore(EndpointConfig("127.0.0.1", port=6379, key_prefix="cachetest"))
    locks.delete_lock(SENDER)
    store = store_on(database)
    tracker = new_tracker()
    turn(tracker, "hello")
    await store.save(tracker)
    async with locks.lock(SENDER, lock_lifetime=0.3, wait_time_in_seconds=0.05):
        slow = await store.retrieve(SENDER)
        time.sleep(0.4)  # the lock expires during this slow turn
        subprocess.run([sys.executable, "-c", OTHER_PROCESS, database], cwd=ROOT, check=True, timeout=120)
        turn(slow, "does it bruise")
        await store.save(slow)
    reloaded = await SQLTrackerStore(Domain.empty(), dialect="sqlite", db=database).retrieve(SENDER)
    assert texts(reloaded) == ["hello", "is it painful", "does it bruise"]
    for process_store in (store, store_on(database)):
        assert [event.as_dict() for event in (await process_store.retrieve(SENDER)).events] == [
            event.as_dict() for event in reloaded.events
        ]
