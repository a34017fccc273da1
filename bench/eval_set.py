"""The held-out evaluation set (tests/eval/questions_16.yml) and its slice at the articles' edges
(tests/eval/questions_edges_16.yml, categories prefixed EDGES): never trained or tuned on. The earlier
ones, scored until their wrong answers had been looked at, are development sets now (bench/dev.py)."""

from dataclasses import dataclass
from pathlib import Path

import yaml

EVAL_FILE = Path(__file__).resolve().parent.parent / "tests" / "eval" / "questions_16.yml"
EDGES_FILE = EVAL_FILE.with_name("questions_edges_16.yml")
EDGES = "edges: "  # the prefix of the edge slice's categories
ANSWER_TYPES = ("answer", "more")
# A question the articles cannot answer about a visit (booking, opening hours, directions) may get
# the front desk's contact (`contact`) rather than the general no-answer: neither says anything
# from the articles, and both give the clinic's contact.
RIGHT_TYPES = {"no_answer": ("no_answer", "contact")}
# The whole reference list is the `references` topic's answer: labelled an answer or a references
# reply, either type is right (a "where does that come from?" about another topic still needs the
# references reply).
REFERENCE_LIST = ("references",)


def _as_tuple(value) -> tuple:
    if value is None:
        return (None,)
    return tuple(value) if isinstance(value, list) else (value,)


@dataclass(frozen=True)
class EvalItem:
    """One question (its last turn is scored) and what a right reply is."""

    id: str
    category: str
    turns: tuple[str, ...]
    intents: tuple[str, ...]
    topics: tuple[str | None, ...]
    reply_type: str

    @property
    def question(self) -> str:
        """The scored message."""
        return self.turns[-1]


def load_eval_set(path: Path = EVAL_FILE, prefix: str = "") -> list[EvalItem]:
    """Every item of an evaluation set, its categories prefixed with `prefix`."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [
        EvalItem(
            id=entry["id"],
            category=prefix + entry["category"],
            turns=tuple(entry["turns"]),
            intents=_as_tuple(entry["intent"]),
            topics=_as_tuple(entry.get("topic")),
            reply_type=entry["type"],
        )
        for entry in entries
    ]


def load_held_out() -> list[EvalItem]:
    """The whole held-out set: the evaluation set and its edge slice."""
    return load_eval_set() + load_eval_set(EDGES_FILE, EDGES)


def reply_is_right(item: EvalItem, replies: list[dict]) -> bool:
    """Right type and topic; an answer also names its source and carries the disclaimer.

    A message of several questions gets a bot message for each (server/two_questions.py): one of
    them must be right, and none may answer a topic the item does not ask about. An honest
    no-answer to another part does not count against it.
    """
    payloads = [reply["custom"] for reply in replies if "custom" in reply]
    text = "\n".join(reply.get("text", "") for reply in replies)

    types = RIGHT_TYPES.get(item.reply_type, (item.reply_type,))
    if item.topics == REFERENCE_LIST:
        types = ("answer", "references")

    def is_right(payload: dict) -> bool:
        if payload.get("type") not in types:
            return False
        if payload.get("topic") not in item.topics:
            return False
        if payload.get("type") in ANSWER_TYPES:
            return bool(payload.get("sources")) and "not medical advice" in text
        return True

    def answers_another_topic(payload: dict) -> bool:
        return payload.get("type") in ANSWER_TYPES and payload.get("topic") not in item.topics

    return any(map(is_right, payloads)) and not any(map(answers_another_topic, payloads))
