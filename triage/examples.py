"""Labelled messages for the triage classifier: emergencies by category, and everything else.

Emergencies and look-alikes come from knowledge/triage/train/*.yml (the format is in
docs/safety.md); the assistant's own NLU examples (data/nlu*.yml) add ordinary questions as
"none" (each sentence of a long one too, as triage also reads sentences on their own), so that a
question about IASTM, or the story around it, is never taken for an emergency.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from triage.text import SENTENCE_END

ROOT = Path(__file__).resolve().parent.parent
TRAINING_FOLDER = ROOT / "knowledge" / "triage" / "train"
NLU_FILES = sorted((ROOT / "data").glob("nlu*.yml"))
NONE = "none"  # the label of a message that is not an emergency
# "[chest pain](condition)" and '[leg]{"entity": ...}' in NLU examples: keep the words only.
ENTITY_MARKUP = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class Example:
    """One message, its label (an emergency category, or `none`) and the look-alike category or
    'faq' that it came from."""

    text: str
    label: str
    group: str
    language: str


def _lines(block: str) -> list[str]:
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def read_triage_file(path: Path) -> list[Example]:
    """The emergencies (labelled by category) and look-alikes (labelled none) of one file."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for section, emergency in (("emergencies", True), ("lookalikes", False)):
        for block in spec.get(section) or []:
            label = block["category"] if emergency else NONE
            examples.extend(
                Example(text, label, block["category"], block.get("language", "en"))
                for text in _lines(block["examples"])
            )
    return examples


def read_nlu_questions(paths: list[Path] = NLU_FILES) -> list[Example]:
    """The assistant's NLU examples, apart from any emergency ones, and the sentences of each
    long one, as `none`."""
    texts = []
    for path in paths:
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" in block and block["intent"] != "emergency":
                for text in _lines(block["examples"]):
                    words = ENTITY_MARKUP.sub(r"\1", text)
                    parts = [part.strip() for part in SENTENCE_END.split(words) if part.strip()]
                    texts.extend([words, *parts] if len(parts) > 1 else [words])
    return [Example(text, NONE, "faq", "en") for text in dict.fromkeys(texts)]


def training_examples(folder: Path = TRAINING_FOLDER) -> list[Example]:
    """Everything the classifier learns from."""
    triage = [e for path in sorted(folder.glob("*.yml")) for e in read_triage_file(path)]
    return triage + read_nlu_questions()
