"""The knowledge base (knowledge/knowledge.yml) as plain objects; no Rasa imports."""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
CONDITION_INTENT = "ask_condition"
STUDY_INTENT = "ask_study"
TERM_INTENTS = (CONDITION_INTENT, STUDY_INTENT)  # intents whose topic is picked by the words asked
STUDY_NAMED_KEY = "study_named"  # parse-data key: the cited study a message names (nlu_addons/study_names.py)


@dataclass(frozen=True)
class Reference:
    """A study an article cites: its short citation and, where the article gives one, the full reference."""

    key: str
    citation: str
    article: str
    full: str | None


@dataclass(frozen=True)
class Passage:
    """A quote from one article, with the list items it introduces and the studies it cites;
    `context` says whose claim it is when the quote alone would not ("On the modern technique:")."""

    article: str
    quote: str
    items: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    context: str | None = None


@dataclass(frozen=True)
class Topic:
    """One question the articles answer, its answer passages and what to offer next.

    Topics of a TERM_INTENTS intent are picked by `terms` (the articles' own words) or
    `near_terms` (what people say for it, answered with a note that the articles do not use that
    word; where `near_terms_need` lists words, only in a message with one of them, as whole words or
    their longer forms; never inside a phrase of `near_terms_except`, "came back" for "back"; never
    in a message naming one of `near_terms_unless`, "period cramps ... that kind of cramping"); a
    `problem` topic's own term beats a longer one of another topic's `place_terms` ("knots in my
    upper traps" asks about the knots, not the upper back); a question with one of its
    `claim_words` asks for the evidence on that claim, the topic `claimed_by` ("does it really break
    up scar tissue?"); a
    study's topic names its `reference`. A topic of another intent may list them
    too: a question with only a near term in it ("tired after the session") gets the note first."""

    id: str
    intent: str
    question: str
    answer: tuple[Passage, ...]
    more: tuple[Passage, ...] = ()
    related: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    near_terms: tuple[str, ...] = ()
    near_terms_need: tuple[str, ...] = ()
    near_terms_except: tuple[str, ...] = ()
    near_terms_unless: tuple[str, ...] = ()
    problem: bool = False
    place_terms: tuple[str, ...] = ()
    claim_words: tuple[str, ...] = ()
    claimed_by: str | None = None
    name: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class TermMatch:
    """The topic a question's words picked, the word that picked it, and whether the articles use it."""

    topic: Topic
    term: str
    articles_use_it: bool


@dataclass(frozen=True)
class Article:
    """A source article as the assistant names it."""

    id: str
    label: str
    prefix: str


@dataclass
class KnowledgeBase:
    """Topics, references, articles and answer wording, with the look-ups the actions need."""

    topics: dict[str, Topic]
    references: dict[str, Reference]
    articles: dict[str, Article]
    wording: dict[str, str]
    safety_words: tuple[str, ...] = ()
    unanswered_questions: tuple[re.Pattern, ...] = ()
    after_session_words: tuple[str, ...] = ()
    starter_topics: tuple[str, ...] = ()  # offered when there is nothing to follow up
    condition_first_intents: tuple[str, ...] = ()  # answered by the condition they name, if any
    _by_intent: dict[str, Topic] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_intent = {
            topic.intent: topic for topic in self.topics.values() if topic.intent not in TERM_INTENTS
        }

    @property
    def topic_intents(self) -> list[str]:
        """Every intent that is answered from the knowledge base."""
        return sorted({topic.intent for topic in self.topics.values()})

    @property
    def condition_topics(self) -> list[Topic]:
        """The topics that answer `ask_condition`, in file order."""
        return self.topics_of(CONDITION_INTENT)

    def topics_of(self, intent: str) -> list[Topic]:
        """The topics that answer `intent`, in file order."""
        return [topic for topic in self.topics.values() if topic.intent == intent]

    def topic_for_intent(self, intent: str) -> Topic | None:
        """The topic answering a (non-condition) intent."""
        return self._by_intent.get(intent)

    def condition_topic(self, *texts: str) -> Topic | None:
        """The condition topic that `texts` name (see `match_terms`)."""
        match = self.match_terms(CONDITION_INTENT, *texts)
        return match.topic if match else None

    def match_terms(self, intent: str, *texts: str, within: str = "") -> TermMatch | None:
        """The topic of `intent` whose longest term or near term occurs in any of `texts` (parts of
        the message `within`, whose `near_terms_unless` count too).

        Terms match whole words; terms of five letters or more also match longer forms
        ("spasm" matches "spasming", "sprain" matches "sprained").
        """
        found: list[TermMatch] = []
        message_words = _words(within)
        for text in texts:
            words = _words(text)
            for topic in self.topics_of(intent):
                unless = topic.near_terms_unless
                named_else = unless and (_has_any(words, unless) or _has_any(message_words, unless))
                near = topic.near_terms if _has_any(words, topic.near_terms_need) and not named_else else ()
                near_words = _without(words, topic.near_terms_except) if near else words
                for term, used in [(t, True) for t in topic.terms] + [(t, False) for t in near]:
                    ending = r"\w*" if len(term) >= 5 else r"\b"
                    if re.search(rf"\b{re.escape(term)}{ending}", words if used else near_words):
                        found.append(TermMatch(topic, term, used))
        if any(m.articles_use_it and m.topic.problem for m in found):
            found = [m for m in found if m.term not in m.topic.place_terms]
        return max(found, key=lambda m: len(m.term), default=None)  # the first of the longest

    def leaves_unanswered(self, text: str) -> bool:
        """Whether a question asks what the articles never say, in words of a topic they answer
        ("how long do the results last?": `unanswered_questions`)."""
        words = _words(text)
        return any(p.search(words) for p in self.unanswered_questions)

    def as_asked(self, topic: Topic, text: str) -> Topic:
        """The topic that answers `text`: `topic`, or the evidence on a claim about it that `text`
        questions ("does it really break up scar tissue?" asks for the evidence on fascia)."""
        if topic.claimed_by and _has_phrase(text, topic.claim_words):
            return self.topics[topic.claimed_by]
        return topic

    def asks_about_safety(self, text: str) -> bool:
        """Whether a question uses one of the `safety_words` (whole words or phrases)."""
        return _has_phrase(text, self.safety_words)

    def after_effect_match(self, text: str) -> TermMatch | None:
        """The after-effect topic a question about how one feels after a session names by its
        terms or near terms ("is it normal to feel tingly after graston?"), if it speaks of after."""
        if not _has_phrase(text, self.after_session_words):
            return None
        intents = dict.fromkeys(
            t.intent for t in self.topics.values() if t.near_terms and t.intent not in TERM_INTENTS
        )
        return next(filter(None, (self.match_terms(intent, text) for intent in intents)), None)

    def condition_names(self) -> list[str]:
        """What the articles call each condition they name."""
        return [topic.name for topic in self.condition_topics]

    def citations_of(self, passages: tuple[Passage, ...]) -> list[Reference]:
        """The distinct references cited by `passages`, in order of first citation."""
        keys = dict.fromkeys(key for passage in passages for key in passage.cites)
        return [self.references[key] for key in keys]


def _words(text: str) -> str:
    """The words of `text`, lower case, without accents ("tendón" is "tendon"), one space apart."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9']+", plain))


def _has_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether `text` has one of `phrases` as whole words."""
    words = _words(text)
    return any(re.search(rf"\b{re.escape(phrase)}\b", words) for phrase in phrases)


def _has_any(words: str, needed: tuple[str, ...]) -> bool:
    """Whether `words` has one of `needed` (as a whole word or a longer form), or nothing is needed."""
    return not needed or any(re.search(rf"\b{re.escape(word)}", words) for word in needed)


def _without(words: str, phrases: tuple[str, ...]) -> str:
    """`words` with each of `phrases` (whole words) cut out."""
    for phrase in phrases:
        words = re.sub(rf"\b{re.escape(phrase)}\b", " ", words)
    return words


def _passages(entries) -> tuple[Passage, ...]:
    return tuple(
        Passage(
            article=entry["article"],
            quote=entry["quote"],
            items=tuple(entry.get("items", ())),
            cites=tuple(entry.get("cites", ())),
            context=entry.get("context"),
        )
        for entry in entries or ()
    )


def parse_knowledge(raw: dict) -> KnowledgeBase:
    """Build a KnowledgeBase from the parsed YAML document."""
    topics = {
        entry["id"]: Topic(
            id=entry["id"],
            intent=entry["intent"],
            question=entry["question"],
            answer=_passages(entry["answer"]),
            more=_passages(entry.get("more")),
            related=tuple(entry.get("related", ())),
            terms=tuple(entry.get("terms", ())),
            near_terms=tuple(entry.get("near_terms", ())),
            near_terms_need=tuple(entry.get("near_terms_need", ())),
            near_terms_except=tuple(entry.get("near_terms_except", ())),
            near_terms_unless=tuple(entry.get("near_terms_unless", ())),
            problem=entry.get("problem", False),
            place_terms=tuple(entry.get("place_terms", ())),
            claim_words=tuple(entry.get("claim_words", ())),
            claimed_by=entry.get("claimed_by"),
            name=entry.get("name"),
            reference=entry.get("reference"),
        )
        for entry in raw["topics"]
    }
    references = {
        key: Reference(key=key, citation=value["citation"], article=value["article"], full=value["full"])
        for key, value in raw["references"].items()
    }
    articles = {
        key: Article(id=key, label=value["label"], prefix=value["prefix"])
        for key, value in raw["articles"].items()
    }
    return KnowledgeBase(
        topics=topics,
        references=references,
        articles=articles,
        wording=raw["wording"],
        safety_words=tuple(raw.get("safety_words", ())),
        unanswered_questions=tuple(re.compile(p) for p in raw.get("unanswered_questions", ())),
        after_session_words=tuple(raw.get("after_session_words", ())),
        starter_topics=tuple(raw.get("starter_topics", ())),
        condition_first_intents=tuple(raw.get("condition_first_intents", ())),
    )


@cache
def load_knowledge(path: Path = KNOWLEDGE_DIR / "knowledge.yml") -> KnowledgeBase:
    """Load the knowledge base once per process."""
    return parse_knowledge(yaml.safe_load(path.read_text(encoding="utf-8")))


@cache
def load_article_text(article_id: str) -> str:
    """The cleaned text of an article, by its id in knowledge/articles/sources.yml."""
    sources = yaml.safe_load((KNOWLEDGE_DIR / "articles" / "sources.yml").read_text(encoding="utf-8"))
    entry = next(article for article in sources["articles"] if article["id"] == article_id)
    return (KNOWLEDGE_DIR / "articles" / entry["clean"]).read_text(encoding="utf-8")
