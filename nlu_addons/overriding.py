"""Components that decide an intent outright, from the project's files alone (nothing to train), and
what they do to a message: that intent, sure, first."""

from abc import abstractmethod
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


class DecidingComponent(GraphComponent):
    """An NLU component built from the project's files alone: `create` calls `from_project`."""

    @classmethod
    @abstractmethod
    def from_project(cls) -> "DecidingComponent":
        """The component as the project's files define it."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DecidingComponent":
        """The component as the project's files define it (nothing to train or store)."""
        return cls.from_project()


def override_intent(message: Message, intent: str, key: str, value: Any) -> None:
    """Give `message` the intent `intent` with confidence 1, at the top of its ranking (the
    classifier's other guesses kept below it), and `value` under `key` in its parse data."""
    decided = {"name": intent, "confidence": 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    message.set(INTENT, decided, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [decided] + ranking, add_to_output=True)
    message.set(key, value, add_to_output=True)
