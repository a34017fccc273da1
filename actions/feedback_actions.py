"""Feedback on an answer: the 👍/👎 quick replies every answer ends with (actions/replies.py).

The visitor's choice is stored as their message (intent `feedback`, entities `helpful` and
`answer_topic`, the topic of the answer the buttons were on), and the reply's
payload type (`helpful` or `unhelpful`, with the topic answered) is what the staff report counts
(staff/report.py). "Not helpful" offers a person at the front desk.
"""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_actions import LAST_TOPIC_SLOT
from actions.knowledge import load_knowledge
from actions.replies import FEEDBACK_TOPIC_ENTITY
from actions.scope_actions import utter_scope_reply

HELPFUL_ENTITY = "helpful"
# typed feedback without the entity: a thumbs down or a negation is "not helpful"
UNHELPFUL = re.compile(r"👎|\bnot?\b|n't\b|unhelpful|useless|in[úu]til|no me sirvi", re.I)


def answered_topic(tracker: Tracker) -> str | None:
    """The topic the feedback is on: the one its button names (a 👍 may be on an earlier answer),
    else the last one answered."""
    named = next(tracker.get_latest_entity_values(FEEDBACK_TOPIC_ENTITY), None)
    return named if named in load_knowledge().topics else tracker.get_slot(LAST_TOPIC_SLOT)


def was_helpful(tracker: Tracker) -> bool:
    """The `helpful` entity of the latest message (a quick reply's), else what its text says."""
    value = next(tracker.get_latest_entity_values(HELPFUL_ENTITY), None)
    if value is not None:
        return value != "no"
    return not UNHELPFUL.search(tracker.latest_message.get("text") or "")


class ActionFeedback(Action):
    """Thank the visitor for their feedback; after "not helpful", offer the front desk."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The thanks for a 👍, or the apology with the front desk's button for a 👎."""
        helpful = was_helpful(tracker)
        response, reply_type = (
            ("utter_feedback_helpful", "helpful") if helpful else ("utter_feedback_unhelpful", "unhelpful")
        )
        utter_scope_reply(dispatcher, response, reply_type, tracker, topic=answered_topic(tracker))
        return []
