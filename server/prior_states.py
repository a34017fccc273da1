"""A conversation's dialogue states, worked out once per new event instead of once per prediction.

For every action it predicts, the rule policy asks for the state before each action of the whole
session, which Rasa works out by replaying all of the session's events into a new tracker: about
9% of the server's time per message, growing with the conversation. Here the replayed tracker and
the states so far are kept on the conversation's tracker (which the tracker cache hands back
for the next message) and only the new events are replayed. Whatever this cannot follow (an
undone event, a form) gets Rasa's own full replay.
"""

import itertools

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

_states_for_tracker_history = Domain.states_for_tracker_history
SESSION_STARTS = (Restarted, SessionStarted)  # Rasa's replay starts after the latest of these
NOT_FOLLOWED = (ActionReverted, UserUtteranceReverted, ActiveLoop)  # they rewrite earlier turns


class PriorStates:
    """The state before each action of one tracker's session so far, and the replay they came from."""

    def __init__(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> None:
        self.domain, self.omit_unset_slots = domain, omit_unset_slots
        self.start_session(tracker, events_seen=0)
        self.followable = True

    def start_session(self, tracker: DialogueStateTracker, events_seen: int) -> None:
        """Forget the states: the session starts after the first `events_seen` events."""
        self.replay = tracker.init_copy()
        self.states = []
        self.events_seen = events_seen
        self.last_event = None

    def fits(self, tracker: DialogueStateTracker, domain: Domain, omit_unset_slots: bool) -> bool:
        """Whether these states were worked out for this domain and a beginning of these events."""
        events = tracker.events
        return (
            self.domain is domain
            and self.omit_unset_slots == omit_unset_slots
            and len(events) >= self.events_seen
            and (self.events_seen == 0 or events[self.events_seen - 1] is self.last_event)
        )

    def catch_up(self, tracker: DialogueStateTracker) -> bool:
        """Replay the tracker's new events; False if one of them cannot be followed."""
        for index, event in enumerate(
            itertools.islice(tracker.events, self.events_seen, None), self.events_seen
        ):
            if isinstance(event, NOT_FOLLOWED):
                self.followable = False
                return False
            if isinstance(event, SESSION_STARTS):
                self.start_session(tracker, index + 1)
                continue
            if isinstance(event, ActionExecuted):
                self.states.append(self.state_now())
            self.replay.update(event)
        self.events_seen = len(tracker.events)
        self.last_event = tracker.events[-1] if tracker.events else None
        return True

    def state_now(self) -> dict:
        """The state of the replayed tracker, as Rasa's replay gives it."""
        return self.domain._clean_state(
            self.domain.get_active_state(self.replay, omit_unset_slots=self.omit_unset_slots)
        )

    def all_states(self) -> list[dict]:
        """The states before each action and now, copied: the policies edit the states they get."""
        return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in self.states] + [
            self.state_now()
        ]


def states_for_tracker_history_kept(
    self: Domain,
    tracker: DialogueStateTracker,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict | None = None,
) -> list[dict]:
    """`Domain.states_for_tracker_history`, replaying only the events new since the last call."""
    if ignore_rule_only_turns:  # the rule policy never asks for this; others get Rasa's replay
        return _states_for_tracker_history(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    prior = tracker.__dict__.get("_prior_states")
    if prior is None or not prior.fits(tracker, self, omit_unset_slots):
        prior = tracker.__dict__["_prior_states"] = PriorStates(tracker, self, omit_unset_slots)
    if not (prior.followable and prior.catch_up(tracker)):
        return _states_for_tracker_history(
            self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data
        )
    return prior.all_states()
