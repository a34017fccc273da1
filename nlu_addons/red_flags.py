"""Red-flag matching (knowledge/red_flags.yml) as plain code; no Rasa imports."""

import re
from pathlib import Path

import yaml

RED_FLAGS_FILE = Path(__file__).resolve().parent.parent / "knowledge" / "red_flags.yml"


class RedFlags:
    """Named groups of case-insensitive patterns; `find(text)` names the first group that matches."""

    def __init__(self, patterns: dict[str, list[str]]) -> None:
        self._compiled = {
            name: [re.compile(p, re.IGNORECASE) for p in group] for name, group in patterns.items()
        }

    @classmethod
    def from_file(cls, path: Path = RED_FLAGS_FILE) -> "RedFlags":
        """Load the patterns from a YAML file with a `red_flags` mapping."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8"))["red_flags"])

    def find(self, text: str) -> str | None:
        """The name of the first red-flag group matching `text` (apostrophes normalised), or None."""
        normalised = " ".join(text.replace("\u2019", "'").split())
        for name, patterns in self._compiled.items():
            if any(pattern.search(normalised) for pattern in patterns):
                return name
        return None
