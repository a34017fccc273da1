"""User text made safe to process and to show: no control characters, no runs of spaces."""

import re

# C0 and C1 control characters (but tab and line feed), zero-width and bidirectional controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
SPACE_RUN = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
LINE_RUN = re.compile(r"(?: ?\n ?)+")


def tidy(text: str) -> str:
    """`text` without control characters, with each run of spaces or line breaks as one."""
    text = SPACE_RUN.sub(" ", CONTROL_CHARACTERS.sub("", text))
    return LINE_RUN.sub("\n", text).strip()


def printable(text: str) -> str:
    """`text` without control characters, for a terminal or a page (a terminal obeys C1 codes)."""
    return CONTROL_CHARACTERS.sub("", text)
