"""Rasa NLU component: a request for personal medical advice is declined, whatever else it says.

The shapes of such a request (knowledge/advice_requests.yml: a diagnosis of the writer's own problem,
a treatment plan or a choice made for them, a dose) are unmistakable in a way the intent classifier
is not: "What dose of magnesium should I take for my muscle cramps?" reads to it as a question about
muscle spasms, which the articles answer, and the answer would read as advice. A message with one of
these shapes gets `ask_medical_advice` (confidence 1) and an `advice_request` key naming the shape;
any other message keeps what NLU predicted. A question whether IASTM is all right for someone in a
particular circumstance (a pregnancy, blood thinners, an implant, eczema, a child) gets
`ask_personal_safety` the same way, shape `personal_safety`: the articles list no contraindications,
and the classifier sometimes reads "I have a metal plate in my ankle, can they scrape over that?"
as "what is IASTM". The other way round, a message the classifier read as a request for advice
that asks "can this help?" and has no request shape gets `ask_condition` (shape `helps_question`):
"my glutes don't fire when I squat, can scraping wake them up?" asks what the articles answer; so
does one read as personal safety that asks, with no safety question, whether IASTM cures something
("can IASTM cure my diabetes?").
Triage runs after it, so an emergency still wins.
"""

import re
from functools import cache
from pathlib import Path

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu_addons.overriding import DecidingComponent, override_intent
from triage.text import normal_form

ADVICE_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "advice_requests.yml"
ADVICE_INTENT = "ask_medical_advice"
PERSONAL_SAFETY = "personal_safety"  # the shape of "is it all right for someone like me?"
SHAPE_INTENTS = {PERSONAL_SAFETY: "ask_personal_safety"}  # the intent of each shape not ADVICE_INTENT
HELPS_QUESTION = "helps_question"  # the shape of "can this help?", which gets CONDITION_INTENT
CONDITION_INTENT = "ask_condition"
# Parse-data key naming the shape found (diagnosis, plan, dose, personal_safety, helps_question).
ADVICE_KEY = "advice_request"


class AdviceRequests:
    """The request shapes of knowledge/advice_requests.yml, and the disowning that cancels them."""

    def __init__(self, spec: dict) -> None:
        spec = dict(spec)
        self.unless = [re.compile(p) for p in spec.pop("unless", ())]
        helps = spec.pop(HELPS_QUESTION, {})
        self.helps = [re.compile(p) for p in helps.get("asks", ())]
        self.helps_unless = [re.compile(p) for p in helps.get("unless", ())]
        self.cures = [re.compile(p) for p in helps.get("cures", ())]
        safety = spec.pop(PERSONAL_SAFETY, {})
        self.circumstances = [re.compile(p) for p in safety.get("circumstances", ())]
        self.safety_asks = [re.compile(p) for p in safety.get("asks", ())]
        self.shapes = {shape: [re.compile(p) for p in patterns] for shape, patterns in spec.items()}

    def shape_of(self, text: str) -> str | None:
        """The shape of request `text` makes (personal_safety, diagnosis, plan, dose), or None."""
        normal = normal_form(text)
        found = [any(p.search(normal) for p in group) for group in (self.circumstances, self.safety_asks)]
        if all(found):
            return PERSONAL_SAFETY
        if any(p.search(normal) for p in self.unless):
            return None
        return next(
            (shape for shape, patterns in self.shapes.items() if any(p.search(normal) for p in patterns)),
            None,
        )

    def asks_whether_it_cures(self, text: str) -> bool:
        """Whether `text` asks if IASTM cures something ("can IASTM cure my diabetes?")."""
        return any(p.search(normal_form(text)) for p in self.cures)

    def asks_whether_it_helps(self, text: str) -> bool:
        """Whether `text` asks if IASTM helps ("... can this help?")."""
        normal = normal_form(text)
        if any(p.search(normal) for p in self.helps_unless):
            return False
        return any(p.search(normal) for p in self.helps)


@cache
def load_advice_requests(path: Path = ADVICE_FILE) -> AdviceRequests:
    """The project's request shapes, read once per process."""
    return AdviceRequests(yaml.safe_load(path.read_text(encoding="utf-8")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AdviceRequestClassifier(DecidingComponent):
    """See the module docstring."""

    def __init__(self, requests: AdviceRequests) -> None:
        self._requests = requests

    @classmethod
    def from_project(cls) -> "AdviceRequestClassifier":
        """The component with the project's request shapes."""
        return cls(load_advice_requests())

    def process(self, messages: list[Message]) -> list[Message]:
        """Give every message that asks for personal advice the intent of its shape."""
        for message in messages:
            text = message.get(TEXT) or ""
            shape = self._requests.shape_of(text)
            if shape is not None:
                override_intent(message, SHAPE_INTENTS.get(shape, ADVICE_INTENT), ADVICE_KEY, shape)
            elif self._asks_of_a_condition(message, text):
                override_intent(message, CONDITION_INTENT, ADVICE_KEY, HELPS_QUESTION)
        return messages

    def _asks_of_a_condition(self, message: Message, text: str) -> bool:
        """Whether a message read as advice asks "can this help?", or one read as personal safety
        (without a safety question: no shape matched) asks "can this cure it?"."""
        intent = (message.get(INTENT) or {}).get("name")
        if intent == ADVICE_INTENT:
            return self._requests.asks_whether_it_helps(text)
        return intent == SHAPE_INTENTS[PERSONAL_SAFETY] and self._requests.asks_whether_it_cures(text)
