"""Handing a conversation to the front desk, piece by piece: opening hours, the handoff actions, the
message form's checks, the staff channel's rules, the inbox's reading of the tracker store, and the
processor answering an emergency in a paused conversation. End to end: tests/test_handoff_conversation.py."""

import asyncio
import json
import time
from datetime import datetime, timezone

import pytest
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import ConversationPaused as SdkPaused
from rasa_sdk.events import FollowupAction

import actions.handoff_actions as handoff_actions
from actions.clinic import clinic_from
from actions.feedback_actions import ActionFeedback
from actions.handoff_actions import (
    ActionHandoff,
    ActionHandoffMessageSaved,
    ValidateHandoffMessageForm,
    contact_of,
)
from actions.opening_hours import OpeningHours, describe, parse_hours
from actions.replies import follow_up_buttons
from channels.staff import plan, staff_token_ok
from server.processor import AssistantProcessor
from staff import inbox
from staff.retention import prune_older_than

DOMAIN = Domain.load("domain.yml")
UTC = timezone.utc
# Monday 30 November 2026, 15:30 UTC = 8:30 in El Paso (Mountain Time)
MONDAY_MORNING = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)  # Saturday 22:00 in El Paso
WEEKDAYS = OpeningHours.read("America/Denver", "Mon-Fri 08:00-18:00, Sat 09:00-13:00")


def test_the_front_desk_is_in_during_its_hours_in_the_clinics_time_zone():
    assert WEEKDAYS.is_open(MONDAY_MORNING)
    assert not WEEKDAYS.is_open(datetime(2026, 11, 30, 14, 59, tzinfo=UTC))  # 7:59 in El Paso
    assert not WEEKDAYS.is_open(SATURDAY_NIGHT)


def test_the_next_opening_is_said_in_words_in_english_and_spanish():
    opening = WEEKDAYS.next_opening(SATURDAY_NIGHT)
    assert opening.isoformat() == "2026-12-07T08:00:00-07:00"
    assert describe(opening, SATURDAY_NIGHT) == "Monday at 8:00 AM"
    assert describe(opening, SATURDAY_NIGHT, "es") == "el lunes a las 08:00"
    friday_evening = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)  # Friday 19:00 in El Paso
    assert describe(WEEKDAYS.next_opening(friday_evening), friday_evening) == "tomorrow at 9:00 AM"


def test_a_closed_clinic_never_opens_and_unreadable_hours_are_refused():
    assert parse_hours("closed") == () and OpeningHours.read("UTC", "").next_opening(MONDAY_MORNING) is None
    assert len(parse_hours("Fri-Mon 00:00-24:00")) == 4  # a range across the weekend
    for wrong in ("Mon-Fri 9-5", "Funday 08:00-10:00", "Mon 18:00-08:00"):
        with pytest.raises(ValueError):
            parse_hours(wrong)
    with pytest.raises(ValueError):
        OpeningHours.read("Mars/Olympus", "Mon 08:00-10:00")


@pytest.mark.parametrize(
    "text, contact",
    [
        ("915-555-0123", "9155550123"),
        ("(915) 555 0123", "9155550123"),
        ("+52 656 123 4567", "+526561234567"),
        ("Jo.Smith+clinic@Example.org", "jo.smith+clinic@example.org"),
        ("555-0123", None),  # too short to call back
        ("call me maybe", None),
        ("jo@example", None),
        ("1234567890123456", None),  # too long
    ],
)
def test_a_contact_is_a_phone_number_or_an_e_mail_address(text, contact):
    assert contact_of(text) == contact


@pytest.fixture
def clinic_hours(monkeypatch):
    """Set the clinic's opening hours for the handoff actions."""

    def set_hours(hours: str) -> None:
        clinic = clinic_from({"name": "Clinic A", "phone": "111", "opening_hours": hours}, {})
        monkeypatch.setattr(handoff_actions, "load_clinic", lambda: clinic)

    return set_hours


def run(action, dispatcher, tracker):
    return asyncio.run(action.run(dispatcher, tracker, {}))


def test_in_opening_hours_the_visitor_is_told_a_person_will_reply_and_the_conversation_pauses(
    clinic_hours, dispatcher, make_tracker
):
    clinic_hours("Mon-Sun 00:00-24:00")
    events = run(ActionHandoff(), dispatcher, make_tracker("ask_human", "can i talk to a real person"))
    assert SdkPaused() in events
    assert {"event": "slot", "timestamp": None, "name": "handoff_status", "value": "waiting"} in events
    message = dispatcher.messages[0]
    assert message["response"] == "utter_handoff_waiting" and message["custom"]["status"] == "waiting"
    assert message["wait_minutes"] == 5


def test_outside_hours_the_visitor_is_told_when_it_opens_and_offered_to_leave_a_message(
    clinic_hours, dispatcher, make_tracker
):
    clinic_hours("closed")
    events = run(ActionHandoff(), dispatcher, make_tracker("ask_human", "quiero hablar con una persona"))
    assert events == [FollowupAction("handoff_message_form")]
    assert dispatcher.messages[0]["response"] == "utter_handoff_closed_es"


def validate(slot, value, dispatcher, make_tracker):
    method = getattr(ValidateHandoffMessageForm(), f"validate_{slot}")
    return method(value, dispatcher, make_tracker("out_of_scope", value), {})


def test_the_message_form_keeps_a_message_and_a_valid_contact_and_asks_again_for_a_wrong_one(
    dispatcher, make_tracker
):
    assert validate("visitor_message", "  please call me about my bill ", dispatcher, make_tracker) == {
        "visitor_message": "please call me about my bill"
    }
    assert validate("visitor_contact", "jo@example.org", dispatcher, make_tracker) == {
        "visitor_contact": "jo@example.org"
    }
    assert not dispatcher.messages
    assert validate("visitor_contact", "my cell", dispatcher, make_tracker) == {"visitor_contact": None}
    assert dispatcher.messages[-1]["response"] == "utter_visitor_contact_invalid"


def test_cancel_ends_the_message_form_with_nothing_kept(dispatcher, make_tracker):
    for slot in ("visitor_message", "visitor_contact"):
        assert validate(slot, "never mind", dispatcher, make_tracker) == {
            "visitor_message": None,
            "visitor_contact": None,
            "requested_slot": None,
        }
    assert dispatcher.messages[-1]["response"] == "utter_handoff_cancelled"


def test_a_saved_message_is_confirmed_with_the_contact_and_a_cancelled_one_is_not(
    clinic_hours, dispatcher, make_tracker
):
    clinic_hours("closed")
    slots = {"visitor_message": "call me", "visitor_contact": "9155550123"}
    events = run(ActionHandoffMessageSaved(), dispatcher, make_tracker("out_of_scope", "x", slots=slots))
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_status", "value": "message_left"}]
    assert dispatcher.messages[0]["visitor_contact"] == "9155550123"
    assert run(ActionHandoffMessageSaved(), dispatcher, make_tracker("out_of_scope", "x")) == []


def conversation(*events) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("web:1", [], slots=DOMAIN.slots)
    for event in events:
        tracker.update(event, DOMAIN)
    return tracker


def waiting(since: float = 1000.0) -> DialogueStateTracker:
    return conversation(
        UserUttered("agent please", {"name": "ask_human"}),
        SlotSet("handoff_status", "waiting"),
        ConversationPaused(timestamp=since),
    )


def test_one_staff_member_takes_a_waiting_conversation_and_only_they_answer_or_hand_it_back():
    tracker = waiting()
    claim = plan("claim", tracker, "Maria", 1010)
    assert claim.refusal is None and claim.responses == ["utter_staff_joined"]
    for event in claim.events:
        tracker.update(event, DOMAIN)
    assert plan("claim", tracker, "Maria", 1011).refusal is None  # taking it again changes nothing
    assert plan("claim", tracker, "Jo", 1011).refusal == "Maria has taken this conversation."
    assert plan("reply", tracker, "Jo", 1012).refusal
    assert plan("reply", tracker, "Maria", 1012).responses == ["utter_staff_reply"]
    release = plan("release", tracker, "Maria", 1013)
    assert isinstance(release.events[0], ConversationResumed) and release.responses == ["utter_staff_left"]
    assert plan("claim", conversation(UserUttered("hi")), "Maria", 1).refusal  # nobody asked for a person


def test_a_conversation_nobody_took_in_time_goes_back_to_the_assistant_with_the_message_form():
    wait = 5 * 60
    assert plan("expire", waiting(1000), "", 1000 + wait - 1).refusal  # not yet
    expired = plan("expire", waiting(1000), "", 1000 + wait)
    assert isinstance(expired.events[0], ConversationResumed)
    assert ActiveLoop("handoff_message_form") in expired.events
    assert expired.responses == ["utter_handoff_no_one_free", "utter_ask_visitor_message"]


def test_the_staff_channel_takes_only_the_bearer_staff_token():
    assert staff_token_ok("Bearer s3cret", "s3cret")
    assert not staff_token_ok("Bearer s3cre", "s3cret") and not staff_token_ok("Basic s3cret", "s3cret")


@pytest.mark.parametrize("paused", [False, True])
@pytest.mark.parametrize("intent", ["ask_painful", "emergency", "restart"])
def test_a_paused_conversation_is_answered_only_for_an_emergency(paused, intent):
    """Differential: the same as Rasa's rule, except an emergency in a paused conversation."""
    events = [UserUttered("x", {"name": intent})]
    tracker = conversation(*([ConversationPaused()] if paused else []), *events)
    stock = MessageProcessor._should_handle_message(tracker)
    ours = AssistantProcessor._should_handle_message(tracker)
    assert ours == (stock or intent == "emergency")
    assert ours == (not paused or intent in ("emergency", "restart"))


def test_the_turn_that_pauses_a_conversation_goes_on_to_listen_and_later_turns_do_not():
    """Differential: stock Rasa stops at the pause, before action_listen; ours ends the turn."""
    pausing = conversation(UserUttered("agent please", {"name": "ask_human"}), ConversationPaused())
    assert not MessageProcessor._should_handle_message(pausing)
    assert AssistantProcessor._should_handle_message(pausing)
    pausing.update(UserUttered("hello?", {"name": "greet"}), DOMAIN)
    assert not AssistantProcessor._should_handle_message(pausing)


def seed_inbox(tmp_path) -> str:
    """Three conversations written by Rasa's own SQL tracker store; the store's URL."""
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(dialect="sqlite", db=str(db))
    pushed = {"custom": {"type": "staff", "pushed": True, "staff": "Maria", "event": "utter_staff_reply"}}
    trackers = [
        conversation(  # waiting since 100, then told an emergency
            UserUttered("is it painful?", {"name": "ask_painful"}, timestamp=50),
            UserUttered("agent please", {"name": "ask_human"}, timestamp=90),
            SlotSet("handoff_status", "waiting", timestamp=100),
            ConversationPaused(timestamp=100),
            UserUttered("my chest hurts and my arm is numb", {"name": "emergency"}, timestamp=120),
        ),
        conversation(  # taken by Maria, who answered
            UserUttered("human", {"name": "ask_human"}, timestamp=200),
            SlotSet("handoff_status", "waiting", timestamp=200),
            ConversationPaused(timestamp=200),
            SlotSet("handoff_status", "claimed", timestamp=210),
            SlotSet("handoff_staff", "Maria", timestamp=210),
            BotUttered("Maria (front desk): hello", pushed, {"staff": "Maria"}, timestamp=220),
        ),
        conversation(  # waiting, then silent for an hour: a new session ended it
            SlotSet("handoff_status", "waiting", timestamp=40),
            ConversationPaused(timestamp=40),
            SessionStarted(timestamp=3700),
        ),
        conversation(  # a message left
            SlotSet("visitor_message", "please call about insurance", timestamp=300),
            SlotSet("visitor_contact", "9155550123", timestamp=301),
            SlotSet("handoff_status", "message_left", timestamp=302),
        ),
    ]
    for number, tracker in enumerate(trackers):
        tracker.sender_id = f"web:{number}"
        asyncio.run(store.save(tracker))
    return f"sqlite:///{db}"


def test_the_inbox_lists_who_waits_who_is_answered_and_the_messages_left(tmp_path):
    url = seed_inbox(tmp_path)
    found = {handoff.conversation: handoff.as_dict(now=400) for handoff in inbox.handoffs(url)}
    assert list(found) == ["web:0", "web:1", "web:3"]
    assert found["web:0"]["status"] == "waiting" and found["web:0"]["waiting_seconds"] == 300
    assert found["web:0"]["emergency"] is True
    assert found["web:0"]["questions"] == [
        "is it painful?",
        "agent please",
        "my chest hurts and my arm is numb",
    ]
    assert (found["web:1"]["status"], found["web:1"]["staff"], found["web:1"]["emergency"]) == (
        "claimed",
        "Maria",
        False,
    )
    assert (found["web:3"]["message"], found["web:3"]["contact"]) == (
        "please call about insurance",
        "9155550123",
    )
    assert inbox.handoff_of(url, "web:1") == "claimed" and inbox.handoff_of(url, "web:9") is None
    assert inbox.handoff_of(url, "web:2") is None  # the widget stops asking after a new session


def test_the_inbox_shows_a_conversations_history_and_the_widget_reads_only_pushed_messages(tmp_path):
    url = seed_inbox(tmp_path)
    history = inbox.history(url, "web:0")
    assert [(m["from"], m["emergency"]) for m in history] == [
        ("visitor", False),
        ("visitor", False),
        ("visitor", True),
    ]
    assert inbox.history(url, "web:1")[-1]["from"] == "Maria"
    pushed = inbox.pushed(url, "web:1", 0)
    assert [m["text"] for m in pushed] == ["Maria (front desk): hello"]
    assert inbox.pushed(url, "web:1", pushed[0]["id"]) == []
    assert inbox.pushed(url, "web:0", 0) == []
    assert inbox.handoffs(f"sqlite:///{tmp_path / 'none.db'}") == []


def test_retention_deletes_old_staff_replies_and_left_messages_and_keeps_recent_ones(tmp_path):
    url = seed_inbox(tmp_path)  # every event there is from 1970
    pushed = {"custom": {"type": "staff", "pushed": True, "staff": "Ana", "event": "utter_staff_reply"}}
    recent = conversation(BotUttered("Ana (front desk): hi", pushed, {"staff": "Ana"}, timestamp=time.time()))
    recent.sender_id = "web:recent"
    asyncio.run(SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tracker.db")).save(recent))
    assert prune_older_than(90, url) > 0
    assert inbox.handoffs(url) == [] and inbox.history(url, "web:1") == []
    assert [m["text"] for m in inbox.pushed(url, "web:recent", 0)] == ["Ana (front desk): hi"]


def test_answers_ask_for_feedback_and_no_answers_offer_the_front_desk(kb):
    assert [b["payload"] for b in follow_up_buttons(kb, "answer", "painful")] == [
        '/feedback{"helpful": "yes", "answer_topic": "painful"}',
        '/feedback{"helpful": "no", "answer_topic": "painful"}',
    ]
    assert [b["payload"] for b in follow_up_buttons(kb, "more")] == [
        '/feedback{"helpful": "yes"}',
        '/feedback{"helpful": "no"}',
    ]
    for reply_type in ("no_answer", "did_you_mean", "closest_passage"):
        assert follow_up_buttons(kb, reply_type) == [
            {"title": "Talk to the front desk", "payload": "/ask_human"}
        ]
    assert follow_up_buttons(kb, "references") == [] and follow_up_buttons(kb, "emergency") == []


@pytest.mark.parametrize(
    "text, entities, helpful",
    [
        ('/feedback{"helpful": "no"}', [{"entity": "helpful", "value": "no"}], False),
        ('/feedback{"helpful": "yes"}', [{"entity": "helpful", "value": "yes"}], True),
        ("👎", [], False),
        ("that answer didn't help", [], False),
        ("👍", [], True),
    ],
)
def test_feedback_is_thanked_and_not_helpful_offers_the_front_desk(
    dispatcher, make_tracker, text, entities, helpful
):
    tracker = make_tracker("feedback", text, entities=entities, slots={"last_topic": "painful"})
    assert run(ActionFeedback(), dispatcher, tracker) == []
    message = dispatcher.messages[0]
    assert message["custom"]["type"] == ("helpful" if helpful else "unhelpful")
    assert message["custom"]["topic"] == "painful"
    assert message["response"] == ("utter_feedback_helpful" if helpful else "utter_feedback_unhelpful")


@pytest.mark.parametrize(("named", "counted"), [("bruising", "bruising"), ("no_such_topic", "painful")])
def test_feedback_counts_for_the_answer_its_button_was_on(dispatcher, make_tracker, named, counted):
    entities = [{"entity": "helpful", "value": "yes"}, {"entity": "answer_topic", "value": named}]
    text = "/feedback" + json.dumps({"helpful": "yes", "answer_topic": named})
    tracker = make_tracker("feedback", text, entities=entities, slots={"last_topic": "painful"})
    run(ActionFeedback(), dispatcher, tracker)
    assert dispatcher.messages[0]["custom"]["topic"] == counted


@pytest.mark.parametrize(
    "action, response, status",
    [
        (handoff_actions.ActionAskVisitorMessage(), "utter_ask_visitor_message", "message"),
        (handoff_actions.ActionAskVisitorContact(), "utter_ask_visitor_contact", "contact"),
    ],
)
def test_the_message_form_asks_its_questions_in_the_visitor_s_language(
    dispatcher, make_tracker, action, response, status
):
    run(action, dispatcher, make_tracker("out_of_scope", "quiero dejar un mensaje para la recepción"))
    assert dispatcher.messages[0]["response"] == response + "_es"
    assert dispatcher.messages[0]["custom"]["status"] == status
