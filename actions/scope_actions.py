"""Replies outside the articles: honest no-answer, declined medical advice, off-topic, the
assistant saying what it is, emergency.

The assistant answers from two English articles, in English. A message written in Spanish that gets
one of these replies gets its Spanish version (the `_es` response), which also says so: the intent
classifier reads English, so "¿el raspado duele?" would otherwise be told it is off-topic.
"""

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic import load_clinic
from triage.assessment import emergency_payload, emergency_responses
from triage.patterns import is_spanish

SPANISH = "_es"  # the suffix of a response's Spanish version in domain.yml


def language_of(tracker: Tracker) -> str:
    """'es' when the latest message is written in Spanish, else 'en'."""
    message = tracker.latest_message or {}
    return "es" if is_spanish(message.get("text_as_typed") or message.get("text") or "") else "en"


def utter_scope_reply(
    dispatcher: CollectingDispatcher,
    response: str,
    reply_type: str,
    tracker: Tracker | None = None,
    fill: dict[str, Any] | None = None,
    **payload: Any,
) -> None:
    """Utter a domain response filled with the clinic's details (and `fill`), with its payload; in
    Spanish when the latest message of `tracker` is written in Spanish."""
    clinic = load_clinic()
    spanish = tracker is not None and language_of(tracker) == "es"
    dispatcher.utter_message(
        response=response + SPANISH if spanish else response,
        json_message={
            "type": reply_type,
            "topic": None,
            "contact": clinic.contact,
            "language": "es" if spanish else "en",
            **payload,
        },
        **clinic.numbers,
        **(fill or {}),
    )


class ScopeReplyAction(Action, ABC):
    """An action that utters one domain response; subclasses give `name()`, `response`,
    `reply_type` and, where the reply is about one, a `topic`."""

    response: str
    reply_type: str
    topic: str | None = None

    @abstractmethod
    def name(self) -> str:
        """Name used in domain.yml and the rules."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the response with the clinic's contact details, in the message's language."""
        utter_scope_reply(dispatcher, self.response, self.reply_type, tracker, topic=self.topic)
        return []


class ActionNoAnswer(ScopeReplyAction):
    """A question the articles do not answer: say so, give the clinic's contact, never guess."""

    response = "utter_no_answer"
    reply_type = "no_answer"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_no_answer"


class ActionPersonalSafety(ScopeReplyAction):
    """Whether IASTM is safe for a particular person or condition: the articles list no
    contraindications, so say so and point to the clinic, never the general safety answer."""

    response = "utter_personal_safety"
    reply_type = "no_answer"
    topic = "personal_safety"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_personal_safety"


class ActionDeclineAdvice(ScopeReplyAction):
    """A request for diagnosis, treatment or dosing: decline and point to a provider."""

    response = "utter_decline_advice"
    reply_type = "declined"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_decline_advice"


class ActionOffTopic(ScopeReplyAction):
    """Something unrelated to IASTM: a short statement of what the assistant covers."""

    response = "utter_off_topic"
    reply_type = "off_topic"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_off_topic"


class ActionBotChallenge(ScopeReplyAction):
    """ "Are you a bot?", "is this a real person?": say it is an automated assistant, and how to reach
    a person at the clinic (with the button that asks the front desk to join the chat)."""

    response = "utter_iamabot"
    reply_type = "about_assistant"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_bot_challenge"


class ActionContact(ScopeReplyAction):
    """Booking, opening hours, directions, "how do I reach you?": the clinic's front desk and how to
    contact it (clinic.yml), never anything the articles would have to say."""

    response = "utter_contact"
    reply_type = "contact"

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_contact"


class ActionGreet(Action):
    """A greeting: what the assistant does, in Spanish to a greeting written in Spanish."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the greeting in the message's language."""
        spanish = language_of(tracker) == "es"
        dispatcher.utter_message(response="utter_greet" + SPANISH if spanish else "utter_greet")
        return []


class ActionEmergency(Action):
    """An emergency found by triage: its tier's advice first and nothing else (docs/safety.md)."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Utter the tier's reply (then the crisis line when the message also speaks of suicide or
        self-harm), with the assessment in the payload."""
        assessment = tracker.latest_message.get("triage") or {}
        first, *rest = emergency_responses(assessment)
        utter_scope_reply(dispatcher, first, "emergency", **emergency_payload(assessment))
        for response in rest:
            dispatcher.utter_message(response=response, **load_clinic().numbers)
        return []
