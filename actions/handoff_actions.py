"""Handing a conversation to the clinic's front desk (docs/front-desk.md).

During opening hours (clinic.yml) a visitor who asks for a person is told one will reply, and the
conversation pauses (Rasa's ConversationPaused): it waits in the staff inbox until someone takes it
(channels/staff.py). Outside hours, or when nobody takes it in time, the visitor may leave a message
and a phone number or e-mail address (the form `handoff_message_form`), which the inbox shows.
"""

import re
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.clinic import load_clinic
from actions.opening_hours import describe
from actions.scope_actions import language_of, utter_scope_reply

HANDOFF_STATUS_SLOT = "handoff_status"  # waiting, claimed, message_left; None: the assistant answers
HANDOFF_STAFF_SLOT = "handoff_staff"  # who took the conversation
MESSAGE_SLOT = "visitor_message"
CONTACT_SLOT = "visitor_contact"
MESSAGE_FORM = "handoff_message_form"
WAITING, CLAIMED, MESSAGE_LEFT = "waiting", "claimed", "message_left"
# a bot message's payload key: sent by the front desk or the handoff (channels/staff.py), not in answer
# to the visitor's request, so the widget reads it from the tracker store (GET /chat/updates)
PUSHED = "pushed"
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.I)
PHONE_CHARACTERS = re.compile(r"^\+?[\d\s().-]{7,25}$")
# a visitor who does not want to leave a message after all
CANCEL = re.compile(
    r"^\W*(?:cancel|stop|never ?mind|no(?: thanks?)?|nope|forget it|cancelar|olv[ií]dalo|no gracias)\W*$",
    re.I,
)
MAX_MESSAGE_CHARS = 1000


def contact_of(text: str) -> str | None:
    """The e-mail address or phone number `text` is (10 to 15 digits, a leading + kept), or None."""
    text = text.strip()
    if EMAIL.match(text):
        return text.lower()
    if PHONE_CHARACTERS.match(text):
        digits = re.sub(r"\D", "", text)
        if 10 <= len(digits) <= 15:
            return ("+" if text.startswith("+") else "") + digits
    return None


def next_opening_text(language: str, now: datetime | None = None) -> str:
    """When the front desk next opens, in words ('tomorrow at 8:00 AM'), or '' when it never does."""
    now = now or datetime.now(timezone.utc)
    opening = load_clinic().hours.next_opening(now)
    return describe(opening, now, language) if opening else ""


class ActionHandoff(Action):
    """A visitor asks for a person: in opening hours, pause and wait for the front desk; outside
    them, say when it opens and offer to take a message."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The waiting reply and a pause, or the closed reply and the message form."""
        clinic = load_clinic()
        if clinic.hours.is_open(datetime.now(timezone.utc)):
            minutes = round(clinic.handoff_wait_seconds / 60)
            utter_scope_reply(
                dispatcher,
                "utter_handoff_waiting",
                "handoff",
                tracker,
                {"wait_minutes": minutes},
                status=WAITING,
            )
            return [
                SlotSet(HANDOFF_STATUS_SLOT, WAITING),
                SlotSet(HANDOFF_STAFF_SLOT, None),
                ConversationPaused(),
            ]
        opening = next_opening_text(language_of(tracker))
        utter_scope_reply(
            dispatcher, "utter_handoff_closed", "handoff", tracker, {"next_opening": opening}, status="closed"
        )
        return [FollowupAction(MESSAGE_FORM)]


class FormQuestion(Action, ABC):
    """One of the message form's questions, in the visitor's language; subclasses give `name()`,
    the domain `response` and the payload's `status`."""

    response: str
    status: str

    @abstractmethod
    def name(self) -> str:
        """The form asks for its slot with the action of this name."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask the question."""
        utter_scope_reply(dispatcher, self.response, "handoff", tracker, status=self.status)
        return []


class ActionAskVisitorMessage(FormQuestion):
    """What the message for the front desk is."""

    response, status = "utter_ask_visitor_message", "message"

    def name(self) -> str:
        """The form asks for `visitor_message` with this action."""
        return "action_ask_visitor_message"


class ActionAskVisitorContact(FormQuestion):
    """A phone number or e-mail address, with what it will be used for."""

    response, status = "utter_ask_visitor_contact", "contact"

    def name(self) -> str:
        """The form asks for `visitor_contact` with this action."""
        return "action_ask_visitor_contact"


class ValidateHandoffMessageForm(FormValidationAction):
    """Checks the message (not empty, not too long) and the contact (a phone number or e-mail);
    'cancel' ends the form with nothing kept."""

    def name(self) -> str:
        """Rasa calls this action to validate `handoff_message_form`."""
        return "validate_handoff_message_form"

    @staticmethod
    def _cancelled(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        utter_scope_reply(dispatcher, "utter_handoff_cancelled", "handoff", tracker, status="cancelled")
        return {MESSAGE_SLOT: None, CONTACT_SLOT: None, "requested_slot": None}

    def validate_visitor_message(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the message as written, up to MAX_MESSAGE_CHARS characters."""
        text = str(value or "").strip()
        if CANCEL.match(text):
            return self._cancelled(dispatcher, tracker)
        if not text:
            return {MESSAGE_SLOT: None}
        return {MESSAGE_SLOT: text[:MAX_MESSAGE_CHARS]}

    def validate_visitor_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A phone number or e-mail address; anything else is asked again with an example."""
        text = str(value or "").strip()
        if CANCEL.match(text):
            return self._cancelled(dispatcher, tracker)
        contact = contact_of(text)
        if contact is None:
            utter_scope_reply(
                dispatcher, "utter_visitor_contact_invalid", "handoff", tracker, status="contact"
            )
        return {CONTACT_SLOT: contact}


class ActionHandoffMessageSaved(Action):
    """After the form: thank the visitor and say when to expect a reply; the inbox lists the message."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_handoff_message_saved"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The thanks with when the front desk opens, or nothing when the visitor cancelled."""
        contact = tracker.get_slot(CONTACT_SLOT)
        if not contact or not tracker.get_slot(MESSAGE_SLOT):
            return []
        clinic = load_clinic()
        now = datetime.now(timezone.utc)
        response = (
            "utter_handoff_message_saved_open" if clinic.hours.is_open(now) else "utter_handoff_message_saved"
        )
        utter_scope_reply(
            dispatcher,
            response,
            "handoff",
            tracker,
            {"visitor_contact": contact, "next_opening": next_opening_text(language_of(tracker), now)},
            status=MESSAGE_LEFT,
        )
        return [SlotSet(HANDOFF_STATUS_SLOT, MESSAGE_LEFT)]


class ActionHandoffTimeout(Action):
    """Nobody took a waiting conversation in time (channels/staff.py runs this): say so, and offer
    to take a message."""

    def name(self) -> str:
        """Name used in domain.yml and by the staff channel."""
        return "action_handoff_timeout"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The no-one-free reply, then the message form."""
        utter_scope_reply(dispatcher, "utter_handoff_no_one_free", "handoff", tracker, status="no_one_free")
        return [SlotSet(HANDOFF_STATUS_SLOT, None), FollowupAction(MESSAGE_FORM)]
