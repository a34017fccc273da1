"""Rasa NLU component that runs triage (triage/) on every message and decides the emergencies.

Last in the pipeline, so no classifier or fallback can override it: a message triage finds an
emergency in gets the `emergency` intent (confidence 1) and a `triage` key (tier, category, sure,
language, ...) that the emergency action reads; any other message keeps what NLU predicted. The
FAQ classifier is not trained on emergencies, so triage alone decides them. Where the channel gave
NLU a shortened text (channels/gate.py), triage reads the whole one, from the message's metadata.
"""

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from channels.gate import TEXT_IN_FULL_KEY
from nlu_addons.overriding import DecidingComponent, override_intent
from nlu_addons.spelling_corrector import TEXT_AS_TYPED_KEY
from triage.triage import Triage, load_triage

EMERGENCY_INTENT = "emergency"
# Parse-data key holding the assessment; actions read it from tracker.latest_message.
TRIAGE_KEY = "triage"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TriageClassifier(DecidingComponent):
    """See the module docstring."""

    def __init__(self, triage: Triage) -> None:
        self._triage = triage

    @classmethod
    def from_project(cls) -> "TriageClassifier":
        """Triage as the project defines it, trained once per process."""
        return cls(load_triage())

    def process(self, messages: list[Message]) -> list[Message]:
        """Mark every message that triage finds an emergency in. Triage reads the message as typed
        (it corrects spelling towards its own words, not the FAQ's)."""
        for message in messages:
            in_full = (message.get(METADATA) or {}).get(TEXT_IN_FULL_KEY)  # NLU read it shortened
            assessment = self._triage.assess(
                in_full or message.get(TEXT_AS_TYPED_KEY) or message.get(TEXT) or ""
            )
            if assessment is not None:
                override_intent(message, EMERGENCY_INTENT, TRIAGE_KEY, assessment.as_dict())
        return messages
