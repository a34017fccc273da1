"""Answer quality on the evaluation set: intent scores, the search-box baseline, end-to-end answers."""

import asyncio
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import f1_score

from actions.passage_search import load_search
from bench.eval_set import EvalItem, reply_is_right
from server.processes import Servers

NO_RESULT_INTENT = "out_of_scope"
HONEST_NO_ANSWER_TYPES = ("no_answer", "declined", "off_topic")


@dataclass
class IntentScores:
    """Intent accuracy and macro F1 over the evaluation set (the last message of each item)."""

    accuracy: float
    macro_f1: float


@dataclass
class AnswerScores:
    """Share of items answered right, overall and per category."""

    accuracy: float
    by_category: dict[str, float] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def accuracy_of(self, prefix: str) -> float:
        """Share answered right over the categories starting with `prefix` (a slice)."""
        chosen = [c for c in self.counts if c.startswith(prefix)]
        total = sum(self.counts[c] for c in chosen)
        return sum(self.by_category[c] * self.counts[c] for c in chosen) / max(1, total)


def intent_scores(items: list[EvalItem], predict: Callable[[str], str]) -> IntentScores:
    """Score `predict` (text -> intent); an item with several right intents counts any of them."""
    gold, predicted = [], []
    for item in items:
        guess = predict(item.question)
        predicted.append(guess)
        gold.append(guess if guess in item.intents else item.intents[0])
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(items)
    labels = sorted(set(gold))
    macro_f1 = f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)
    return IntentScores(accuracy=accuracy, macro_f1=float(macro_f1))


def rasa_intent_predictor(model: Path, as_served: bool = False) -> Callable[[str], str]:
    """Parse messages in-process with a trained Rasa model; `as_served` parses with the message
    processor our server runs (server/processor.py: long messages read by their question)."""
    from rasa.core.channels.channel import UserMessage
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.processor import MessageProcessor
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from server.processor import AssistantProcessor

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    processor_class = AssistantProcessor if as_served else MessageProcessor
    processor = processor_class(
        model_path=str(model),
        tracker_store=InMemoryTrackerStore(Domain.empty()),
        lock_store=InMemoryLockStore(),
        generator=None,
    )
    loop = asyncio.new_event_loop()

    def predict(text: str) -> str:
        parsed = loop.run_until_complete(processor.parse_message(UserMessage(text)))
        return (parsed.get("intent") or {}).get("name") or NO_RESULT_INTENT

    return predict


def search_intent(text: str) -> str:
    """The search-box baseline as a classifier: the intent of the best passage's topic."""
    hit = load_search().best(text)
    return hit.topic.intent if hit else NO_RESULT_INTENT


def _scores(results: dict[str, list[bool]], wrong: list[str]) -> AnswerScores:
    every = [ok for oks in results.values() for ok in oks]
    by_category = {category: sum(oks) / len(oks) for category, oks in sorted(results.items())}
    counts = {category: len(oks) for category, oks in results.items()}
    return AnswerScores(sum(every) / len(every), by_category, wrong, counts)


def search_box_answers(items: list[EvalItem]) -> AnswerScores:
    """A search box over the articles: right when its top passage's topic is right, or when it
    finds nothing for a question that should get no answer. It has no context, disclaimer or
    emergency advice."""
    results, wrong = defaultdict(list), []
    for item in items:
        hit = load_search().best(item.question)
        if hit:
            right = item.reply_type == "answer" and hit.topic.id in item.topics
        else:
            right = item.reply_type in HONEST_NO_ANSWER_TYPES
        results[item.category].append(right)
        if not right:
            wrong.append(item.id)
    return _scores(results, wrong)


def rest_answers(
    items: list[EvalItem], servers: Servers, on_wrong: Callable[[EvalItem, list], None] | None = None
) -> AnswerScores:
    """Hold each item's conversation through the REST channel and score the last reply;
    `on_wrong` is told each wrongly answered item and its replies."""
    results, wrong = defaultdict(list), []
    for item in items:
        sender = f"eval-{uuid.uuid4().hex}"
        replies = [servers.say(sender, turn) for turn in item.turns][-1]
        right = reply_is_right(item, replies)
        results[item.category].append(right)
        if not right:
            wrong.append(item.id)
            if on_wrong:
                on_wrong(item, replies)
    return _scores(results, wrong)
