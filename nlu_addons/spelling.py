"""Spelling correction towards the assistant's own vocabulary; plain code, no Rasa imports.

A word is left alone when the domain vocabulary (training examples and articles) has it, or when
it is a common English word. Otherwise it becomes the nearest domain word (one edit away for an
English word or a short word, two for a longer unknown word; a swap of neighbours counts as one
edit); a missing apostrophe is put back ("dont"). English word frequencies come with
pyspellchecker. The training examples hold typos on purpose ("grastin"): a word of
theirs that is neither English nor in the articles, and has a near domain word seen many times
more often, is read as that word.

The candidates within so many edits (optimal string alignment: insert, delete, substitute, swap
neighbours) come from symspellpy's SymSpell index (symmetric deletes); the rules above, and the
choice among candidates (fewest edits, then the most frequent word, then alphabetical), are ours.
"""

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from spellchecker import SpellChecker
from symspellpy import SymSpell, Verbosity
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*")
# Shorter words ("u", "thx", "abt") are too ambiguous to correct, or to correct to: "gout" is a
# rare English word one edit from "out", and a condition's name must reach NLU as typed.
MIN_LENGTH = 4
LONG_WORD = 5  # from this length on, two edits are allowed
# Longer words are left as typed: no word of the domain is this long (and the hand-written index
# used before symspellpy took 2.6 s and 500 MB to look up a 1,000-letter word).
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
MAX_EDITS = 2  # the most edits a correction may need (LONG_WORD)
# SymSpell indexes a word by the deletions of its first PREFIX_LENGTH letters: longer than any word
# looked up in a message (MAX_LENGTH), so that a message's word is looked up whole. (A longer domain
# word is indexed by its prefix; the candidates are the same: docs/performance.md.)
PREFIX_LENGTH = MAX_LENGTH + 1


# Letters drawn out ("hiii", "byee"), and the shapes of a keyboard mash: one letter four times, five
# consonants in a row, or four letters or more without a vowel.
REPEATS = re.compile(r"([a-z])\1+")
MASHED = re.compile(r"([a-z])\1{3}|[b-df-hj-np-tv-xz]{5}|^[b-df-hj-np-tv-xz]{4,}$")


def words_of(text: str) -> list[str]:
    """The lower-cased words of a text."""
    return [word.lower().replace("\u2019", "'") for word in WORD.findall(text)]


@cache
def english_counts() -> dict[str, int]:
    """pyspellchecker's English word frequencies (shipped with the package), read once per process;
    callers only read them."""
    return dict(SpellChecker(language="en").word_frequency.dictionary)


class SpellingCorrector:
    """Corrects the words of a message towards a domain vocabulary (word -> count); `trusted`
    words (those of the articles) are never read as typos. Not for several threads at once: a
    SymSpell lookup reuses its distance's buffers."""

    def __init__(
        self, vocabulary: dict[str, int], trusted: Iterable[str] = (), english: dict[str, int] | None = None
    ) -> None:
        self._vocabulary = vocabulary
        self._trusted = frozenset(trusted)
        self._english = english_counts() if english is None else english
        # The possible corrections; count_threshold 0: every domain word is one, whatever its count.
        self._index = SymSpell(
            max_dictionary_edit_distance=MAX_EDITS,
            prefix_length=PREFIX_LENGTH,
            count_threshold=0,
            distance_comparer=EditDistance(DistanceAlgorithm.DAMERAU_OSA),
        )
        for word, count in vocabulary.items():
            if len(word) >= MIN_LENGTH:
                self._index.create_dictionary_entry(word, count)
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

    def knows(self, word: str) -> bool:
        """Whether a lower-case word is a domain word or an English one, or is one drawn out ("hiii";
        a row of one letter is none: "aaaa" is no "a")."""
        forms = (
            (word, REPEATS.sub(r"\1\1", word), REPEATS.sub(r"\1", word)) if len(set(word)) > 1 else (word,)
        )
        return any(form in self._vocabulary or form in self._english for form in forms)

    def unreadable(self, text: str) -> bool:
        """Whether a text has words, knows none of them, and one looks like keys hit at random
        ("asdfghjkl", "zxcv", "jjjjjj"); "lmao" or "jajaja" alone are no such thing."""
        words = [word for word in words_of(text) if any(c.isalpha() for c in word)]
        return bool(words) and not any(map(self.knows, words)) and any(map(MASHED.search, words))

    def _domain_match(self, word: str, limit: int) -> str | None:
        """The nearest other domain word of at least MIN_LENGTH letters at most `limit` edits away
        (the most frequent of equals, then the first alphabetically)."""
        found = self._index.lookup(word, Verbosity.ALL, max_edit_distance=limit)
        best = min(((s.distance, -s.count, s.term) for s in found if s.term != word), default=None)
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
