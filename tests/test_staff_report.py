"""The unanswered-questions report counts a seeded set of conversations right, on SQLite and PostgreSQL.

Conversations are written by Rasa's own SQLTrackerStore, so the report reads the real schema.
"""

import asyncio
import uuid
from datetime import datetime, timezone

import psycopg2
import pytest
from aiohttp.test_utils import TestClient, TestServer
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from staff.events import read_turns
from staff.report import as_text, conversation_label, load_report, mask, period
from web.app import create_app

NOV = datetime(2026, 11, 1, tzinfo=timezone.utc)
DEC = datetime(2026, 12, 1, tzinfo=timezone.utc)

# (sender, day of November (0 = October 20, outside the period), question, intent, reply type, topic)
SEEDED = [
    ("web-a", 2, "how much does a session cost?", "out_of_scope", "no_answer", None),
    ("web-a", 2, "is it painful", "ask_painful", "answer", "painful"),
    ("web-b", 5, "How much does one session cost", "out_of_scope", "no_answer", None),
    (
        "web-c",
        9,
        "how much does a session cost? mail me at jo@example.com",
        "out_of_scope",
        "no_answer",
        None,
    ),
    ("web-c", 9, "does it hurt?", "ask_painful", "answer", "painful"),
    ("whatsapp:+15551234567", 12, "can i do it at home myself", "out_of_scope", "no_answer", None),
    ("web-d", 14, "blorp the fascia zigzag", "nlu_fallback", "did_you_mean", None),
    ("web-d", 14, "what about bruises", "ask_bruising", "answer", "bruising"),
    ("web-e", 20, "is it painful?", "ask_painful", "answer", "painful"),
    ("staff:1234", 20, "how much does a session cost?", "out_of_scope", "no_answer", None),
    ("web-f", 0, "how much does a session cost?", "out_of_scope", "no_answer", None),
]


async def seed(store: SQLTrackerStore) -> None:
    trackers: dict[str, DialogueStateTracker] = {}
    for sender, day, text, intent, reply_type, topic in SEEDED:
        when = (
            datetime(2026, 11, day, 10, tzinfo=timezone.utc)
            if day
            else datetime(2026, 10, 20, tzinfo=timezone.utc)
        )
        tracker = trackers.setdefault(sender, DialogueStateTracker(sender, slots=[]))
        tracker.update(
            UserUttered(text, {"name": intent, "confidence": 0.9}, timestamp=when.timestamp()),
        )
        tracker.update(
            BotUttered(
                "a reply", {"custom": {"type": reply_type, "topic": topic}}, timestamp=when.timestamp() + 1
            )
        )
    for tracker in trackers.values():
        await store.save(tracker)


def check_report(url: str) -> None:
    report = load_report(url, NOV, DEC)
    assert report.questions == 9  # the staff lookup and the October question are left out
    assert [group.count for group in report.groups] == [3, 1, 1]  # most asked first
    cost, nonsense, home = report.groups  # then alphabetical
    assert cost.count == 3 and cost.question == "how much does a session cost?"
    assert (cost.first.day, cost.last.day) == (2, 9)
    assert cost.conversations == {conversation_label(s) for s in ("web-a", "web-b", "web-c")}
    assert home.count == 1 and conversation_label("whatsapp:+15551234567") in home.conversations
    assert nonsense.reply_types == {"low confidence: did you mean": 1}
    assert report.top_topics == [("painful", 3), ("bruising", 1)]
    shown = as_text(report)
    assert "+15551234567" not in shown and "jo@example.com" not in shown and "web-a" not in shown


async def test_the_report_on_sqlite(tmp_path):
    db = tmp_path / "tracker.db"
    await seed(SQLTrackerStore(dialect="sqlite", db=str(db)))
    check_report(f"sqlite:///{db}")


@pytest.fixture
def postgres_database():
    name = "iastm_report_" + uuid.uuid4().hex[:8]
    try:
        admin = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    except psycopg2.OperationalError:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    yield name
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


async def test_the_report_on_postgresql(postgres_database):
    store = SQLTrackerStore(
        dialect="postgresql", host="127.0.0.1", port=5432, username="postgres", db=postgres_database
    )
    await seed(store)
    store.engine.dispose()
    check_report(f"postgresql://postgres@127.0.0.1:5432/{postgres_database}")


def test_an_empty_or_missing_store_gives_an_empty_report(tmp_path):
    report = load_report(f"sqlite:///{tmp_path / 'never-created.db'}", NOV, DEC)
    assert report.questions == 0 and report.groups == [] and not (tmp_path / "never-created.db").exists()


def test_personal_details_are_masked():
    assert mask("call me on +1 (555) 123-4567 or jo.doe@mail.com, see www.x.com") == (
        "call me on [number] or [e-mail], see [link]"
    )
    assert mask("is it ok after 3 sessions?") == "is it ok after 3 sessions?"


def test_the_period_defaults_to_the_last_month_and_takes_dates():
    since, until = period("2026-11-01", "2026-12-01")
    assert (since, until) == (NOV, DEC)
    since, until = period(None, None)
    assert 30 <= (until - since).days <= 31
    with pytest.raises(ValueError):
        period("yesterday", None)


async def test_the_website_server_deletes_old_conversations_at_start_and_keeps_recent_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db"))
    old = DialogueStateTracker("web:old", slots=[])
    old.update(UserUttered("an old question", {"name": "greet"}, timestamp=1_000_000.0))
    recent = DialogueStateTracker("web:new", slots=[])
    recent.update(UserUttered("a new question", {"name": "greet"}))
    for tracker in (old, recent):
        await store.save(tracker)
    client = TestClient(TestServer(create_app("http://127.0.0.1:9", url, retention_days=30)))
    await client.start_server()
    try:
        for _ in range(100):  # the pruning runs in the background as the server starts
            if not read_turns(url, sender_id="web:old"):
                break
            await asyncio.sleep(0.05)
        assert not read_turns(url, sender_id="web:old") and read_turns(url, sender_id="web:new")
    finally:
        await client.close()
