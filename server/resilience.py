"""The action server down or slow must not leave a user without a reply: an emergency still gets
its tier's advice (domain responses the Rasa server can utter on its own, chosen as the action
would: triage/assessment.py); anything else gets a short apology with the clinic's contact. Answers
resume as soon as the action server is back. (A Rasa process that dies while it holds a
conversation's lock: server/lock_store.py.)
"""

import asyncio
import logging
import os

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.exceptions import RasaException

from actions.clinic import load_clinic
from triage.assessment import emergency_payload, emergency_responses

logger = logging.getLogger(__name__)
# Long enough not to fire when the server itself is only busy (the wait includes other messages' turns).
ACTION_TIMEOUT_SECONDS = float(os.environ.get("ACTION_TIMEOUT_SECONDS", "30"))
STAND_IN = "utter_service_unavailable"  # for any action but the emergency one
_run_remote_action = RemoteAction.run


async def run_or_stand_in(self: RemoteAction, output_channel, nlg, tracker, domain) -> list:
    """`RemoteAction.run` with a time limit; on failure, the stand-in reply for that action."""
    try:
        return await asyncio.wait_for(
            _run_remote_action(self, output_channel, nlg, tracker, domain), ACTION_TIMEOUT_SECONDS
        )
    except ActionExecutionRejection:
        raise  # the action declined to run: Rasa predicts another one
    except (RasaException, asyncio.TimeoutError) as error:
        logger.error("Action %s failed (%s); sent its stand-in reply.", self.name(), type(error).__name__)
        clinic = load_clinic()
        if self.name() != "action_emergency":
            draft = await nlg.generate(STAND_IN, tracker, output_channel.name(), **clinic.numbers)
            draft["custom"] = {"type": "unavailable", "topic": None, "contact": clinic.contact}
            return [create_bot_utterance(draft)]
        assessment = tracker.latest_message.parse_data.get("triage")
        drafts = [
            await nlg.generate(response, tracker, output_channel.name(), **clinic.numbers)
            for response in emergency_responses(assessment)
        ]
        drafts[0]["custom"] = {
            "type": "emergency",
            "topic": None,
            "contact": clinic.contact,
            **emergency_payload(assessment),
        }
        return [create_bot_utterance(draft) for draft in drafts]
