"""Rasa NLU component that turns any message with a red flag into the `emergency` intent."""

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_addons.red_flags import RedFlags
from nlu_addons.spelling_corrector import TEXT_AS_TYPED_KEY

EMERGENCY_INTENT = "emergency"
# Parse-data key naming the red flag seen; actions read it from tracker.latest_message.
RED_FLAG_KEY = "red_flag"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(GraphComponent):
    """Runs last in the pipeline so that no classifier or fallback can override a red flag."""

    def __init__(self, red_flags: RedFlags) -> None:
        self._red_flags = red_flags

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        """Load the red-flag patterns once, when the model is loaded."""
        return cls(RedFlags.from_file())

    def process(self, messages: list[Message]) -> list[Message]:
        """Set intent `emergency` (confidence 1) and name the red flag on messages that have one."""
        for message in messages:
            # As corrected ("chest pian" -> "chest pain") and as typed.
            flag = self._red_flags.find(message.get(TEXT) or "") or self._red_flags.find(
                message.get(TEXT_AS_TYPED_KEY) or ""
            )
            if flag is None:
                continue
            emergency = {"name": EMERGENCY_INTENT, "confidence": 1.0}
            message.set(INTENT, emergency, add_to_output=True)
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != EMERGENCY_INTENT]
            message.set(INTENT_RANKING_KEY, [emergency] + ranking, add_to_output=True)
            message.set(RED_FLAG_KEY, flag, add_to_output=True)
        return messages
