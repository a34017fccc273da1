"""A long, rambling message is classified by its question, not by the story around it.

Several sentences of background ("my daughter swims, her physio started scraping her shoulders")
outweigh the one question in DIET's features and pull the message towards the wrong intent, often
personal medical advice. When a long message has question sentences, each is parsed on its own too
and the most confident one's intent is used when it beats the whole message's. The entities and
the text stay those of the whole message, so a condition named in the story still counts, and a
story that makes the question personal keeps it personal: "I'm 7 months pregnant ... Is it safe?"
is a personal-safety question (the whole message's intent), not the general "is it safe?". A
question sentence that follows up ("What does that mean?") points at the message's own story, so
it never replaces the whole message's intent.
A remark set off from the question by a change of subject ("my wifi keeps having seizures lol,
anyway does graston hurt?", "ay que calor, por cierto ¿duele?") is a story too, however short: the
words after "anyway", "btw", "by the way", "por cierto", "en fin" or a colon are a sentence of their own,
and their question gives the intent when it reads fairly surely, however sure the whole message is
(the remark "traffic on I-10 is a nightmare" reads as a question about directions).
Used by the message processor (server/processor.py), so every channel and the benchmark get it.
"""

import copy
import re
from collections.abc import Callable

from rasa.core.channels.channel import UserMessage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT

from nlu_addons.triage_classifier import EMERGENCY_INTENT

MIN_WORDS = 12  # shorter messages are classified whole
MAX_QUESTIONS = 3  # different question sentences parsed on their own, at most (the first ones)
SHIFTED_MIN_CONFIDENCE = 0.5  # a question after a change of subject gives the intent from this confidence
FALLBACK_INTENT = "nlu_fallback"
# Whole-message intents about the writer's own situation, and the general question sentences that
# must not replace them (the articles' general safety answer is no answer for a pregnancy).
PERSONAL_INTENTS = ("ask_personal_safety", "ask_condition")
GENERAL_INTENTS = ("ask_safety",)
FOLLOW_UP_INTENTS = ("ask_more",)
# After a full stop, a question or exclamation mark, or an emoji ("my cat spilled my coffee 😂 what ...").
SENTENCE_BREAK = re.compile(r"(?<=[.!?\u2600-\u27bf\U0001f300-\U0001faff])\s+|\n+")
# A change of subject after a remark: after punctuation, the marker starts a new sentence; so does
# what follows a colon ("phone's at 2% so real quick: what is it used for?").
TOPIC_SHIFT = re.compile(
    r"[,;:.!?]\s*(?:but\s+)?(?:anyway|anyways|anyhow|btw|by the way|en fin|por cierto)\b[,:!]?\s+|:\s+",
    re.IGNORECASE,
)
QUESTION_OPENERS = re.compile(
    r"^(what|what's|whats|how|why|when|where|who|which|is|isn't|are|aren't|am|was|were|does|doesn't|do|did|"
    r"can|could|would|wouldn't|will|won't|should|shouldn't|may|might|has|have|any|tell me)\b",
    re.IGNORECASE,
)
# Parse-data key holding the sentence whose intent was used.
FOCUS_KEY = "focused_on"


def question_sentences(text: str) -> list[str]:
    """The sentences of a long message, or of a remark and a change of subject, that ask something;
    none for a short or one-sentence one."""
    pieces = TOPIC_SHIFT.split(text)
    sentences = _sentences(pieces)
    if len(sentences) < 2 or (len(text.split()) < MIN_WORDS and len(pieces) < 2):
        return []
    questions = dict.fromkeys(s for s in sentences if s.endswith("?") or QUESTION_OPENERS.match(s))
    return list(questions)[:MAX_QUESTIONS]


def shifted_sentences(text: str) -> set[str]:
    """The sentences after a change of subject ("..., anyway does it hurt?")."""
    return set(_sentences(TOPIC_SHIFT.split(text)[1:]))


def _sentences(pieces: list[str]) -> list[str]:
    """The sentences of the pieces of a message, in order."""
    return [s.strip() for piece in pieces for s in SENTENCE_BREAK.split(piece) if s.strip()]


def confidence(parse_data: dict) -> float:
    """The confidence of the best intent other than the fallback."""
    ranking = [r for r in parse_data.get(INTENT_RANKING_KEY) or [] if r.get("name") != FALLBACK_INTENT]
    return ranking[0]["confidence"] if ranking else parse_data[INTENT].get("confidence", 0.0)


def parse_by_question(parse: Callable[[UserMessage], dict], message: UserMessage) -> dict:
    """`parse(message)`, taking a long message's intent from its most confident question sentence
    (each parsed by `parse` too) when that is more confident than the whole message."""
    whole = parse(message)
    if whole[INTENT].get("name") == EMERGENCY_INTENT:
        return whole
    best, best_sentence = whole, None
    shifted = shifted_sentences(message.text or "")
    for sentence in question_sentences(message.text or ""):
        part_message = copy.copy(message)
        part_message.text = sentence
        part = parse(part_message)
        if whole[INTENT].get("name") in PERSONAL_INTENTS and part[INTENT].get("name") in GENERAL_INTENTS:
            continue
        if part[INTENT].get("name") in FOLLOW_UP_INTENTS:
            continue
        after_a_remark = sentence in shifted and best is whole and confidence(part) >= SHIFTED_MIN_CONFIDENCE
        if confidence(part) > confidence(best) or after_a_remark:
            best, best_sentence = part, sentence
    if best_sentence is None:
        return whole
    return {
        **whole,
        INTENT: best[INTENT],
        INTENT_RANKING_KEY: best.get(INTENT_RANKING_KEY, []),
        FOCUS_KEY: best_sentence,
        TEXT: whole[TEXT],
    }
