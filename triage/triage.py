"""The triage step: is this message an emergency, which tier, how sure, in which language?

Curated patterns decide the unmistakable (an affirmed trigger: sure). Otherwise the classifier's
emergency probability over the whole message and each of its sentences decides: at or above
`sure_at`, sure; at or above `unsure_at`, plausibly an emergency (softer wording). A sentence counts
only where it scores `in_context_at` or more read with the sentences either side of it: alone,
"never since" (after "I fainted once at a blood draw when I was 16") or "which of us is right?" can
look alarming; a sure sentence of suicide or self-harm needs only `crisis_in_context_at`. A trigger
that its context took back ("no chest pain", "a stroke in 2019"), or any context cue in the sentence
(a negation, the past, a what-if, a mild after-effect), raises the bar to `taken_back_at`; where a
trigger of the classifier's own category was denied or put in the past ("i don't want to hurt
myself", "i drank bleach when i was 4"), the classifier must reach `overruled_at` to overrule it.
The other way round, an affirmed trigger is dismissed when the classifier gives every segment less
than `dismissed_below` ("my D&D character got poisoned"), or less than `elsewhere_dismissed_below`
where the message speaks of the past, a what-if or another context anywhere ("in my mystery book the
detective keeps fainting", though "keeps fainting" reads as now), except for suicide and self-harm, whose
wordings are the most indirect and whose cost of a miss is the highest. A trigger that only a question
whether it is normal took back, in a clause about someone's own body ("my wrist just flops after
the session, is that normal?"), is plausibly happening now: with nothing else found, it gets its
tier's softer, unsure reply, even where the classifier is sure of that clause. Signs that a category's own
reply covers (its `includes`: an overdose's "won't wake up") do not take its tier away. A message without
any of a category's `classifier_needs` words is no emergency of that category for the classifier ("my
back hurts and I can't play golf" is no bladder emergency without a word of the bladder).
An English message with no emergency as typed is read once more with its misspellings corrected
towards the words of emergencies ("my wife colapsed", "hart attak"); English and Spanish words are
never "corrected", so a context word ("octubre", "years ago") is never lost. A Spanish message is
not corrected: the Spanish word list misses common forms ("noticias", "murió"), which were
"corrected" into English emergency words. Runs in time linear in the message's length, however
long it is.
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

from spellchecker import SpellChecker

from nlu_addons.spelling import SpellingCorrector, english_counts, words_of
from triage.assessment import TIERS, Assessment
from triage.classifier import EmergencyClassifier, load_or_train
from triage.examples import NONE, Example, training_examples
from triage.patterns import Hit, Patterns, load_patterns
from triage.text import SENTENCE_END, language_of, normal_form, sentences

SURE_AT = 0.8
UNSURE_AT = 0.5
TAKEN_BACK_AT = 0.8
OVERRULED_AT = 0.95
IN_CONTEXT_AT = 0.3  # see docs/safety.md: how the development sets' sentences scored in context
CRISIS_IN_CONTEXT_AT = 0.1  # a sure sentence of suicide or self-harm: its context scored 0.3 or more
DISMISSED_BELOW = 0.03  # the lowest emergency a pattern caught on the development sets scored 0.17
# With a cue of the past, a what-if or another context: the development sets' look-alikes a pattern
# caught scored 0.03 at most, their emergencies (but suicide and self-harm) 0.58 at least.
ELSEWHERE_DISMISSED_BELOW = 0.15
# What a pattern took its own trigger back for that the classifier should rarely overrule.
DENIALS = ("negated", "past", "other_context")
# A segment without a word of four letters or more is too little to read: "my" alone (what is left of
# "my chest muscles are tight" once its idiom is blanked out) scored 0.78 from the model's intercepts.
READABLE = re.compile(r"[a-z]{4}")
VERY_COMMON = 500_000  # pyspellchecker's count of "heart" is 394,260, of "have" 15.5 million


class Triage:
    """Patterns first, then the classifier; see the module docstring."""

    def __init__(
        self,
        patterns: Patterns,
        classifier: EmergencyClassifier,
        corrector: SpellingCorrector | None = None,
        sure_at: float = SURE_AT,
        unsure_at: float = UNSURE_AT,
        taken_back_at: float = TAKEN_BACK_AT,
        overruled_at: float = OVERRULED_AT,
        dismissed_below: float = DISMISSED_BELOW,
        elsewhere_dismissed_below: float = ELSEWHERE_DISMISSED_BELOW,
        in_context_at: float = IN_CONTEXT_AT,
        crisis_in_context_at: float = CRISIS_IN_CONTEXT_AT,
    ) -> None:
        self.patterns = patterns
        self.classifier = classifier
        self.corrector = corrector
        self.sure_at = sure_at
        self.unsure_at = unsure_at
        self.taken_back_at = taken_back_at
        self.overruled_at = overruled_at
        self.dismissed_below = dismissed_below
        self.elsewhere_dismissed_below = elsewhere_dismissed_below
        self.in_context_at = in_context_at
        self.crisis_in_context_at = crisis_in_context_at

    def assess(self, text: str) -> Assessment | None:
        """The emergency in `text` (as typed, else as corrected), or None when it is not one."""
        normal = normal_form(text)
        language = language_of(normal, self.patterns.spanish_words, self.patterns.english_words)
        found = self._assess(normal, language)
        if found is None and self.corrector is not None and language == "en":
            corrected = self.corrector.correct(self.patterns.without_idioms(normal))  # idioms stay idioms
            if corrected != normal:
                found = self._assess(corrected, language)
        return found

    def _assess(self, normal: str, language: str) -> Assessment | None:
        if not normal:
            return None
        hits = self.patterns.hits(normal)
        affirmed = [hit for hit in hits if hit.affirmed]
        scored = self._scored(normal)
        flagged = [
            (probability, category, segment)
            for probability, category, segment, in_context in scored
            if probability >= self.unsure_at
            and probability >= self._bar(segment, category, hits)
            and (
                in_context >= self.in_context_at
                or self._crisis_sentence_counts(probability, category, in_context)
            )
        ]
        if affirmed:
            found = self._from_hits(affirmed, language)
            crisis = found.also_crisis or found.tier == "suicide_self_harm"
            if not crisis and max(probability for probability, *_ in scored) < self._dismissal_bar(normal):
                return None  # "my D&D character got poisoned": the classifier is sure it is not one
            graver = [
                f
                for f in flagged
                if f[0] >= self.sure_at
                and self._graver(f[1], found.tier)
                and f[1] not in self.patterns.includes[found.category]
            ]
            if not graver:
                return found
            # "numb since the graston" beside a crushing chest: the heart attack's advice comes first
            return self._from_classifier(graver, language, crisis)
        asked = [hit for hit in hits if self.patterns.reported_now(hit)]
        if flagged:
            found = self._from_classifier(flagged, language)
            # asked whether it is normal: a question still, however sure the classifier is
            asked_of_it = any(h.category == found.category and h.clause in found.evidence for h in asked)
            return replace(found, sure=False) if asked_of_it else found
        return replace(self._from_hits(asked, language), sure=False) if asked else None

    def _from_classifier(
        self, flagged: list[tuple[float, str, str]], language: str, crisis: bool = False
    ) -> Assessment:
        covered = self.patterns.covered_by(c for probability, c, _ in flagged if probability >= self.sure_at)
        probability, category, evidence = max(f for f in flagged if f[1] not in covered)
        tier = self.patterns.tier_of[category]
        crisis = tier != "suicide_self_harm" and (
            crisis or any(self.patterns.tier_of[c] == "suicide_self_harm" for _, c, _ in flagged)
        )
        return Assessment(
            tier, category, probability >= self.sure_at, crisis, language, evidence, "classifier"
        )

    def _scored(self, normal: str) -> list[tuple[float, str, str, float]]:
        """(probability, category, segment, probability in context) of each segment the classifier
        reads: the message without its idioms, whole (its own context), then each sentence (in the
        context of the sentences either side of it); a segment too short to read scores 0."""
        cleaned = self.patterns.without_idioms(normal)
        parts = sentences(cleaned)
        windows = [parts[max(0, i - 1) : i + 2] for i in range(len(parts))]
        contexts = [cleaned if window == parts else ". ".join(window) for window in windows]
        texts = list(dict.fromkeys([cleaned, *parts, *contexts]))
        excluded = self.patterns.ruled_out(normal)
        score_of = {
            text: (probability if READABLE.search(text) else 0.0, category)
            for text, (probability, category) in zip(
                texts, self.classifier.scores(texts, excluded), strict=True
            )
        }
        read = {cleaned: score_of[cleaned][0]}
        read.update({part: score_of[context][0] for part, context in zip(parts, contexts, strict=True)})
        return [(*score_of[segment], segment, in_context) for segment, in_context in read.items()]

    def _crisis_sentence_counts(self, probability: float, category: str, in_context: float) -> bool:
        """A sure sentence of suicide or self-harm counts unless its context is plainly harmless
        ("is graston covered by insurance? doesnt matter, i wont be here after this week": 0.3 in
        context; "do you share the papers? i want to read them myself": 0.02)."""
        return (
            probability >= self.sure_at
            and in_context >= self.crisis_in_context_at
            and self.patterns.tier_of[category] == "suicide_self_harm"
        )

    def _dismissal_bar(self, normal: str) -> float:
        """Below what the classifier's highest score dismisses an affirmed trigger in `normal`."""
        if self.patterns.told_of_elsewhere(normal):
            return self.elsewhere_dismissed_below
        return self.dismissed_below

    def _graver(self, category: str, tier: str) -> bool:
        """Whether `category`'s tier comes before `tier` (life-threatening first)."""
        return TIERS.index(self.patterns.tier_of[category]) < TIERS.index(tier)

    def _bar(self, segment: str, category: str, hits: list[Hit]) -> float:
        """The probability a segment needs for `category`: higher when a trigger was taken back or
        its context speaks of the past, a what-if, fiction or a negation; highest when a trigger of
        that same category was denied or put in the past there."""
        here = [hit for hit in hits if hit.clause in segment]
        if any(hit.category == category and set(DENIALS) & set(hit.modifiers) for hit in here):
            return self.overruled_at
        taken_back = bool(here)
        return self.taken_back_at if taken_back or self.patterns.modifiers(segment) else self.unsure_at

    def _from_hits(self, affirmed: list[Hit], language: str) -> Assessment:
        covered = self.patterns.covered_by(hit.category for hit in affirmed)
        affirmed = [hit for hit in affirmed if hit.category not in covered]
        tiers = {self.patterns.tier_of[hit.category] for hit in affirmed}
        tier = min(tiers, key=TIERS.index)
        first = next(hit for hit in affirmed if self.patterns.tier_of[hit.category] == tier)
        crisis = tier != "suicide_self_harm" and "suicide_self_harm" in tiers
        return Assessment(tier, first.category, True, crisis, language, first.clause, "pattern")


def emergency_excerpt(text: str, limit: int) -> str | None:
    """For a message too long to handle whole: None when triage finds no emergency in it, else
    the first sentence (as written, or a `limit`-character window of a longer one) that is an
    emergency on its own, so that the emergency is answered from that sentence."""
    triage = load_triage()
    assessment = triage.assess(text)
    if assessment is None:
        return None
    for piece in dict.fromkeys(_pieces(text, limit)):
        if triage.assess(piece):
            return piece
    return assessment.evidence[-limit:]


def _pieces(text: str, limit: int) -> Iterator[str]:
    """The sentences of `text`; one longer than `limit` as windows of `limit` characters, each
    overlapping the next by half, so that a short emergency inside it is whole in one of them."""
    for sentence in (s.strip() for s in SENTENCE_END.split(text)):
        if len(sentence) <= limit:
            if sentence:
                yield sentence
            continue
        step = max(1, limit // 2)
        for start in range(0, len(sentence) - limit + step, step):
            yield sentence[start : start + limit].strip()


@cache
def load_triage() -> Triage:
    """The project's triage; its classifier trained on its examples (or read from the cache), its
    spelling corrector built from the words of the emergencies and look-alikes."""
    examples = training_examples()
    corrector = SpellingCorrector(emergency_words(examples, known_words()), english=known_words())
    return Triage(load_patterns(), load_or_train(examples), corrector)


def emergency_words(examples: list[Example], known: dict[str, int]) -> dict[str, int]:
    """What a misspelt word may be corrected to: the words of the emergency examples seen at least
    twice, apart from very common English or Spanish words ("collapsed", "respirar", not "have"),
    so that a correction brings an emergency's word into view and never invents context."""
    emergency = Counter(w for e in examples if e.label != NONE for w in words_of(normal_form(e.text)))
    return {w: n for w, n in emergency.items() if n >= 2 and known.get(w, 0) < VERY_COMMON}


@cache
def known_words() -> dict[str, int]:
    """English and Spanish word counts (pyspellchecker's, accents folded): words never corrected."""
    known = Counter(english_counts())
    for word, count in SpellChecker(language="es").word_frequency.dictionary.items():
        known[normal_form(word)] += count
    return dict(known)
