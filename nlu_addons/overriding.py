"""What a component that decides an intent outright does to a message: that intent, sure, first."""

from typing import Any

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def override_intent(message: Message, intent: str, key: str, value: Any) -> None:
    """Give `message` the intent `intent` with confidence 1, at the top of its ranking (the
    classifier's other guesses kept below it), and `value` under `key` in its parse data."""
    decided = {"name": intent, "confidence": 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    message.set(INTENT, decided, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [decided] + ranking, add_to_output=True)
    message.set(key, value, add_to_output=True)
