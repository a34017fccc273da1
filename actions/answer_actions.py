"""Actions that answer from the knowledge base: a topic, more on the last topic, and its sources."""

import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.clinic import load_clinic
from actions.knowledge import (
    CONDITION_INTENT,
    STUDY_INTENT,
    STUDY_NAMED_KEY,
    TERM_INTENTS,
    KnowledgeBase,
    TermMatch,
    Topic,
    load_knowledge,
)
from actions.replies import (
    Reply,
    answer_reply,
    follow_up_buttons,
    no_more_reply,
    references_reply,
    suggestions_reply,
)
from actions.scope_actions import ActionNoAnswer, ActionPersonalSafety, utter_scope_reply

LAST_TOPIC_SLOT = "last_topic"
MORE_GIVEN_SLOT = "more_given"
REFERENCES_INTENT = "ask_references"
NAME_WORD = re.compile(r"[^\W\d_]{3,}")  # a condition's or body part's name has a word of 3 letters
# what may lie between two pieces of one name: spaces, or one word that joins no two names
NAME_GAP = re.compile(
    r"^\s+(?:(?!(?:and|or|nor|but|with|in|on|at|of|for|to|from|y|o|con|en|de)\s)[^\W\d_][\w'-]*\s+)?$", re.I
)
SENTENCE = re.compile(r"[^.!?]+[.!?]*")
QUESTION = re.compile(r"\?+")
# a question that points back at what was said before it: "is IASTM used for that?"
REFERS_BACK = re.compile(
    r"\b(?:for|with|on|help|treat|fix|work|loosen|break|release)\s+(?:that|this|it|those|these|them)\b", re.I
)
# "all your references" asks for every study; "can you give me the references" after an answer
# asks for that answer's
ALL_REFERENCES = re.compile(r"\b(?:all|every|bibliography|complete|whole|entire|todas|todos)\b", re.I)


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a reply's text, buttons (then those its type ends with) and payload as one bot message."""
    buttons = reply.buttons + follow_up_buttons(
        load_knowledge(), reply.payload.get("type"), reply.payload.get("topic")
    )
    dispatcher.utter_message(text=reply.text, buttons=buttons, json_message=reply.payload)


def last_topic(tracker: Tracker, kb: KnowledgeBase) -> Topic | None:
    """The topic of the last answer in this conversation, if any."""
    return kb.topics.get(tracker.get_slot(LAST_TOPIC_SLOT) or "")


def named_problems(message: dict[str, Any], joined: bool = False) -> list[str]:
    """The conditions, then the body parts, that NLU found in a message; a stray piece of one
    ("'s" of "Raynaud's", a dash) is no name; with `joined`, pieces of one name are one."""
    entities = message.get("entities") or []
    if joined:
        entities = _joined(entities, message.get("text") or "")
    return [
        e["value"]
        for kind in ("condition", "body_part")
        for e in entities
        if e.get("entity") == kind and NAME_WORD.search(str(e.get("value")))
    ]


def _joined(entities: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Entities of one kind that NLU found a word or less apart, joined into one: "bad" and
    "menstrual cramps" in "i get bad menstrual cramps" are one name, "bad period cramps" too. Only
    entities found as typed are joined (a corrected word's offsets are not the typed text's)."""
    placed = sorted((e for e in entities if _as_typed(e, text)), key=lambda e: e["start"])
    joined: list[dict[str, Any]] = []
    for entity in placed:
        last = joined[-1] if joined else None
        if (
            last
            and last.get("entity") == entity.get("entity")
            and NAME_GAP.match(text[last["end"] : entity["start"]])
        ):
            joined[-1] = {**last, "end": entity["end"], "value": text[last["start"] : entity["end"]]}
        else:
            joined.append(entity)
    return joined + [e for e in entities if not _as_typed(e, text)]


def _as_typed(entity: dict[str, Any], text: str) -> bool:
    """Whether an entity's offsets hold its value in `text`."""
    start, end = entity.get("start"), entity.get("end")
    return (
        start is not None and end is not None and text[start:end].lower() == str(entity.get("value")).lower()
    )


def condition_topic_of(kb: KnowledgeBase, message: dict[str, Any]) -> Topic | None:
    """The condition topic that a message names, by its entities or its words."""
    match = term_match_of(kb, CONDITION_INTENT, message)
    return match.topic if match else None


def term_match_of(kb: KnowledgeBase, intent: str, message: dict[str, Any]) -> TermMatch | None:
    """The topic of `intent` that a message names: in its question sentences first ("My doctor
    said my back pain is from muscle spasms. Can IASTM help with spasms?" asks about spasms), else
    by its entities or any of its words."""
    text = message.get("text") or ""
    questions = questions_after_a_story(text)
    asked = kb.match_terms(intent, *questions, within=text) if questions else None
    # A name NLU found as typed is read in its sentence ("the back of my leg" is no back); a
    # corrected one, on its own.
    corrected = [name for name in named_problems(message) if name.lower() not in text.lower()]
    return asked or kb.match_terms(intent, *corrected, text)


def questions_after_a_story(text: str) -> list[str]:
    """The question sentences of a message that also tells something; none when it is all questions."""
    sentences = SENTENCE.findall(text)
    questions = [sentence for sentence in sentences if sentence.rstrip().endswith("?")]
    return questions if len(questions) < len(sentences) else []


def asked_part(message: dict[str, Any]) -> str:
    """What a general question asks about: its questions, when a story comes before them that they
    do not point back at ("I have jumper's knee. What are the benefits of IASTM?"); else all of it."""
    text = message.get("text") or ""
    questions = questions_after_a_story(text)
    if questions and not any(REFERS_BACK.search(q) for q in questions):
        return " ".join(questions)
    return text


def condition_asked_about(kb: KnowledgeBase, message: dict[str, Any]) -> TermMatch | None:
    """The condition the articles name that a general question (how well it works, its benefits,
    its uses) asks about, in the part it asks about."""
    part = asked_part(message)
    if part != (message.get("text") or ""):
        return kb.match_terms(CONDITION_INTENT, part, within=message.get("text") or "")
    return term_match_of(kb, CONDITION_INTENT, message)


def unknown_condition_asked(message: dict[str, Any]) -> bool:
    """Whether the part a general question asks about names a condition (found by NLU) at all:
    "Can IASTM help fibro?" asks about one the articles do not name."""
    text, part = message.get("text") or "", asked_part(message)
    return any(
        e.get("entity") == "condition"
        and NAME_WORD.search(str(e.get("value")))
        and text[e["start"] : e["end"]] in part
        for e in message.get("entities") or []
        if "start" in e and "end" in e
    )


def near_term_note(kb: KnowledgeBase, match: TermMatch) -> str | None:
    """What to say first when the question's word is not the articles' own ("tennis elbow")."""
    if match.articles_use_it:
        return None
    return kb.wording["near_term"].format(term=match.term, name=match.topic.name or match.topic.question)


def unknown_condition_reply(kb: KnowledgeBase, message: dict[str, Any]) -> Reply:
    """The honest no-answer for a condition the articles do not name (or a problem not named at all).
    A name that is a term of theirs was not read as one here ("my knee pain came back"): not named."""
    named = [
        name
        for name in named_problems(message, joined=True)
        if kb.match_terms(CONDITION_INTENT, name) is None
    ]
    condition = named[0] if named else None
    known = ", ".join(kb.condition_names())
    template = kb.wording["condition_unknown"] if condition else kb.wording["condition_unnamed"]
    text = template.format(condition=condition, known=known, clinic_contact=load_clinic().contact)
    payload = {
        "type": "no_answer",
        "topic": None,
        "condition": condition,
        "known_conditions": kb.condition_names(),
    }
    return Reply(text=text, payload=payload)


def unknown_study_reply(kb: KnowledgeBase) -> Reply:
    """The honest no-answer for a study the articles do not cite, with the studies they do cite."""
    cited = [reference.citation for reference in kb.references.values()]
    text = kb.wording["study_unknown"].format(cited="; ".join(cited), clinic_contact=load_clinic().contact)
    return Reply(text=text, payload={"type": "no_answer", "topic": None, "cited": cited})


def no_topic_reply(kb: KnowledgeBase, wording: str = "no_topic_yet") -> Reply:
    """Said when there is no topic to answer or follow up (or the message could not be read):
    popular questions as quick replies."""
    starters = [kb.topics[topic_id] for topic_id in kb.starter_topics]
    return suggestions_reply(kb, kb.wording[wording], starters, "no_topic")


def answer_topic(
    dispatcher: CollectingDispatcher, kb: KnowledgeBase, topic: Topic, note: str | None = None
) -> list[EventType]:
    """Utter a topic's answer (after a note, if any) and remember it as the topic to follow up."""
    utter(dispatcher, answer_reply(kb, topic, topic.answer, note=note))
    return [SlotSet(LAST_TOPIC_SLOT, topic.id), SlotSet(MORE_GIVEN_SLOT, False)]


def answer_match(
    dispatcher: CollectingDispatcher, kb: KnowledgeBase, match: TermMatch, text: str
) -> list[EventType]:
    """Answer the topic a question's words picked, or the evidence on a claim about it that the
    question doubts (`KnowledgeBase.as_asked`; the near-term note only for the topic picked)."""
    topic = kb.as_asked(match.topic, text)
    return answer_topic(dispatcher, kb, topic, near_term_note(kb, match) if topic is match.topic else None)


class ActionAnswerTopic(Action):
    """Answer the topic the user asked about, or say honestly that the articles do not cover it."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_answer_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Look the topic up by intent (conditions and studies by their words) and utter its answer."""
        kb = load_knowledge()
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        if kb.leaves_unanswered(message.get("text") or ""):
            # "how long do the results last?": the articles never say, whatever topic its words are of
            utter_scope_reply(dispatcher, ActionNoAnswer.response, ActionNoAnswer.reply_type, tracker)
            return []
        if intent == CONDITION_INTENT and kb.asks_about_safety(message.get("text") or ""):
            # "is scraping safe with my eczema?": the articles say nothing on who should not have it
            safety = ActionPersonalSafety
            utter_scope_reply(dispatcher, safety.response, safety.reply_type, tracker, topic=safety.topic)
            return []
        if intent == STUDY_INTENT and STUDY_NAMED_KEY in message:
            # the study-name component decided (a misspelt "kamalli 2014" is Kamali's; "the Markham
            # 2018 meta-analysis" is no study of theirs, though "meta-analysis" describes Williams's)
            named = kb.topics.get(message[STUDY_NAMED_KEY] or "")
            if named:
                return answer_topic(dispatcher, kb, named)
            utter(dispatcher, unknown_study_reply(kb))
            return []
        if intent in kb.condition_first_intents and len(QUESTION.findall(message.get("text") or "")) < 2:
            # (two questions are two topics: "how does it work? and does it break up scar tissue?")
            condition = condition_asked_about(kb, message)
            if condition:  # "is there evidence it helps low back pain?": the findings on low back pain
                return answer_match(dispatcher, kb, condition, message.get("text") or "")
            if unknown_condition_asked(message):
                utter(dispatcher, unknown_condition_reply(kb, message))
                return []
        if intent in TERM_INTENTS:
            match = term_match_of(kb, intent, message)
            if match:
                return answer_match(dispatcher, kb, match, message.get("text") or "")
            if intent == CONDITION_INTENT:
                after_effect = kb.after_effect_match(message.get("text") or "")
                if after_effect:  # "tingly after graston, normal?"
                    return answer_topic(dispatcher, kb, after_effect.topic, near_term_note(kb, after_effect))
                utter(dispatcher, unknown_condition_reply(kb, message))
                return []
            utter(dispatcher, unknown_study_reply(kb))  # not one the articles cite
            return []
        else:
            topic = kb.topic_for_intent(intent)
            if intent == REFERENCES_INTENT and not ALL_REFERENCES.search(message.get("text") or ""):
                previous = last_topic(tracker, kb)
                if previous not in (None, topic):
                    return ActionShowSources().follow_up(dispatcher, tracker, kb, previous)
        if topic is None:
            utter(dispatcher, no_topic_reply(kb))
            return []
        # "felt tired after the session, normal?": the articles name no such after-effect, say so first
        match = kb.match_terms(intent, message.get("text") or "") if topic.near_terms else None
        return answer_topic(dispatcher, kb, topic, near_term_note(kb, match) if match else None)


class FollowUpAction(Action, ABC):
    """A follow-up on the last answered topic; with no topic yet, popular questions instead."""

    @abstractmethod
    def name(self) -> str:
        """Name used in domain.yml and the rules."""

    @abstractmethod
    def follow_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, topic: Topic
    ) -> list[EventType]:
        """Utter the follow-up on `topic`."""

    def without_topic(self, dispatcher: CollectingDispatcher, kb: KnowledgeBase) -> list[EventType]:
        """With nothing answered yet: popular questions."""
        utter(dispatcher, no_topic_reply(kb))
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Follow up on the last topic, or do without one."""
        kb = load_knowledge()
        topic = last_topic(tracker, kb)
        if topic is None:
            return self.without_topic(dispatcher, kb)
        return self.follow_up(dispatcher, tracker, kb, topic)


class ActionTellMore(FollowUpAction):
    """Follow-up 'tell me more' / 'why?': the next passages on the last topic, or related topics."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_tell_more"

    def follow_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, topic: Topic
    ) -> list[EventType]:
        """Utter the topic's further passages once, then offer related topics."""
        if topic.more and not tracker.get_slot(MORE_GIVEN_SLOT):
            utter(dispatcher, answer_reply(kb, topic, topic.more, reply_type="more"))
            return [SlotSet(MORE_GIVEN_SLOT, True)]
        utter(dispatcher, no_more_reply(kb, topic))
        return []


class ActionShowSources(FollowUpAction):
    """Follow-up 'which study says so?': the full references behind the last answer."""

    def name(self) -> str:
        """Name used in domain.yml and the rules."""
        return "action_show_sources"

    def follow_up(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, kb: KnowledgeBase, topic: Topic
    ) -> list[EventType]:
        """Utter the full references of every passage shown on the last topic."""
        passages = topic.answer + (topic.more if tracker.get_slot(MORE_GIVEN_SLOT) else ())
        utter(dispatcher, references_reply(kb, topic, passages))
        return []

    def without_topic(self, dispatcher: CollectingDispatcher, kb: KnowledgeBase) -> list[EventType]:
        """Asked for the studies before any answer ("what studies do you cite?"): the articles' references."""
        return answer_topic(dispatcher, kb, kb.topic_for_intent(REFERENCES_INTENT))
