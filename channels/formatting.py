"""Reply text for messaging apps: length limits, numbered options, markdown. No Rasa imports."""

import re
from collections.abc import Sequence

# The longest text one message (Slack: one text block) may carry, in characters.
LIMITS = {"telegram": 4096, "slack": 3000, "sms": 1600, "whatsapp": 1600, "messenger": 2000}

NUMBER_PROMPT = "Reply with a number:"

# Where a text may be cut, coarsest first, and whether a cut inside brackets is avoided.
# A citation such as "(Kim et al., 2017)" stays whole unless one citation is longer than the limit.
_BOUNDARIES = (
    (re.compile(r"\n[ \t]*\n\s*"), False),  # paragraphs
    (re.compile(r"\n\s*"), False),  # lines
    (re.compile(r"(?<=[.!?])\s+"), True),  # sentences
    (re.compile(r"\s+"), True),  # words, keeping citations whole
    (re.compile(r"\s+"), False),  # words
)


def split_text(text: str, limit: int) -> list[str]:
    """`text` as non-empty parts of at most `limit` characters, cut at the coarsest boundary that fits."""
    text = text.strip()
    return _split(text, limit, 0) if text else []


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_BOUNDARIES):
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    parts, current = [], ""
    for piece in _pieces(text, *_BOUNDARIES[level]):
        if len((current + piece).strip()) <= limit:
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece
        if len(piece.strip()) > limit:
            parts.extend(_split(piece.strip(), limit, level + 1))
            current = ""
    if current.strip():
        parts.append(current.strip())
    return parts


def _pieces(text: str, boundary: re.Pattern, keep_brackets: bool) -> list[str]:
    """`text` cut after each `boundary` (outside brackets if `keep_brackets`); the pieces join to `text`."""
    depths = _bracket_depths(text)
    pieces, start = [], 0
    for match in boundary.finditer(text):
        if keep_brackets and depths[match.start()]:
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    return pieces + [text[start:]]


def _bracket_depths(text: str) -> list[int]:
    """How many brackets are open before each character (an unmatched closing one counts as none)."""
    depth, depths = 0, []
    for char in text:
        depths.append(depth)
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
    return depths


def numbered_options(buttons: Sequence[dict]) -> str:
    """Buttons as a list the user answers with a number: "Reply with a number:\\n1. ...\\n2. ..."."""
    lines = [f"{number}. {button['title']}" for number, button in enumerate(buttons, start=1)]
    return "\n".join([NUMBER_PROMPT, *lines])


def with_numbered_options(text: str, buttons: Sequence[dict]) -> str:
    """`text` followed by its buttons as numbered options, in a paragraph of their own."""
    if not buttons:
        return text
    return f"{text}\n\n{numbered_options(buttons)}" if text else numbered_options(buttons)


_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.DOTALL)
_CODE = re.compile(r"`([^`\n]*)`")
_HEADING = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)


def plain_text(text: str) -> str:
    """Markdown as plain text: bold, code and heading marks dropped, links followed by their URL."""
    text = _LINK.sub(r"\1 (\2)", text)
    text = _BOLD.sub(lambda match: match.group(1) or match.group(2), text)
    text = _CODE.sub(r"\1", text)
    return _HEADING.sub("", text)


def slack_mrkdwn(text: str) -> str:
    """Markdown as Slack's mrkdwn: &, < and > escaped, *bold*, <url|links>, headings in bold."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _LINK.sub(r"<\2|\1>", text)
    text = _BOLD.sub(lambda match: f"*{match.group(1) or match.group(2)}*", text)
    return re.sub(r"^#{1,6}[ \t]+(.+)$", r"*\1*", text, flags=re.MULTILINE)
