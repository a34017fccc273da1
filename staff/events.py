"""Read conversations straight from Rasa's SQL tracker store (SQLite or PostgreSQL), read-only.

Each user message becomes a `Turn` with what NLU made of it and what kind of reply it got (the
`type` of the reply's payload, docs/payload.md).
"""

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


@dataclass
class Turn:
    """One user message and the reply it got."""

    sender_id: str
    time: datetime
    text: str
    intent: str | None
    confidence: float | None
    reply_type: str | None = None  # the payload type of the first reply that had one
    topic: str | None = None


def database_url(endpoints: Path = ROOT / "endpoints.yml", environ: Mapping[str, str] = os.environ) -> str:
    """The SQLAlchemy URL of the tracker store that `endpoints` configures (${VARIABLES} expanded)."""
    text = re.sub(
        r"\$\{(\w+)\}", lambda match: environ.get(match.group(1), ""), endpoints.read_text(encoding="utf-8")
    )
    store = yaml.safe_load(text)["tracker_store"]
    dialect = store.get("dialect", "sqlite")
    if dialect == "sqlite":
        db = Path(store.get("db", "rasa.db"))
        return f"sqlite:///{db if db.is_absolute() else ROOT / db}"
    url = sa.engine.URL.create(
        dialect,
        username=store.get("username") or None,
        password=store.get("password") or None,
        host=store.get("url"),
        port=store.get("port"),
        database=store.get("db"),
    )
    return str(url)


def _turns_from(rows) -> list[Turn]:
    turns: list[Turn] = []
    for sender_id, type_name, timestamp, data in rows:
        event = json.loads(data or "{}")
        if type_name == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            when = datetime.fromtimestamp(timestamp or 0, tz=timezone.utc)
            turns.append(
                Turn(sender_id, when, event.get("text") or "", intent.get("name"), intent.get("confidence"))
            )
        elif type_name == "bot" and turns and turns[-1].sender_id == sender_id:
            payload = (event.get("data") or {}).get("custom") or {}
            if payload.get("type") and turns[-1].reply_type is None:
                turns[-1].reply_type, turns[-1].topic = payload["type"], payload.get("topic")
    return turns


def read_turns(
    url: str, since: datetime | None = None, until: datetime | None = None, sender_id: str | None = None
) -> list[Turn]:
    """Every user turn in [since, until), in order, with its reply type and topic."""
    query = sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data).where(
        EVENTS.c.type_name.in_(("user", "bot"))
    )
    if since:
        query = query.where(EVENTS.c.timestamp >= since.timestamp())
    if until:
        query = query.where(EVENTS.c.timestamp < until.timestamp())
    if sender_id:
        query = query.where(EVENTS.c.sender_id == sender_id)
    return _turns_from(event_rows(url, query.order_by(EVENTS.c.sender_id, EVENTS.c.id)))


def event_rows(url: str, query) -> list:
    """The rows `query` selects from the events table of the store at `url`; none when the store
    has no conversation yet (an SQLite file is never created)."""
    database = sa.engine.make_url(url)
    if database.get_backend_name() == "sqlite" and not Path(database.database or "").exists():
        return []
    engine = engine_of(url)
    if not sa.inspect(engine).has_table("events"):
        return []
    with engine.connect() as connection:
        return connection.execute(query).all()


@cache
def engine_of(url: str) -> sa.engine.Engine:
    """One engine (and connection pool) per store for the whole process: the widget polls for a
    person's replies every few seconds, and an engine per poll would reconnect each time."""
    return sa.create_engine(url, pool_pre_ping=True)
