"""A message none of whose words the assistant knows ("asdfghjkl", "jjjjjjjjjj") gets NLU's fallback,
whatever the intent classifier guessed (it read a row of one letter as goodbye): the fallback action
says it could not read it and offers popular questions. The spelling corrector marks such a message
(nlu_addons/spelling_corrector.py); triage, later in the pipeline, still reads every message.
"""

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from nlu_addons.overriding import DecidingComponent, override_intent
from nlu_addons.spelling_corrector import UNREADABLE_KEY

FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnreadableMessageClassifier(DecidingComponent):
    """Gives a message the spelling corrector marked unreadable NLU's fallback intent."""

    @classmethod
    def from_project(cls) -> "UnreadableMessageClassifier":
        """The component (it needs no files)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Override the intent of each unreadable message with the fallback."""
        for message in messages:
            if message.get(UNREADABLE_KEY):
                override_intent(message, FALLBACK_INTENT, UNREADABLE_KEY, True)
        return messages
