"""Build the printable FAQ handout (HTML, then PDF through headless Chromium) from the knowledge base.

Usage: python -m handout.build [--out results/handout] [--paper A4|Letter]
"""

import argparse
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader

from actions.clinic import Clinic, load_clinic
from actions.knowledge import CONDITION_INTENT, KnowledgeBase, Topic, load_knowledge
from actions.replies import answer_reply, reference_text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
]  # fmt: skip
# Headings for the general topics, by topic id. Conditions get their own section; a topic listed
# nowhere (a new one) goes under OTHER, so every topic of the knowledge base is printed.
SECTIONS_FILE = HERE / "sections.yml"
OTHER = "More questions"
CONDITIONS = "Conditions and problems"


def sections(kb: KnowledgeBase) -> list[tuple[str, list[Topic]]]:
    """The topics under the headings of sections.yml, in order; conditions last, empty groups dropped."""
    general = {topic.id: topic for topic in kb.topics.values() if topic.intent != CONDITION_INTENT}
    listed = yaml.safe_load(SECTIONS_FILE.read_text(encoding="utf-8"))
    grouped = [(s["heading"], [general.pop(i) for i in s["topics"] if i in general]) for s in listed]
    grouped += [(OTHER, list(general.values())), (CONDITIONS, kb.condition_topics)]
    return [(title, topics) for title, topics in grouped if topics]


def answer_of(kb: KnowledgeBase, topic: Topic, numbers: dict[str, int]) -> dict:
    """The assistant's answer to `topic`, split for printing: passages (lines), any lines after them
    (a study's full reference), sources line, references.

    The text is answer_reply's own (render_passage for each passage), so it is what the assistant says.
    """
    reply = answer_reply(kb, topic, topic.answer)
    passages = [passage["text"].split("\n") for passage in reply.payload["passages"]]
    lines = reply.text.split("\n")
    assert lines[-1] == kb.wording["disclaimer"], "answer_reply's text no longer ends with the disclaimer"
    cited = sorted(numbers[citation["key"]] for citation in reply.payload["citations"])
    after = lines[sum(len(passage) for passage in passages) : -2]
    return {"passages": passages, "after": after, "sources": lines[-2], "cited": cited}


def build_html(kb: KnowledgeBase, clinic: Clinic, generated: date, paper: str = "A4") -> str:
    """The handout as one self-contained HTML page (autoescaped)."""
    numbers = {key: number for number, key in enumerate(kb.references, start=1)}
    environment = Environment(loader=FileSystemLoader(HERE), autoescape=True)
    return environment.get_template("template.html").render(
        sections=[
            (title, [(topic, answer_of(kb, topic, numbers)) for topic in topics])
            for title, topics in sections(kb)
        ],
        articles=list(kb.articles.values()),
        references=[
            (numbers[reference.key], reference, reference_text(kb, reference))
            for reference in kb.references.values()
        ],
        disclaimer=kb.wording["disclaimer"],
        contact=clinic.contact,
        generated=f"{generated.day} {generated:%B %Y}",
        paper=paper,
    )


def render_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Print `html_path` to `pdf_path` with headless Chromium (a throwaway profile)."""
    with tempfile.TemporaryDirectory(prefix="handout-chromium-") as profile:
        subprocess.run(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf_path}",
             html_path.resolve().as_uri()],
            check=True, timeout=timeout, capture_output=True,
        )  # fmt: skip
    if not pdf_path.exists() or pdf_path.read_bytes()[:5] != b"%PDF-":
        raise RuntimeError(f"Chromium wrote no PDF to {pdf_path}")


def build(out_dir: Path, paper: str = "A4", generated: date | None = None) -> Path:
    """Write iastm-faq.html and iastm-faq.pdf to `out_dir`; return the PDF's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = out_dir / "iastm-faq.html", out_dir / "iastm-faq.pdf"
    html = build_html(load_knowledge(), load_clinic(), generated or date.today(), paper)
    html_path.write_text(html, encoding="utf-8")
    render_pdf(html_path, pdf_path)
    return pdf_path


def main(argv: list[str] | None = None) -> None:
    """Build the handout and print the PDF's path."""
    parser = argparse.ArgumentParser(description="Build the printable IASTM FAQ handout.")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "handout", help="output folder")
    parser.add_argument("--paper", choices=["A4", "Letter"], default="A4", help="page size")
    args = parser.parse_args(argv)
    print(build(args.out, args.paper))


if __name__ == "__main__":
    main()
