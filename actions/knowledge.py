"""The knowledge base (knowledge/knowledge.yml) as plain objects; no Rasa imports."""
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
CONDITION_INTENT = "ask_condition"


@dataclass(frozen=True)
class Reference:
    """A study an article cites: its short citation and, where the article gives one, the full reference."""

    key: str
    citation: str
    article: str
    full: Optional[str]


@dataclass(frozen=True)
class Passage:
    """A quote from one article, with the list items it introduces and the studies it cites."""

    article: str
    quote: str
    items: Tuple[str, ...] = ()
    cites: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    """One question the articles answer, its answer passages and what to offer next."""

    id: str
    intent: str
    question: str
    answer: Tuple[Passage, ...]
    more: Tuple[Passage, ...] = ()
    related: Tuple[str, ...] = ()
    terms: Tuple[str, ...] = ()
    name: Optional[str] = None


@dataclass(frozen=True)
class Article:
    """A source article as the assistant names it."""

    id: str
    label: str
    prefix: str


@dataclass
class KnowledgeBase:
    """Topics, references, articles and answer wording, with the look-ups the actions need."""

    topics: Dict[str, Topic]
    references: Dict[str, Reference]
    articles: Dict[str, Article]
    wording: Dict[str, str]
    _by_intent: Dict[str, Topic] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_intent = {
            topic.intent: topic for topic in self.topics.values() if topic.intent != CONDITION_INTENT
        }

    @property
    def topic_intents(self) -> List[str]:
        """Every intent that is answered from the knowledge base."""
        return sorted({topic.intent for topic in self.topics.values()})

    @property
    def condition_topics(self) -> List[Topic]:
        """The topics that answer `ask_condition`, in file order."""
        return [topic for topic in self.topics.values() if topic.intent == CONDITION_INTENT]

    def topic_for_intent(self, intent: str) -> Optional[Topic]:
        """The topic answering a (non-condition) intent."""
        return self._by_intent.get(intent)

    def condition_topic(self, *texts: str) -> Optional[Topic]:
        """The condition topic whose longest term occurs as whole words in any of `texts`."""
        best, best_length = None, 0
        for text in texts:
            words = " " + " ".join(re.findall(r"[a-z0-9']+", text.lower())) + " "
            for topic in self.condition_topics:
                for term in topic.terms:
                    if f" {term} " in words and len(term) > best_length:
                        best, best_length = topic, len(term)
        return best

    def condition_names(self) -> List[str]:
        """What the articles call each condition they name."""
        return [topic.name for topic in self.condition_topics]

    def citations_of(self, passages: Tuple[Passage, ...]) -> List[Reference]:
        """The distinct references cited by `passages`, in order of first citation."""
        keys = dict.fromkeys(key for passage in passages for key in passage.cites)
        return [self.references[key] for key in keys]


def _passages(entries) -> Tuple[Passage, ...]:
    return tuple(
        Passage(
            article=entry["article"],
            quote=entry["quote"],
            items=tuple(entry.get("items", ())),
            cites=tuple(entry.get("cites", ())),
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
            name=entry.get("name"),
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
    return KnowledgeBase(topics=topics, references=references, articles=articles, wording=raw["wording"])


@lru_cache(maxsize=None)
def load_knowledge(path: Path = KNOWLEDGE_DIR / "knowledge.yml") -> KnowledgeBase:
    """Load the knowledge base once per process."""
    return parse_knowledge(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=None)
def load_article_text(article_id: str) -> str:
    """The cleaned text of an article, by its id in knowledge/articles/sources.yml."""
    sources = yaml.safe_load((KNOWLEDGE_DIR / "articles" / "sources.yml").read_text(encoding="utf-8"))
    entry = next(article for article in sources["articles"] if article["id"] == article_id)
    return (KNOWLEDGE_DIR / "articles" / entry["clean"]).read_text(encoding="utf-8")
