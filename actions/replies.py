"""Turns knowledge-base topics into replies: text for people, a payload for widgets. No Rasa imports."""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actions.knowledge import CONDITION_INTENT, KnowledgeBase, Passage, Reference, Topic

BULLET = "\u2022"
ASKS_FEEDBACK = ("answer", "more")  # reply types that offer 👍/👎
OFFERS_HANDOFF = ("no_answer", "did_you_mean", "closest_passage")  # reply types that offer a person
HANDOFF_PAYLOAD = "/ask_human"
FEEDBACK_INTENT = "/feedback"
FEEDBACK_TOPIC_ENTITY = "answer_topic"  # the topic of the answer a feedback button is on


@dataclass
class Reply:
    """One bot message: its text, quick-reply buttons and the structured payload (json_message)."""

    text: str
    payload: dict[str, Any]
    buttons: list[dict[str, str]] = field(default_factory=list)


def topic_button(topic: Topic) -> dict[str, str]:
    """A quick reply that asks `topic`'s question directly (no NLU guess involved)."""
    if topic.intent == CONDITION_INTENT:
        payload = "/" + CONDITION_INTENT + json.dumps({"condition": topic.name})
    else:
        payload = "/" + topic.intent
    return {"title": topic.question, "payload": payload}


def follow_up_buttons(
    kb: KnowledgeBase, reply_type: str | None, topic: str | None = None
) -> list[dict[str, str]]:
    """The quick replies a reply of `reply_type` ends with: feedback on an answer (naming the
    `topic` answered, so a 👍 on an earlier answer counts for that answer), the front desk after a
    no-answer or a "did you mean" (its other buttons come first)."""
    if reply_type in ASKS_FEEDBACK:
        on_topic = {FEEDBACK_TOPIC_ENTITY: topic} if topic else {}
        return [
            {
                "title": kb.wording[title],
                "payload": FEEDBACK_INTENT + json.dumps({"helpful": value, **on_topic}),
            }
            for title, value in (("feedback_helpful", "yes"), ("feedback_unhelpful", "no"))
        ]
    if reply_type in OFFERS_HANDOFF:
        return [{"title": kb.wording["handoff_button"], "payload": HANDOFF_PAYLOAD}]
    return []


def render_passage(kb: KnowledgeBase, passage: Passage, with_prefix: bool) -> str:
    """A passage as text: whose claim it is (the article, its context), its quote, its citations
    in brackets, then its list items."""
    text = passage.quote
    citations = [reference.citation for reference in kb.citations_of((passage,))]
    if citations:
        text += " (" + "; ".join(citations) + ")"
    if passage.context:
        text = passage.context + " " + text
    if with_prefix:
        text = kb.articles[passage.article].prefix + ": " + text
    return "\n".join([text] + [f"{BULLET} {item}" for item in passage.items])


def _article_ids(passages: Sequence[Passage]) -> list[str]:
    return list(dict.fromkeys(passage.article for passage in passages))


def _citation_payload(references: Iterable[Reference]) -> list[dict[str, str | None]]:
    return [
        {"key": ref.key, "citation": ref.citation, "reference": ref.full, "article": ref.article}
        for ref in references
    ]


def _sources_line(kb: KnowledgeBase, article_ids: list[str]) -> str:
    labels = " and ".join(kb.articles[article_id].label for article_id in article_ids)
    template = kb.wording["source_one"] if len(article_ids) == 1 else kb.wording["source_many"]
    return template.format(articles=labels)


def reference_text(kb: KnowledgeBase, reference: Reference) -> str:
    """The full reference, or the assistant's words for a study the article gives none for."""
    return reference.full or kb.wording["reference_missing"].format(citation=reference.citation)


def study_line(kb: KnowledgeBase, reference: Reference) -> str:
    """A study's full reference as the articles give it, or that they give none."""
    if reference.full:
        return kb.wording["study_reference"].format(reference=reference.full)
    return reference_text(kb, reference)


def answer_reply(
    kb: KnowledgeBase,
    topic: Topic,
    passages: Sequence[Passage],
    reply_type: str = "answer",
    note: str | None = None,
) -> Reply:
    """The answer to `topic` from `passages` (after a `note`, if any), with the study's full
    reference on a study's topic, its sources, citations and the disclaimer."""
    article_ids = _article_ids(passages)
    with_prefix = len(article_ids) > 1
    rendered = [render_passage(kb, passage, with_prefix) for passage in passages]
    study = [study_line(kb, kb.references[topic.reference])] if topic.reference else []
    # One line break, not two: Rasa's REST channel splits a text into separate messages at blank lines.
    lines = ([note] if note else []) + rendered + study
    text = "\n".join(lines + [_sources_line(kb, article_ids), kb.wording["disclaimer"]])
    payload = {
        "type": reply_type,
        "topic": topic.id,
        "question": topic.question,
        "passages": [
            {
                "article": passage.article,
                "text": passage_text,
                "citations": [ref.citation for ref in kb.citations_of((passage,))],
            }
            for passage, passage_text in zip(passages, rendered, strict=False)
        ],
        "sources": [{"id": article_id, "title": kb.articles[article_id].label} for article_id in article_ids],
        "citations": _citation_payload(kb.citations_of(tuple(passages))),
        "disclaimer": kb.wording["disclaimer"],
    }
    if note:
        payload["note"] = note
    return Reply(text=text, payload=payload)


def suggestions_reply(kb: KnowledgeBase, intro: str, topics: Sequence[Topic], reply_type: str) -> Reply:
    """A short message offering `topics` as quick replies."""
    buttons = [topic_button(topic) for topic in topics]
    payload = {"type": reply_type, "topic": None, "suggestions": [topic.id for topic in topics]}
    return Reply(text=intro, payload=payload, buttons=buttons)


def no_more_reply(kb: KnowledgeBase, topic: Topic) -> Reply:
    """Said when the articles have nothing more on `topic`; offers its related topics."""
    related = [kb.topics[topic_id] for topic_id in topic.related]
    intro = kb.wording["no_more"].format(question=topic.question)
    if related:
        intro += " " + kb.wording["related_prompt"]
    reply = suggestions_reply(kb, intro, related, "no_more")
    reply.payload["topic"] = topic.id
    return reply


def references_reply(kb: KnowledgeBase, topic: Topic, passages: Sequence[Passage]) -> Reply:
    """The full references behind an answer, or a plain statement that it cites none."""
    references = kb.citations_of(tuple(passages))
    article_labels = " and ".join(kb.articles[a].label for a in _article_ids(passages))
    if not references:
        text = kb.wording["no_citations"].format(articles=article_labels)
    else:
        lines = [f"{BULLET} {reference_text(kb, ref)}" for ref in references]
        text = "\n".join([kb.wording["references_intro"]] + lines)
    payload = {"type": "references", "topic": topic.id, "citations": _citation_payload(references)}
    return Reply(text=text, payload=payload)
