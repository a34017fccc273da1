"""The staff inbox's view of the tracker store: who waits for a person, who took whom, the messages
visitors left, a conversation's history, and the messages pushed to a visitor (docs/front-desk.md).

Read-only, from the events Rasa stores (staff/events.py): a handoff's state is its slots
(`handoff_status`, `handoff_staff`, `visitor_message`, `visitor_contact`,
actions/handoff_actions.py) and its pause; a new session (after an hour's silence, domain.yml)
ends it, as it ends the pause; an emergency is a user message whose intent is `emergency`.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

import sqlalchemy as sa

from actions.handoff_actions import (
    CLAIMED,
    CONTACT_SLOT,
    HANDOFF_STAFF_SLOT,
    HANDOFF_STATUS_SLOT,
    MESSAGE_LEFT,
    MESSAGE_SLOT,
    PUSHED,
    WAITING,
)
from staff.events import EVENTS, event_rows

HANDOFF_SLOTS = (HANDOFF_STATUS_SLOT, HANDOFF_STAFF_SLOT, MESSAGE_SLOT, CONTACT_SLOT)
EMERGENCY_INTENT = "emergency"
SESSION = "session_started"
MAX_HISTORY = 200  # the latest messages of a conversation the inbox shows


@dataclass
class Handoff:
    """One conversation that asked for a person: its state now."""

    conversation: str
    status: str | None = None  # waiting, claimed, message_left, or None once handed back
    staff: str | None = None
    since: float = 0.0  # when it asked (the pause, or the message left)
    message: str | None = None
    contact: str | None = None
    emergency: bool = False  # an emergency since it asked
    questions: list[str] = field(default_factory=list)  # what the visitor asked the assistant

    def as_dict(self, now: float) -> dict:
        """JSON for the inbox, with how long it has waited."""
        return {
            "conversation": self.conversation,
            "channel": self.conversation.split(":", 1)[0],
            "status": self.status,
            "staff": self.staff,
            "since": datetime.fromtimestamp(self.since, tz=timezone.utc).isoformat(),
            "waiting_seconds": round(now - self.since) if self.status in (WAITING, CLAIMED) else None,
            "message": self.message,
            "contact": self.contact,
            "emergency": self.emergency,
            "questions": self.questions[-10:],
        }


def handoffs(url: str, since: float = 0.0) -> list[Handoff]:
    """Every conversation with a handoff event after `since` (a UNIX time), its state now; waiting
    first, then taken, then messages left, longest waiting first."""
    asked = (
        sa.select(EVENTS.c.sender_id)
        .where(EVENTS.c.type_name == "slot", EVENTS.c.timestamp >= since)
        .where(EVENTS.c.data.like(f'%"{HANDOFF_STATUS_SLOT}"%'))
        .distinct()
    )
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id.in_(asked), EVENTS.c.type_name.in_(("slot", "pause", "user", SESSION)))
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    found: dict[str, Handoff] = {}
    for sender, type_name, timestamp, data in event_rows(url, query):
        handoff = found.setdefault(sender, Handoff(sender))
        event = json.loads(data or "{}")
        _apply(handoff, type_name, timestamp or 0.0, event)
    order = {WAITING: 0, CLAIMED: 1, MESSAGE_LEFT: 2}
    listed = [h for h in found.values() if h.status in order]
    return sorted(listed, key=lambda h: (order[h.status], h.since if h.status != MESSAGE_LEFT else -h.since))


def _apply(handoff: Handoff, type_name: str, timestamp: float, event: dict) -> None:
    """One event's change to a handoff's state."""
    if type_name == SESSION and handoff.status in (WAITING, CLAIMED):
        handoff.status = handoff.staff = None
    elif type_name == "pause":
        handoff.since, handoff.emergency = timestamp, False
    elif type_name == "user":
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == EMERGENCY_INTENT and handoff.status in (WAITING, CLAIMED):
            handoff.emergency = True
        if event.get("text") and not str(event["text"]).startswith("/"):
            handoff.questions.append(event["text"])
    elif type_name == "slot" and event.get("name") in HANDOFF_SLOTS:
        name, value = event["name"], event.get("value")
        if name == HANDOFF_STATUS_SLOT:
            handoff.status = value
            if value == MESSAGE_LEFT:
                handoff.since = timestamp
        elif name == HANDOFF_STAFF_SLOT:
            handoff.staff = value
        elif name == MESSAGE_SLOT and value:
            handoff.message = value
        elif name == CONTACT_SLOT and value:
            handoff.contact = value


def history(url: str, conversation: str) -> list[dict]:
    """The conversation's latest messages: who said it (visitor, assistant or a staff member's name),
    the text and when."""
    query = (
        sa.select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation, EVENTS.c.type_name.in_(("user", "bot")))
        .order_by(EVENTS.c.id.desc())
        .limit(MAX_HISTORY)
    )
    messages = []
    for _id, type_name, timestamp, data in reversed(event_rows(url, query)):
        event = json.loads(data or "{}")
        staff = (event.get("metadata") or {}).get("staff")
        who = "visitor" if type_name == "user" else staff or "assistant"
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        messages.append(
            {
                "from": who,
                "staff": bool(staff) and type_name == "bot",
                "text": event.get("text") or "",
                "time": datetime.fromtimestamp(timestamp or 0, tz=timezone.utc).isoformat(),
                "emergency": intent == EMERGENCY_INTENT,
            }
        )
    return messages


def pushed(url: str, conversation: str, after: int) -> list[dict]:
    """The messages pushed to the visitor (staff replies, joins, hand-backs, a message offer) with an
    event id after `after`, oldest first, each with its id: the widget's cursor."""
    query = (
        sa.select(EVENTS.c.id, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation, EVENTS.c.type_name == "bot", EVENTS.c.id > after)
        .where(EVENTS.c.data.like(f'%"{PUSHED}"%'))
        .order_by(EVENTS.c.id)
    )
    messages = []
    for event_id, data in event_rows(url, query):
        event = json.loads(data or "{}")
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get(PUSHED):
            messages.append({"id": event_id, "text": event.get("text") or "", "custom": custom})
    return messages


def handoff_of(url: str, conversation: str) -> str | None:
    """The conversation's handoff status now (waiting, claimed, message_left) or None (also after a
    new session began)."""
    query = (
        sa.select(EVENTS.c.type_name, EVENTS.c.data)
        .where(EVENTS.c.sender_id == conversation)
        .where(
            sa.or_(
                EVENTS.c.type_name == SESSION,
                sa.and_(EVENTS.c.type_name == "slot", EVENTS.c.data.like(f'%"{HANDOFF_STATUS_SLOT}"%')),
            )
        )
        .order_by(EVENTS.c.id.desc())
        .limit(1)
    )
    rows = event_rows(url, query)
    if not rows or rows[0][0] == SESSION:
        return None
    return json.loads(rows[0][1] or "{}").get("value")


# What happened to handoffs, as the report names it: a slot value or a payload's status/event.
OUTCOMES = {
    WAITING: "asked for a person in opening hours",
    CLAIMED: "taken by someone at the front desk",
    "utter_handoff_no_one_free": "nobody free in time: offered to leave a message",
    "closed": "asked outside opening hours: offered to leave a message",
    MESSAGE_LEFT: "messages left with a way to reach the visitor",
}


def handoff_outcomes(url: str, since: float, until: float) -> Counter:
    """How many handoffs had each outcome of OUTCOMES in [since, until) (UNIX times)."""
    query = (
        sa.select(EVENTS.c.type_name, EVENTS.c.data)
        .where(
            EVENTS.c.type_name.in_(("slot", "bot")), EVENTS.c.timestamp >= since, EVENTS.c.timestamp < until
        )
        .where(
            sa.or_(
                EVENTS.c.data.like(f'%"{HANDOFF_STATUS_SLOT}"%'),
                EVENTS.c.data.like('%"handoff"%'),
                EVENTS.c.data.like("%utter_handoff_no_one_free%"),
            )
        )
    )
    counts: Counter = Counter()
    for type_name, data in event_rows(url, query):
        event = json.loads(data or "{}")
        if (
            type_name == "slot"
            and event.get("name") == HANDOFF_STATUS_SLOT
            and event.get("value") in OUTCOMES
        ):
            counts[event["value"]] += 1
        elif type_name == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            outcome = custom.get("event") if custom.get(PUSHED) else custom.get("status")
            if outcome in ("utter_handoff_no_one_free", "closed"):
                counts[outcome] += 1
    return counts
