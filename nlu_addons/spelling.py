"""Spelling correction towards the assistant's own vocabulary; plain code, no Rasa imports.

A word is left alone when the domain vocabulary (training examples and articles) has it, or when
it is a common English word. Otherwise it becomes the nearest domain word (one edit away for an
English word or a short word, two for a longer unknown word; a swap of neighbours counts as one
edit); a missing apostrophe is put back ("dont"). English word frequencies come with
pyspellchecker. The training examples hold typos on purpose ("grastin"): a word of
theirs that is neither English nor in the articles, and has a near domain word seen many times
more often, is read as that word.
"""

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from spellchecker import SpellChecker

WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
# Shorter words ("u", "thx", "abt") are too ambiguous to correct, or to correct to: "gout" is a
# rare English word one edit from "out", and a condition's name must reach NLU as typed.
MIN_LENGTH = 4
LONG_WORD = 5  # from this length on, two edits are allowed
# Longer words are left as typed: the candidates of a word grow with the square of its length
# (a 1,000-letter word took 2.6 s and 500 MB), and no word of the domain is this long.
MAX_LENGTH = 24
# English words at least this frequent (pyspellchecker's counts) are never corrected, even when a
# domain word is near: "hurt" stays, a rare word such as "scrapping" may become "scraping".
COMMON_ENGLISH_COUNT = 1000
CONTRACTIONS = ("n't", "'s", "'re", "'ll", "'ve", "'d")
CONTRACTING_WORDS = {
    "what",
    "that",
    "who",
    "where",
    "there",
    "here",
    "how",
    "it",
    "you",
    "they",
    "we",
    "he",
    "she",
}
TYPO_RATIO = 5  # a near domain word this many times more frequent marks a domain word as a typo


def words_of(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return [word.lower().replace("\u2019", "'") for word in WORD.findall(text)]


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap neighbours) turning `a` into `b`."""
    previous2, previous = [], list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _deletes(word: str, depth: int) -> set[str]:
    """`word` with up to `depth` letters deleted (itself included)."""
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


@cache
def english_counts() -> dict[str, int]:
    """pyspellchecker's English word frequencies (shipped with the package), read once per process;
    callers only read them."""
    return dict(SpellChecker(language="en").word_frequency.dictionary)


class SpellingCorrector:
    """Corrects the words of a message towards a domain vocabulary (word -> count); `trusted`
    words (those of the articles) are never read as typos."""

    def __init__(
        self, vocabulary: dict[str, int], trusted: Iterable[str] = (), english: dict[str, int] | None = None
    ) -> None:
        self._vocabulary = vocabulary
        self._trusted = frozenset(trusted)
        self._english = english_counts() if english is None else english
        self._by_deletion: dict[str, list[str]] = {}  # possible corrections, by their deletions
        for word in vocabulary:
            if len(word) >= MIN_LENGTH:
                for key in _deletes(word, 2):
                    self._by_deletion.setdefault(key, []).append(word)
        self._typos = {word: fix for word in vocabulary if (fix := self._typo_fix(word))}

    @classmethod
    def from_texts(cls, examples: Iterable[str], articles: Iterable[str]) -> "SpellingCorrector":
        """A corrector whose vocabulary is the words of the training examples and the articles."""
        article_counts = Counter(word for text in articles for word in words_of(text))
        counts = Counter(word for text in examples for word in words_of(text)) + article_counts
        return cls(dict(counts), trusted=article_counts)

    @property
    def vocabulary(self) -> dict[str, int]:
        """The domain words and how often each was seen."""
        return self._vocabulary

    @property
    def trusted(self) -> frozenset[str]:
        """The domain words never read as typos."""
        return self._trusted

    def _domain_match(self, word: str, limit: int) -> str | None:
        """The nearest other domain word of at least MIN_LENGTH letters at most `limit` edits away
        (the most frequent of equals)."""
        candidates = {w for key in _deletes(word, limit) for w in self._by_deletion.get(key, ())}
        scored = [(edit_distance(word, w), -self._vocabulary[w], w) for w in candidates if w != word]
        best = min((s for s in scored if s[0] <= limit), default=None)
        return best[2] if best else None

    def _apostrophe_match(self, word: str) -> str | None:
        """`word` with the apostrophe of a negation or a pronoun's contraction put back ("dont",
        "whats"), if that is a known word; "studys" is no "study's" and stays."""
        for ending in CONTRACTIONS:
            bare = ending.replace("'", "")
            stem = word[: -len(bare)]
            if not word.endswith(bare) or not stem or (ending != "n't" and stem not in CONTRACTING_WORDS):
                continue
            if (candidate := stem + ending) in self._vocabulary or candidate in self._english:
                return candidate
        return None

    def _typo_fix(self, word: str) -> str | None:
        if len(word) < MIN_LENGTH or word in self._english or word in self._trusted:
            return None
        if fix := self._apostrophe_match(word):
            return fix
        fix = self._domain_match(word, limit=1)
        return fix if fix and self._vocabulary[fix] >= TYPO_RATIO * self._vocabulary[word] else None

    def correct_word(self, word: str) -> str:
        """The corrected form of one lower-case word (the word itself when it looks right)."""
        if word in self._typos:
            return self._typos[word]
        if not MIN_LENGTH <= len(word) <= MAX_LENGTH or word in self._vocabulary:
            return word
        english = self._english.get(word, 0)
        if english >= COMMON_ENGLISH_COUNT:
            return word
        if not english and (fix := self._apostrophe_match(word)):
            return fix
        limit = 2 if len(word) >= LONG_WORD and not english else 1
        return self._domain_match(word, limit) or word

    def correct(self, text: str) -> str:
        """`text` with misspelt words replaced, keeping the rest (and a word's capitals) as typed."""

        def replace(match: re.Match) -> str:
            typed = match.group(0)
            fixed = self.correct_word(typed.lower())
            if fixed == typed.lower():
                return typed
            return (
                fixed.upper()
                if typed.isupper() and len(typed) > 1
                else (fixed.capitalize() if typed[0].isupper() else fixed)
            )

        return WORD.sub(replace, text)
