"""Rebuild the cleaned article copies from the raw texts listed in knowledge/articles/sources.yml.

Usage: python scripts/clean_articles.py [--check]
With --check, exit 1 if a committed cleaned copy differs from what the raw text gives.
"""

import sys
import unicodedata
from pathlib import Path

import yaml

ARTICLES_DIR = Path(__file__).resolve().parent.parent / "knowledge" / "articles"
BULLET = "\u2022"
# Bytes that Windows-1252 leaves undefined: a decoder that meets one drops it.
DROPPED_BYTES = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _byte_of(char: str):
    """The byte a mis-decoding Thai (cp874) or Western (cp1252) code page turned into `char`."""
    if ord(char) < 0x80:
        return None
    for codec in ("cp874", "cp1252"):
        try:
            return char.encode(codec)[0]
        except UnicodeEncodeError:
            continue
    return None


def _utf8_length(lead: int) -> int:
    """How many bytes a UTF-8 sequence starting with `lead` has (0 if it is no lead byte)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _decode(sequence: list, length: int):
    """Decode a UTF-8 byte sequence, restoring one dropped byte at its end if needed."""
    candidates = [sequence] if len(sequence) == length else []
    if len(sequence) == length - 1 and len(sequence) >= 2:
        candidates = [sequence + [dropped] for dropped in DROPPED_BYTES]
    for candidate in candidates:
        try:
            char = bytes(candidate).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if unicodedata.category(char[0]) not in ("Cc", "Cn", "Co"):
            return char
    return None


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp874 ('\u0e42\u20ac\u201c' -> '–'); fold ligatures and no-break spaces."""
    repaired = []
    index = 0
    while index < len(text):
        lead = _byte_of(text[index])
        length = _utf8_length(lead) if lead is not None else 0
        if length:
            sequence, end = [lead], index + 1
            while end < len(text) and len(sequence) < length:
                byte = _byte_of(text[end])
                if byte is None or not 0x80 <= byte <= 0xBF:
                    break
                sequence.append(byte)
                end += 1
            char = _decode(sequence, length)
            if char is not None:
                repaired.append(char)
                index = end
                continue
        repaired.append(text[index])
        index += 1
    return unicodedata.normalize("NFKC", "".join(repaired))


def clean_article(raw: str, cut_from) -> str:
    """Repair characters, turn bullets into '- ' lines, drop repeated paragraphs and the footer."""
    lines = [line.strip() for line in repair_mojibake(raw).splitlines()]
    if cut_from and cut_from in lines:
        lines = lines[: lines.index(cut_from)]
    paragraphs, seen = [], set()
    for line in lines:
        if not line:
            continue
        if line.startswith(BULLET):
            line = "- " + line.lstrip(BULLET).strip()
        line = " ".join(line.split())
        if line in seen and not line.startswith("- "):
            continue
        seen.add(line)
        paragraphs.append(line)
    return "\n".join(paragraphs) + "\n"


def load_sources() -> list:
    """The article entries of sources.yml."""
    return yaml.safe_load((ARTICLES_DIR / "sources.yml").read_text(encoding="utf-8"))["articles"]


def main(argv: list) -> int:
    """Write (or with --check, compare) every cleaned copy."""
    check = "--check" in argv
    stale = []
    for article in load_sources():
        raw = (ARTICLES_DIR / article["raw"]).read_text(encoding="utf-8")
        cleaned = clean_article(raw, article.get("cut_from"))
        target = ARTICLES_DIR / article["clean"]
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != cleaned:
                stale.append(article["clean"])
        else:
            target.write_text(cleaned, encoding="utf-8")
    if stale:
        print("Stale cleaned articles (run make clean-articles):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
