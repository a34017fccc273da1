"""Kept dialogue states are always the states Rasa's full replay gives."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from server.prior_states import _states_for_tracker_history, states_for_tracker_history_kept

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, ask_pain, ask_more]
entities: [condition]
slots:
  topic:
    type: categorical
    values: [pain, bruising]
    mappings: [{type: custom}]
actions: [action_answer, action_more]
responses:
  utter_greet: [{text: hi}]
"""
)


def user(intent: str, text: str, condition: str | None = None) -> UserUttered:
    entities = [{"entity": "condition", "value": condition, "start": 0, "end": 1}] if condition else []
    return UserUttered(text, {"name": intent, "confidence": 0.9}, entities)


def turn(intent: str, text: str, topic: str | None = None, condition: str | None = None) -> list:
    events = [user(intent, text, condition), ActionExecuted("action_answer")]
    if topic:
        events.append(SlotSet("topic", topic))
    return [*events, BotUttered(f"answer to {text}"), ActionExecuted("action_listen")]


SESSION_START = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
CONVERSATION = [
    *SESSION_START,
    *turn("greet", "hello"),
    *turn("ask_pain", "does it hurt", topic="pain", condition="tendinopathy"),
    *turn("ask_more", "tell me more"),
    *SESSION_START,  # a new session: Rasa's states start again after it
    *turn("ask_pain", "is it painful", topic="bruising"),
    Restarted(),
    ActionExecuted("action_listen"),
    *turn("ask_more", "more please"),
]


@pytest.mark.parametrize("omit_unset_slots", [False, True])
def test_states_after_every_event_are_rasas(omit_unset_slots):
    kept_tracker = DialogueStateTracker("kept", DOMAIN.slots)
    for event in CONVERSATION:
        kept_tracker.update(event)
        replayed = DialogueStateTracker.from_events("replayed", list(kept_tracker.events), DOMAIN.slots)
        expected = _states_for_tracker_history(DOMAIN, replayed, omit_unset_slots)
        assert states_for_tracker_history_kept(DOMAIN, kept_tracker, omit_unset_slots) == expected
    assert kept_tracker._prior_states.followable


def test_editing_the_states_given_does_not_change_the_kept_ones():
    tracker = DialogueStateTracker.from_events("edited", CONVERSATION[:12], DOMAIN.slots)
    first = states_for_tracker_history_kept(DOMAIN, tracker)
    expected = _states_for_tracker_history(DOMAIN, tracker)
    for state in first:
        state.get("user", {}).clear()
    assert states_for_tracker_history_kept(DOMAIN, tracker) == expected != first


def test_an_undone_message_gets_rasas_full_replay():
    tracker = DialogueStateTracker.from_events("undone", CONVERSATION[:12], DOMAIN.slots)
    states_for_tracker_history_kept(DOMAIN, tracker)
    for event in (UserUtteranceReverted(), *turn("ask_pain", "does it hurt after all")):
        tracker.update(event)
        assert states_for_tracker_history_kept(DOMAIN, tracker) == _states_for_tracker_history(
            DOMAIN, tracker
        )
    assert not tracker._prior_states.followable


def test_another_domain_or_another_tracker_starts_afresh():
    tracker = DialogueStateTracker.from_events("first", CONVERSATION[:12], DOMAIN.slots)
    states_for_tracker_history_kept(DOMAIN, tracker)
    other_domain = Domain.from_dict({**DOMAIN.as_dict(), "intents": ["greet", "ask_pain", "ask_more", "bye"]})
    assert states_for_tracker_history_kept(other_domain, tracker) == _states_for_tracker_history(
        other_domain, tracker
    )
    assert tracker._prior_states.domain is other_domain
    shorter = DialogueStateTracker.from_events("second", CONVERSATION[:6], DOMAIN.slots)
    shorter._prior_states = tracker._prior_states  # states kept for longer, different events
    assert states_for_tracker_history_kept(DOMAIN, shorter) == _states_for_tracker_history(DOMAIN, shorter)
