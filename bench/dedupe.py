"""Drop the messages of a new held-out set that equal (after normalising case, accents, punctuation
and spaces) a message the project already holds: NLU and triage training data, development and
held-out sets. The dropped ones are not printed, so they stay unread.
Sets waiting in tests/eval/next/ count as held too.
Usage: python -m bench.dedupe NEW.yml [NEW2.yml ...] (rewrites each file, prints how many it dropped)
"""

import re
import sys
from pathlib import Path

import yaml

from triage.text import normal_form

ROOT = Path(__file__).resolve().parent.parent
HELD = (
    "data/*.yml",
    "bench/*.yml",
    "tests/eval/*.yml",
    "tests/eval/next/*.yml",
    "knowledge/triage/train/*.yml",
)
ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def normalised(text: str) -> str:
    """Triage's normal form (lower case, no accents), without entity annotations or punctuation."""
    text = normal_form(ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def block_lines(block: str) -> list[str]:
    """The messages of a YAML `examples: |` block."""
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")]


def messages(node) -> list[str]:
    """Every message in a parsed YAML file: example blocks and question turns."""
    if isinstance(node, dict):
        found = block_lines(node["examples"]) if isinstance(node.get("examples"), str) else []
        found += [t for t in node.get("turns", []) if isinstance(t, str)]
        return found + [m for k, v in node.items() if k not in ("examples", "turns") for m in messages(v)]
    if isinstance(node, list):
        return [m for item in node for m in messages(item)]
    return []


def known(exclude: set[Path]) -> set[str]:
    """The normalised messages the project holds, but those of `exclude`."""
    paths = {p.resolve() for pattern in HELD for p in ROOT.glob(pattern)} - exclude
    return {normalised(m) for p in paths for m in messages(yaml.safe_load(p.read_text(encoding="utf-8")))}


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (example blocks) as `|` blocks, as the sets are written."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_BlockDumper.add_representer(str, _represent_text)


def dedupe(path: Path, seen: set[str]) -> int:
    """Rewrite `path` without its known messages; the number dropped."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    dropped = 0
    if "questions" in data:
        kept = [q for q in data["questions"] if normalised(q["turns"][-1]) not in seen]
        dropped, data["questions"] = len(data["questions"]) - len(kept), kept
    for groups in (data.get("emergencies", []), data.get("lookalikes", [])):
        for group in groups:
            lines = block_lines(group["examples"])
            kept = [m for m in lines if normalised(m) not in seen]
            dropped += len(lines) - len(kept)
            group["examples"] = "".join(f"- {m}\n" for m in kept)
    body = yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(header + body, encoding="utf-8")
    return dropped


def main(argv: list[str]) -> int:
    """Dedupe each file named against the project's messages."""
    paths = [Path(a).resolve() for a in argv]
    seen = known(set(paths))
    for path in paths:
        print(f"{path.name}: {dedupe(path, seen)} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
