"""Curated emergency wordings and the context that takes them back (knowledge/triage/patterns.yml).

A trigger found in a clause is *affirmed* unless, in its scope, it is negated ("no chest pain"), in
the past ("a clot in 2019"), hypothetical ("what are the signs of a stroke?") or about fiction or a
pet. That is the ConText idea (Harkema et al., 2009) in its simplest form: a cue's scope is the part
of the sentence between terminators ("but", "now"), a negation reaches five words forward
Idioms ("this is killing me") are blanked out before anything is matched.
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from triage.text import WORD, language_of, normal_form, sentences

PATTERNS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "triage" / "patterns.yml"
NEGATION_WINDOW = 5  # words between a negation and the trigger it denies
ASKED_IF_NORMAL = "asked_if_normal"  # the context cue of "is that normal?"
ELSEWHERE = ("past", "hypothetical", "other_context")  # cues that a story is not happening now
MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class Trigger:
    """One wording of a category: a single pattern, or several that must all appear in a clause."""

    category: str
    parts: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Hit:
    """A trigger found in a message; `modifiers` name what took it back (empty: affirmed)."""

    category: str
    clause: str
    modifiers: tuple[str, ...]

    @property
    def affirmed(self) -> bool:
        """Whether nothing in its scope took it back."""
        return not self.modifiers


def _compile_all(patterns: list[str], macros: dict[str, str]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(MACRO.sub(lambda m: macros[m.group(1)], p)) for p in patterns)


def _any(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)


class Patterns:
    """The curated triggers with their context cues."""

    def __init__(self, spec: dict) -> None:
        macros = spec["macros"]
        self.triggers = [
            Trigger(category, _compile_all(t["all"] if isinstance(t, dict) else [t], macros))
            for category, group in spec["categories"].items()
            for t in group["triggers"]
        ]
        self.tier_of = {category: group["tier"] for category, group in spec["categories"].items()}
        self.ignores = {
            category: set(group.get("ignores", ())) for category, group in spec["categories"].items()
        }
        # what the classifier alone needs in a message to find a category, by category
        self.classifier_needs = {
            category: _compile_all(group["classifier_needs"], macros)
            for category, group in spec["categories"].items()
            if "classifier_needs" in group
        }
        # the signs a category's own reply covers: an overdose's "won't wake up"
        self.includes = {
            category: set(group.get("includes", ())) for category, group in spec["categories"].items()
        }
        # One pass each, however many patterns: a clause without any trigger's part is skipped whole.
        self.any_trigger = re.compile(
            "|".join(f"(?:{part.pattern})" for t in self.triggers for part in t.parts)
        )
        self.idioms = re.compile("|".join(f"(?:{p.pattern})" for p in _compile_all(spec["idioms"], macros)))
        context = {name: _compile_all(cues, macros) for name, cues in spec["context"].items()}
        self.negation_before = context["negation_before"]
        self.pseudo_negation = context["pseudo_negation"]
        self.negation_after = context["negation_after"]
        self.negation_breaks = context["negation_breaks"]
        self.scoped = {
            name: context[name]
            for name in ("past", "conditional", "hypothetical", "other_context", ASKED_IF_NORMAL)
        }
        self.benign = context["benign"]
        self.resolved = context["resolved"]
        self.present = context["present"]
        self.reported = context["reported"]
        self.terminator = re.compile("|".join(p.pattern for p in context["terminators"]))
        # One message is read for idioms by the patterns, the classifier and the spelling check.
        self.without_idioms = lru_cache(maxsize=16)(self._without_idioms)
        self.spanish_words = frozenset(spec["language"]["spanish"])
        self.english_words = frozenset(spec["language"]["english"])

    @classmethod
    def from_file(cls, path: Path = PATTERNS_FILE) -> "Patterns":
        """The patterns of `path` (the project's file by default)."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def ruled_out(self, text: str) -> frozenset[str]:
        """The categories the classifier may not find in `text`: none of their needed words in it."""
        return frozenset(c for c, needs in self.classifier_needs.items() if not _any(needs, text))

    def told_of_elsewhere(self, text: str) -> bool:
        """Whether a text in normal form has a cue of the past, a what-if or another context
        anywhere, even beside a cue of the present ("in my mystery book the detective keeps fainting")."""
        return any(_any(self.scoped[name], text) for name in ELSEWHERE)

    def reported_now(self, hit: Hit) -> bool:
        """Whether a hit that only "is that normal?" took back speaks of someone's own body: a report."""
        return hit.modifiers == (ASKED_IF_NORMAL,) and _any(self.reported, hit.clause)

    def covered_by(self, categories) -> set[str]:
        """The categories whose signs the replies of `categories` cover (their `includes`)."""
        return set().union(*(self.includes[category] for category in categories))

    def _without_idioms(self, text: str) -> str:
        """`text` with every idiom blanked out (a comma keeps the words on each side apart)."""
        return self.idioms.sub(" , ", text)

    def hits(self, text: str) -> list[Hit]:
        """Every trigger in a text in normal form, clause by clause, with what took each back. A
        sentence repeated with the same next sentence is read once ("is it safe? " * 500)."""
        found = []
        parts = sentences(self.without_idioms(text))
        read: dict[tuple[str, ...], list[Hit]] = {}
        for index, sentence in enumerate(parts):
            pair = tuple(parts[index : index + 2])
            if pair not in read:
                read[pair] = self._sentence_hits(sentence, " ".join(pair))
            found.extend(read[pair])
        return found

    def _sentence_hits(self, sentence: str, with_next: str) -> list[Hit]:
        # "is it normal that half my face won't move? it just happened": now reaches back one.
        if _any(self.present, with_next):
            context: tuple[str, ...] | None = None  # happening now: nothing takes it back
        else:
            context = ("resolved",) if _any(self.resolved, sentence) else ()
        found = []
        for clause in (c.strip() for c in self.terminator.split(sentence)):
            if clause:
                found.extend(self._clause_hits(clause, context))
        return found

    def modifiers(self, text: str) -> tuple[str, ...]:
        """The context cues anywhere in a text in normal form: past, hypothetical, other_context,
        resolved, benign (a mild, improving after-effect), and negated for a negation cue that is
        not part of a pseudo-negation. The classifier needs a higher bar where there are any."""
        resolved = ("resolved",) if _any(self.resolved, text) else ()
        benign = ("benign",) if _any(self.benign, text) else ()
        return self._scoped(text, resolved) + benign + (("negated",) if self.negation_cues(text) else ())

    def _scoped(self, clause: str, resolved: tuple[str, ...] | None) -> tuple[str, ...]:
        """Past, what-if, other-context and resolved cues; none when the sentence says it is
        happening now (`resolved` is None then)."""
        if resolved is None or _any(self.present, clause):
            return ()
        return tuple(name for name, cues in self.scoped.items() if _any(cues, clause)) + resolved

    def _clause_hits(self, clause: str, resolved: tuple[str, ...] | None = ()) -> list[Hit]:
        if not self.any_trigger.search(clause):
            return []
        scoped = self._scoped(clause, resolved)
        hits = []
        for trigger in self.triggers:
            matches = [part.search(clause) for part in trigger.parts]
            if not all(matches):
                continue
            negated = any(self._negated(clause, p, m) for p, m in zip(trigger.parts, matches, strict=True))
            kept = tuple(cue for cue in scoped if cue not in self.ignores[trigger.category])
            hits.append(Hit(trigger.category, clause, kept + (("negated",) if negated else ())))
        return hits

    def _negated(self, clause: str, part: re.Pattern, match: re.Match) -> bool:
        """Whether a negation takes a trigger back: a cue at most NEGATION_WINDOW words before it
        or overlapping its start ("i don't want to hurt myself"), a cue inside it that the trigger
        does not need ("my face isn't drooping"; but "he's not breathing" needs its "not", and then
        no cue before it counts), or a negation-after cue following it ("the chest pain is gone").
        Pseudo-negations never count."""
        start, end = match.span()
        pseudo = [m.span() for p in self.pseudo_negation for m in p.finditer(clause)]
        cues = [
            m
            for cue in self.negation_before
            for m in cue.finditer(clause, 0, end)
            if not any(s <= m.start() < e for s, e in pseudo)
        ]
        inside = [m for m in cues if m.start() >= start]
        if any(not part.search(clause[start : m.start()] + clause[m.end() : end]) for m in inside):
            # the trigger needs its own negation ("not reacting"): "not moving, not reacting" lists
            # two signs, the first does not deny the second
            return _any(self.negation_after, clause[end:])
        for m in cues:
            between = clause[m.end() : start]
            if m.start() >= start:
                return True  # a negation inside it that it does not need: "my face isn't drooping"
            if m.end() > start or (
                len(WORD.findall(between)) <= NEGATION_WINDOW
                and not _any(self.negation_breaks, clause[m.end() : end])
            ):
                return True
        return _any(self.negation_after, clause[end:])

    def negation_cues(self, text: str) -> list[re.Match]:
        """The negation cues of a text that are not part of a pseudo-negation."""
        pseudo = [m.span() for p in self.pseudo_negation for m in p.finditer(text)]
        return [
            m
            for cue in self.negation_before
            for m in cue.finditer(text)
            if not any(s <= m.start() < e for s, e in pseudo)
        ]


@cache
def load_patterns() -> Patterns:
    """The project's patterns, read once per process."""
    return Patterns.from_file()


def is_spanish(text: str) -> bool:
    """Whether `text` is written in Spanish rather than English (more Spanish function words)."""
    patterns = load_patterns()
    return language_of(normal_form(text), patterns.spanish_words, patterns.english_words) == "es"
