"""Text handling for triage: one normal form, sentences, and the language a message is written in.

Every pattern here runs in linear time: no nested quantifiers, no backtracking over runs of spaces.
"""

import re
import unicodedata

# Curly quotes and look-alike apostrophes, as phones type them.
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
SPACES = re.compile(r"\s+")
# Sentence ends: . ! ? ; and line breaks (a run of them counts once).
SENTENCE_END = re.compile(r"[.!?;\n]+")


def normal_form(text: str) -> str:
    """Lower case, accents and curly quotes folded, spaces collapsed: "Me duele el PECHO" ->
    "me duele el pecho". Lengths may change; patterns and classifier both see this form."""
    decomposed = unicodedata.normalize("NFKD", text.translate(QUOTES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return SPACES.sub(" ", plain.lower()).strip()


def sentences(text: str) -> list[str]:
    """The non-empty sentences of a text in normal form."""
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


WORD = re.compile(r"[a-z']+")


def language_of(text: str, spanish_words: frozenset[str], english_words: frozenset[str]) -> str:
    """'es' when a text in normal form has more Spanish than English function words, else 'en'."""
    words = WORD.findall(text)
    spanish = sum(word in spanish_words for word in words)
    english = sum(word in english_words for word in words)
    return "es" if spanish > english else "en"
