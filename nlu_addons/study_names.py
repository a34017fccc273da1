"""Rasa NLU component: a question about a study by its author's name gets `ask_study`.

The intent classifier reads "Did Lambert's review say anything about blood flow?" as a question about
blood flow, and "What did Imai report about tendons?" as nothing it knows; the author's name decides
it (knowledge/study_questions.yml says how). A message naming a study the articles do not cite
("Markovic's study", "a Loghmani study") gets `ask_study` too, so that the answer action says the
articles do not cite it; one naming another author of a cited study in a study shape ("what did Sung
and Lee find?") gets that study. A study asked by its finding ("who ran the study comparing Graston, spinal
manipulation and a fake ultrasound?") or by what its title says ("the 2014 study comparing massage with
routine physical therapy") is the cited study whose full reference shares the most words with the
question, else (asked by a finding) the one whose passage is closest to it.
The cited study's topic id ("" for an uncited one) goes under the parse-data key `study_named`, so
that a misspelt name ("kamalli 2014") still finds its study. Any other message keeps what NLU
predicted; triage runs after it.
"""

import re
from difflib import get_close_matches
from functools import cache
from pathlib import Path

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.knowledge import KNOWLEDGE_DIR, STUDY_INTENT, STUDY_NAMED_KEY, KnowledgeBase, load_knowledge
from actions.passage_search import PassageSearch, tokenize
from nlu_addons.overriding import DecidingComponent, override_intent
from nlu_addons.spelling import english_counts
from nlu_addons.spelling_corrector import TEXT_AS_TYPED_KEY

STUDY_QUESTIONS_FILE = KNOWLEDGE_DIR / "study_questions.yml"
TITLE_WORDS = 4  # words a description shares with a study's full reference to name it
TITLE_BEFORE = re.compile(r"\b(?:dr|dra|mr|mrs|ms|prof)\.$", re.IGNORECASE)  # a title before a name


class StudyQuestions:
    """The cues and shapes of knowledge/study_questions.yml, with the knowledge base's study names."""

    def __init__(self, spec: dict, kb: KnowledgeBase) -> None:
        self.cues = [re.compile(p) for p in spec["cues"]]
        self.uncited = [(re.compile(u["shape"]), u["rare_below"]) for u in spec["uncited"]]
        self.keeps = set(spec["keeps"])
        self.by_finding = [re.compile(p) for p in spec["asked_by_finding"]]
        self.by_title = [re.compile(p) for p in spec["asked_by_title"]]
        self.by_year = [re.compile(p) for p in spec["asked_by_year"]]
        self.kb = kb
        self.study_passages = PassageSearch(kb, topics=kb.topics_of(STUDY_INTENT))
        # the words of each cited study's full reference: its title, journal and year
        self.reference_words = {
            topic.id: set(tokenize(kb.references[topic.reference].full))
            for topic in kb.topics_of(STUDY_INTENT)
            if topic.reference in kb.references and kb.references[topic.reference].full
        }
        self.english = english_counts()
        # each cited study's terms of one word (its authors' surnames), with its topic id
        self.cited_names = {
            term: topic.id for topic in kb.topics_of(STUDY_INTENT) for term in topic.terms if " " not in term
        }
        # the cited studies of each year, from their citations ("Davidson, 1997")
        self.years: dict[str, list[str]] = {}
        for topic in kb.topics_of(STUDY_INTENT):
            for year in re.findall(r"\b(?:19|20)\d\d\b", kb.references[topic.reference].citation):
                self.years.setdefault(year, []).append(topic.id)
        # the first authors' surnames, from the citations ("Kamali et al., 2014")
        self.surnames = {re.findall(r"[a-z]+", ref.citation.lower())[0] for ref in kb.references.values()}
        self.not_names = set(spec["not_names"]) | {
            word
            for topic in kb.topics.values()
            for phrase in (*topic.terms, *topic.near_terms, topic.name or "", topic.question)
            for word in re.findall(r"[a-z]+", phrase.lower())
        }
        self.co_authors = self._co_author_shapes(spec["co_authors"])

    def study_named(self, text: str, capitalised_only: bool = False) -> tuple[bool, str | None]:
        """(whether `text` asks about a study by name, the cited study's topic id or None); with
        `capitalised_only`, an uncited author counts only when written with a capital."""
        lowered = text.lower()
        named = self._named_by_shape(text, lowered, capitalised_only)
        if any(cue.search(lowered) for cue in self.cues):
            match = self.kb.match_terms(STUDY_INTENT, text)
            if match and (named is None or named[1] is not None or self._is_surname(match.term)):
                return True, match.topic.id
            for shape, topic_id in self.co_authors:
                if shape.search(lowered):
                    return True, topic_id
        if named is not None:
            return True, named[1]
        for pattern in self.by_year:
            for found in pattern.finditer(lowered):
                if len(self.years.get(found.group("year"), [])) == 1:
                    return True, self.years[found.group("year")][0]
        if any(cue.search(lowered) for cue in self.by_title):
            found = self._found_by_title(text)
            if found:
                return True, found
        if any(cue.search(lowered) for cue in self.by_finding):
            found = self._found_by_title(text) or self._found_by(text)
            if found:
                return True, found
        return False, None

    def _co_author_shapes(self, spec: dict) -> list[tuple[re.Pattern, str]]:
        """(a shape naming one of a cited study's other authors, the study's topic id), for each
        surname of a full reference that is no first author's, no word of knowledge.yml and no common
        English word."""
        shapes = []
        for topic in self.kb.topics_of(STUDY_INTENT):
            reference = self.kb.references[topic.reference].full
            if not reference:
                continue
            for name in _surnames(reference.split("(")[0]):
                common = self.english.get(name, 0) >= spec["common_from"]
                if name in self.surnames or name in self.not_names or common:
                    continue
                shapes += [(re.compile(shape.replace("{name}", name)), topic.id) for shape in spec["shapes"]]
        return shapes

    def _found_by_title(self, text: str) -> str | None:
        """The one cited study whose full reference shares the most words with `text`, at least
        TITLE_WORDS of them ("the 2014 study comparing massage with routine physical therapy")."""
        asked = set(tokenize(text))
        shared = sorted(
            ((len(asked & words), topic_id) for topic_id, words in self.reference_words.items()), reverse=True
        )
        if not shared or shared[0][0] < TITLE_WORDS or (len(shared) > 1 and shared[1][0] == shared[0][0]):
            return None
        return shared[0][1]

    def _found_by(self, text: str) -> str | None:
        """The one cited study whose passage is closest to `text`, or None."""
        hit = self.study_passages.best(text)
        if hit is None:
            return None
        sharing = [t for t in self.kb.topics_of(STUDY_INTENT) if hit.passage in t.answer + t.more]
        return hit.topic.id if len(sharing) == 1 else None

    def _is_surname(self, term: str) -> bool:
        """Whether a study's term names one of its authors (not a word that describes it)."""
        return any(word in self.surnames for word in term.split())

    def _named_by_shape(
        self, text: str, lowered: str, capitalised_only: bool
    ) -> tuple[str, str | None] | None:
        """(a study author's name in one of the `uncited` shapes, the cited study it is a misspelling
        of or None), or None when no shape names one."""
        for shape, rare_below in self.uncited:
            for found in shape.finditer(lowered):
                name = found.group("name")
                capitalised = _capitalised_inside(text, found.start("name"))
                rare = not capitalised_only and self.english.get(name, 0) < rare_below
                if name not in self.not_names and (capitalised or rare):
                    # a cited name misspelt ("kamalli", "chugtai") is that study
                    close = get_close_matches(name, self.cited_names, n=1, cutoff=0.8)
                    return name, self.cited_names[close[0]] if close else None
        return None


def _surnames(authors: str) -> list[str]:
    """The surnames of a reference's author list, lower-cased: "Kim, J., Sung, D. J., & Lee, J." and
    "Matthew Lambert, Rebecca Hitchcock & Josh Cleland" both list the last word of each name."""
    names = []
    for part in re.split(r",|&", authors):
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*\.?", part) if not w.endswith(".") and len(w) > 1]
        if words:
            names.append(words[-1].lower())
    return names


def _capitalised_inside(text: str, start: int) -> bool:
    """Whether the word at `start` begins with a capital and does not begin a sentence (a title's
    full stop, as in "Dr. Baker", ends none)."""
    before = text[:start].rstrip()
    ends_sentence = before[-1:] in (".", "!", "?") and not TITLE_BEFORE.search(before)
    return text[start : start + 1].isupper() and bool(before) and not ends_sentence


@cache
def load_study_questions(path: Path = STUDY_QUESTIONS_FILE) -> StudyQuestions:
    """The project's study-question cues, read once per process."""
    return StudyQuestions(yaml.safe_load(path.read_text(encoding="utf-8")), load_knowledge())


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class StudyNameClassifier(DecidingComponent):
    """See the module docstring."""

    def __init__(self, questions: StudyQuestions) -> None:
        self._questions = questions

    @classmethod
    def from_project(cls) -> "StudyNameClassifier":
        """The component with the project's study names."""
        return cls(load_study_questions())

    def process(self, messages: list[Message]) -> list[Message]:
        """Give every message that asks about a study by name the intent ask_study."""
        for message in messages:
            if (message.get(INTENT) or {}).get("name") in self._questions.keeps:
                continue
            named, topic_id = self._questions.study_named(message.get(TEXT) or "")
            if not named and message.get(TEXT_AS_TYPED_KEY):
                # a surname the spelling corrector took for a typo: "a Sevier study" became "a severe study"
                named, topic_id = self._questions.study_named(
                    message.get(TEXT_AS_TYPED_KEY), capitalised_only=True
                )
            if named:
                # "" for a study the articles do not cite: Rasa drops a None from the parse data
                override_intent(message, STUDY_INTENT, STUDY_NAMED_KEY, topic_id or "")
        return messages
