"""Lexical (BM25) search over the knowledge base's passages, for questions NLU is unsure of."""

import re
from dataclasses import dataclass
from functools import cache

from rank_bm25 import BM25Okapi

from actions.knowledge import KnowledgeBase, Passage, Topic, load_knowledge

STOPWORDS = frozenset(
    """a about after all also an and any are as at be been but by can could did do does doing
    for from had has have how i if in into is it its it's just me my of on or our so some such
    than that the their them then there these they this those to too up us was we were what
    when where which while who why will with would you your iastm instrument instruments assisted
    soft tissue mobilization""".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case word stems without stop words ('scraping' -> 'scrap')."""
    stems = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in STOPWORDS or len(word) < 3:
            continue
        for suffix in ("ing", "ed", "es", "s", "ly"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        stems.append(word)
    return stems


@dataclass(frozen=True)
class SearchHit:
    """A passage close to the query, the topic that quotes it, and how close it is."""

    passage: Passage
    topic: Topic
    score: float
    shared_terms: int


class PassageSearch:
    """BM25 over every passage the knowledge base quotes; `best(query)` is the whole surface."""

    def __init__(
        self,
        kb: KnowledgeBase,
        min_score: float = 3.0,
        min_shared_terms: int = 2,
        topics: list[Topic] | None = None,
    ) -> None:
        """Over the passages of `topics` (every topic of `kb` by default)."""
        self.min_score = min_score
        self.min_shared_terms = min_shared_terms
        self._entries: list[tuple[Passage, Topic]] = []
        seen = set()
        for topic in kb.topics.values() if topics is None else topics:
            for passage in topic.answer + topic.more:
                if passage.quote not in seen:
                    seen.add(passage.quote)
                    self._entries.append((passage, topic))
        self._tokens = [tokenize(self._searchable(passage)) for passage, _ in self._entries]
        self._bm25 = BM25Okapi(self._tokens)

    @staticmethod
    def _searchable(passage: Passage) -> str:
        return " ".join((passage.quote,) + passage.items)

    def best(self, query: str) -> SearchHit | None:
        """The closest passage if it is close enough to offer, else None."""
        query_tokens = tokenize(query)
        if not query_tokens:
            return None
        scores = self._bm25.get_scores(query_tokens)
        index = max(range(len(scores)), key=scores.__getitem__)
        shared = len(set(query_tokens) & set(self._tokens[index]))
        if scores[index] < self.min_score or shared < self.min_shared_terms:
            return None
        passage, topic = self._entries[index]
        return SearchHit(passage=passage, topic=topic, score=float(scores[index]), shared_terms=shared)


@cache
def load_search() -> PassageSearch:
    """The search index over the knowledge base, built once per process."""
    return PassageSearch(load_knowledge())
