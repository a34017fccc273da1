"""User text made safe to process and to show: no control characters, no markup tags, no runs of
spaces, and, for NLU, no more than MAX_TOKENS words and marks (its transformer's work grows with
their square)."""

import re

# About 450 characters of ordinary text; the longest question of the development set has 69. Of a
# longer text NLU reads the start and the end, where a rambling message has its question.
HEAD_TOKENS, TAIL_TOKENS = 30, 60
MAX_TOKENS = HEAD_TOKENS + TAIL_TOKENS
TOKEN = re.compile(r"\w+|[^\w\s]")
# The same mark, word or sentence four times or more in a row: "??????", "why why why why", "why? why? ..."
REPEATED_MARK = re.compile(r"([^\w\s])\1{3,}")
REPEATED_WORD = re.compile(r"\b(\w+)(?: \1\b){3,}")
REPEATED_SENTENCE = re.compile(r"([^.!?\n]{1,80}[.!?]+)(?: \1){3,}")

# C0 and C1 control characters (but tab and line feed), zero-width and bidirectional controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
# An HTML or XML tag ("<script>", "</b>", "<img src=x onerror=...>"): pasted or hostile markup is not
# words. "<3" and "< 5 days" are not tags.
MARKUP_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]{0,20}(?:\s[^<>]{0,300})?/?>")
# A script or style element is code, not words: it goes whole.
CODE_ELEMENT = re.compile(r"<(script|style)\b[^<>]{0,300}>[^<]{0,2000}</\1\s*>", re.IGNORECASE)
SPACE_RUN = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
LINE_RUN = re.compile(r"(?: ?\n ?)+")


def tidy(text: str) -> str:
    """`text` without control characters or markup tags, with each run of spaces or line breaks as one."""
    text = CODE_ELEMENT.sub(" ", CONTROL_CHARACTERS.sub("", text))
    text = SPACE_RUN.sub(" ", MARKUP_TAG.sub(" ", text))
    return LINE_RUN.sub("\n", text).strip()


def bounded(text: str) -> str:
    """A tidy text as NLU reads it: a run of one repeated mark, word or sentence as three, and at
    most MAX_TOKENS words and marks (the first HEAD_TOKENS and the last TAIL_TOKENS)."""
    text = REPEATED_MARK.sub(lambda match: match.group(1) * 3, text)
    for repeated in (REPEATED_WORD, REPEATED_SENTENCE):
        text = repeated.sub(_three_times, text)
    tokens = list(TOKEN.finditer(text))
    if len(tokens) <= MAX_TOKENS:
        return text
    return text[: tokens[HEAD_TOKENS - 1].end()] + " ... " + text[tokens[-TAIL_TOKENS].start() :]


def _three_times(match: re.Match) -> str:
    return " ".join([match.group(1)] * 3)


def printable(text: str) -> str:
    """`text` without control characters, for a terminal or a page (a terminal obeys C1 codes)."""
    return CONTROL_CHARACTERS.sub("", text)
