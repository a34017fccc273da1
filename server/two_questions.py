"""A message that asks two to four questions gets each one answered, in the order asked.

"Does it hurt, and will I be left with bruises?" used to get one answer: NLU gives a message one
intent. When a message is nothing but questions (each sentence or "and"-clause opens like a
question), each part is parsed on its own; when every part reads surely (confidence at least
`MIN_CONFIDENCE`) and they ask different things, the message is handled as its parts, one after
another, as if sent one by one. So each part gets the reply it would get alone: an answer, an honest
no-answer, a declined request for advice, and follow-ups refer to the last part answered. The replies
of all parts come back together (server/processor.py handles the parts).

A message that reads as an emergency, a message with a story around its questions (long messages
keep their question focus, server/long_messages.py), a button's "/intent" payload and a part that
reads unsurely are all handled whole, as before.
"""

import copy
import re

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.nlu.constants import INTENT

from actions.knowledge import STUDY_INTENT
from nlu_addons.triage_classifier import EMERGENCY_INTENT
from server.long_messages import (
    FALLBACK_INTENT,
    FOLLOW_UP_INTENTS,
    GENERAL_INTENTS,
    QUESTION_OPENERS,
    SENTENCE_BREAK,
    confidence,
)

MAX_PARTS = 4  # more than this is handled whole
MIN_CONFIDENCE = 0.8
# "..., and will it bruise", "... and also what is it", "...; how long": a clause that opens a question.
# Written for single spaces (runs are collapsed first), so that nothing can backtrack over a run.
CLAUSE_BREAK = re.compile(r"[,;]? (?:and also|and|also|plus) (?=\S)|; ?", re.IGNORECASE)
SPACE_RUN = re.compile(r"[^\S\n]+")
# "hey, does it hurt? and how long...", "... nervous system? And is the fascia thing real?": words
# before a question that ask nothing.
LEADING_FILLER = re.compile(
    r"^(?:(?:hi|hey|hello|ok|okay|so|well|and|also|plus|but)\b[\s,!.]*)+", re.IGNORECASE
)
# A later part that points back ("what was it looking at?", "what did he say about fascia?") after a
# question about a study asks about it; beside a follow-up, a part that points back asks about the last
# answer too.
REFERS_BACK = re.compile(
    r"\b(?:it|its|they|them|their|he|she|his|her|him|that one|this one)\b", re.IGNORECASE
)
# A personal-safety part makes a general "is it safe?" beside it personal: the articles' general
# safety answer is no answer for a pacemaker.
PERSONAL_SAFETY_INTENT = "ask_personal_safety"
# Asking about the last answer: for more of it (a follow-up, as in long messages), or where it comes from.
ABOUT_THE_LAST_ANSWER = {*FOLLOW_UP_INTENTS, "ask_source"}


def question_parts(text: str) -> list[str]:
    """The questions of a message made only of questions; none when any piece is not one."""
    if text.startswith("/"):
        return []
    text = SPACE_RUN.sub(" ", text)
    parts = [
        LEADING_FILLER.sub("", clause.strip())
        for sentence in SENTENCE_BREAK.split(text)
        for clause in CLAUSE_BREAK.split(sentence)
        if clause.strip()
    ]
    if not 2 <= len(parts) <= MAX_PARTS:
        return []
    if not all(QUESTION_OPENERS.match(part) for part in parts):
        return []
    return parts


def _part_message(message: UserMessage, text: str, index: int) -> UserMessage:
    part = copy.copy(message)
    part.text = text
    part.message_id = f"{message.message_id}-{index}" if message.message_id else None
    return part


async def _asks_each_surely(processor: MessageProcessor, message: UserMessage, parts: list[str]) -> bool:
    """Whether the message is no emergency and each part reads surely as a different intent."""
    whole = await processor.parse_message(message)
    if whole[INTENT].get("name") == EMERGENCY_INTENT:
        return False
    intents = []
    for index, text in enumerate(parts):
        parse = await processor.parse_message(_part_message(message, text, index))
        intents.append(parse[INTENT].get("name"))
        if intents[-1] in (FALLBACK_INTENT, EMERGENCY_INTENT) or confidence(parse) < MIN_CONFIDENCE:
            return False
    if intents[0] == STUDY_INTENT and any(REFERS_BACK.search(text) for text in parts[1:]):
        return False  # "What did the Kim review find, and what was it looking at?" asks about the study
    if ABOUT_THE_LAST_ANSWER & set(intents) and any(REFERS_BACK.search(text) for text in parts):
        return False  # "Where does that come from? What research backs it up?" follows up the last answer
    if PERSONAL_SAFETY_INTENT in intents and set(GENERAL_INTENTS) & set(intents):
        return False  # "do you do this on people with pacemakers? is it safe" asks one personal question
    return len(set(intents)) == len(intents)


async def parts_to_handle(processor: MessageProcessor, message: UserMessage) -> list[UserMessage]:
    """The message's questions as messages of their own, to handle in turn; none to handle it whole."""
    parts = question_parts(message.text or "")
    if not parts or not await _asks_each_surely(processor, message, parts):
        return []
    return [_part_message(message, text, index) for index, text in enumerate(parts)]
