"""The README and docs name files that exist, and the README starts with the two commands."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_starts_with_the_run_and_test_commands():
    first_lines = (ROOT / "README.md").read_text().splitlines()[:2]
    assert [line.split("#")[0].strip() for line in first_lines] == ["make run", "make test"]


def test_every_path_the_docs_name_exists():
    named = set()
    for doc in DOCS:
        named |= set(
            re.findall(
                r"`((?:actions|data|docs|knowledge|nlu_addons|scripts|tests)/[\w./-]+)`", doc.read_text()
            )
        )
    missing = [path for path in sorted(named) if not (ROOT / path).exists()]
    assert named and not missing


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
