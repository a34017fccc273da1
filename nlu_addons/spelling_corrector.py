"""Rasa NLU component that corrects a message's spelling before spaCy and the featurizers see it.

Its vocabulary is English: a message written in Spanish (more Spanish than English function words,
as triage reads it) is left as typed, or "estoy embarazada, ¿puedo ...?" would become "stop
embarazada, ¿pseudo ...?".
"""

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from nlu_addons.spelling import SpellingCorrector
from triage.patterns import is_spanish

# Parse-data key holding the message as typed, when the component changed it.
TEXT_AS_TYPED_KEY = "text_as_typed"
# Parse-data key set (True) on an English message with words, none of them known even after correction,
# that looks like keys hit at random ("asdfghjkl", "jjjjjjjj"): nlu_addons/unreadable.py gives it NLU's
# fallback.
UNREADABLE_KEY = "unreadable"
VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class SpellingCorrectorComponent(GraphComponent):
    """First in the pipeline. Learns its vocabulary from the training examples and the articles
    (the `articles` folder, read at training time only and stored in the model). Training examples
    are left as written: their typos teach DIET too, and entity offsets must not move."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The folder of cleaned article texts."""
        return {"articles": "knowledge/articles/clean"}

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._corrector: SpellingCorrector | None = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SpellingCorrectorComponent":
        """A component to be trained."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SpellingCorrectorComponent":
        """The trained component, with the vocabulary stored in the model."""
        component = cls(config, model_storage, resource)
        with model_storage.read_from(resource) as directory:
            stored = read_json_file(directory / VOCABULARY_FILE)
        component._corrector = SpellingCorrector(stored["vocabulary"], trusted=stored["trusted"])
        return component

    def train(self, training_data: TrainingData) -> Resource:
        """Count the words of the training examples and the articles; store them in the model."""
        examples = [message.get(TEXT) or "" for message in training_data.training_examples]
        folder = Path(self._config["articles"])
        articles = [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]
        corrector = SpellingCorrector.from_texts(examples, articles)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(
                directory / VOCABULARY_FILE,
                {"vocabulary": corrector.vocabulary, "trusted": sorted(corrector.trusted)},
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples pass unchanged."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct each English message's text; keep the text as typed in the parse data when it
        changed; mark one that reads as keys hit at random as unreadable."""
        for message in messages:
            typed = message.get(TEXT) or ""
            if not self._corrector or typed.startswith(INTENT_MESSAGE_PREFIX) or is_spanish(typed):
                continue
            corrected = self._corrector.correct(typed)
            if corrected != typed:
                message.set(TEXT, corrected)
                message.set(TEXT_AS_TYPED_KEY, typed, add_to_output=True)
            if self._corrector.unreadable(corrected):
                message.set(UNREADABLE_KEY, True, add_to_output=True)
        return messages
