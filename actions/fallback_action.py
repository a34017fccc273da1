"""Low NLU confidence or nothing to go on: the closest passage and "did you mean" topics, or say no."""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_actions import (
    LAST_TOPIC_SLOT,
    MORE_GIVEN_SLOT,
    answer_topic,
    condition_topic_of,
    no_topic_reply,
    term_match_of,
    unknown_condition_reply,
    utter,
)
from actions.knowledge import CONDITION_INTENT, KnowledgeBase, Topic, load_knowledge
from actions.passage_search import SearchHit, load_search
from actions.replies import answer_reply, suggestions_reply, topic_button
from actions.scope_actions import ActionOffTopic, utter_scope_reply
from triage.patterns import is_spanish

MIN_SUGGESTION_CONFIDENCE = 0.1
# NLU's best guess under its fallback threshold, when the passage search lands on the same topic:
# two independent readings agree, so the topic is answered as asked (on the development sets:
# 95.0% -> 95.1% of 1,029 questions, none lost).
AGREEING_CONFIDENCE = 0.25
MAX_SUGGESTIONS = 2
FALLBACK_INTENT = "nlu_fallback"
UNREADABLE_KEY = "unreadable"  # set by NLU on keys hit at random (nlu_addons/unreadable.py)
# "what about plantar fasciitis?": a condition the articles name, and at most this many other words
MAX_WORDS_BESIDE_A_CONDITION = 3
WORD = re.compile(r"[^\W\d_]+")


def only_a_condition(kb: KnowledgeBase, message: dict[str, Any]) -> Topic | None:
    """The condition topic of a message that names one and says little else ("what about plantar
    fasciitis?", "and tendonitis?"): a follow-up that asks about that condition."""
    match = term_match_of(kb, CONDITION_INTENT, message)
    if match is None:
        return None
    text = (message.get("text") or "").lower().replace(match.term.lower(), " ")
    return match.topic if len(WORD.findall(text)) <= MAX_WORDS_BESIDE_A_CONDITION else None


def leans_to_condition(message: dict[str, Any]) -> bool:
    """Whether NLU's best guess under its fallback was "does IASTM help this condition"."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    return bool(ranking) and ranking[0].get("name") == CONDITION_INTENT


def agreed_topic(kb: KnowledgeBase, message: dict[str, Any], hit: SearchHit | None) -> Topic | None:
    """The topic of NLU's best guess when it scored AGREEING_CONFIDENCE and the search found it too."""
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT]
    if not hit or not ranking or ranking[0].get("confidence", 0) < AGREEING_CONFIDENCE:
        return None
    topic = kb.topic_for_intent(ranking[0].get("name") or "")
    return topic if topic == hit.topic else None


def suggested_topics(
    kb: KnowledgeBase, intent_ranking: list[dict[str, Any]], hit: SearchHit | None
) -> list[Topic]:
    """Up to two topics to offer: the searched passage's topic, then NLU's best topic intents."""
    topics = [hit.topic] if hit else []
    for ranked in intent_ranking:
        topic = kb.topic_for_intent(ranked.get("name") or "")
        if topic and ranked.get("confidence", 0) >= MIN_SUGGESTION_CONFIDENCE and topic not in topics:
            topics.append(topic)
    return topics[:MAX_SUGGESTIONS]


class ActionSearchFallback(Action):
    """Answer a low-confidence message with the closest passage (marked as such) or suggestions."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_search_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Search the passages; offer the best one and 'did you mean' buttons, else the honest no-answer."""
        kb = load_knowledge()
        message = tracker.latest_message
        text = (message.get("text") or "").strip()
        if not text or message.get(UNREADABLE_KEY):
            utter(dispatcher, no_topic_reply(kb, "unreadable" if text else "no_topic_yet"))
            return []
        if is_spanish(message.get("text_as_typed") or text):
            # the passages and suggestions are English: say so in Spanish (utter_off_topic_es)
            utter_scope_reply(dispatcher, ActionOffTopic.response, ActionOffTopic.reply_type, tracker)
            return []
        if leans_to_condition(message) and condition_topic_of(kb, message) is None:
            utter(dispatcher, unknown_condition_reply(kb, message))
            return []
        condition = only_a_condition(kb, message)
        if condition:
            return answer_topic(dispatcher, kb, condition)
        hit = load_search().best(text)
        agreed = agreed_topic(kb, message, hit)
        if agreed:
            return answer_topic(dispatcher, kb, agreed)
        topics = suggested_topics(kb, message.get("intent_ranking") or [], hit)
        if hit:
            reply = answer_reply(kb, hit.topic, (hit.passage,), reply_type="closest_passage")
            reply.text = "\n".join((kb.wording["search_intro"], reply.text, kb.wording["did_you_mean"]))
            reply.buttons = [topic_button(topic) for topic in topics]
            reply.payload["suggestions"] = [topic.id for topic in topics]
            utter(dispatcher, reply)
            return [SlotSet(LAST_TOPIC_SLOT, hit.topic.id), SlotSet(MORE_GIVEN_SLOT, False)]
        if topics:
            utter(dispatcher, suggestions_reply(kb, kb.wording["did_you_mean"], topics, "did_you_mean"))
        else:
            utter_scope_reply(dispatcher, "utter_no_answer", "no_answer", tracker)
        return []
