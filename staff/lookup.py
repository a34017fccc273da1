"""Ask the running assistant a question as a patient would, and show staff what it made of it.

Usage: python -m staff.lookup "is graston painful?" [--rasa http://127.0.0.1:5005]
       Q="is graston painful?" python -m staff.lookup  (how `make ask` passes it: never through a shell)
Each lookup is a new conversation `staff:<id>`, named by a token signed with SESSION_SECRET
(channels/sessions.py) that only staff tools hold, so the report leaves it out and no patient's
sender id can pose as one.
"""

import argparse
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import requests

from channels.sessions import SessionTokens
from server.processes import MODEL, serving
from staff.events import ROOT, database_url, read_turns

LOOKUP_TIMEOUT_SECONDS = 30
WEAK_CONFIDENCE = 0.6  # below this, staff are told the match is weak


@dataclass
class Lookup:
    """The assistant's reply to one question, with what NLU matched and how sure it was."""

    question: str
    text: str
    payload: dict = field(default_factory=dict)
    intent: str | None = None
    confidence: float | None = None

    @property
    def topic(self) -> str | None:
        """The knowledge-base topic answered, if any."""
        return self.payload.get("topic")

    @property
    def weak(self) -> bool:
        """Whether staff should double-check the match."""
        return self.confidence is None or self.confidence < WEAK_CONFIDENCE

    @property
    def references(self) -> list[str]:
        """Full references of the studies the reply cites."""
        return [
            f"{c['citation']}: {c['reference'] or 'the article gives no full reference.'}"
            for c in self.payload.get("citations", [])
        ]

    @property
    def short(self) -> str:
        """A copy-ready version: the first quoted passage with its citations, and the source."""
        passages = self.payload.get("passages") or []
        if not passages:
            return self.text
        first = passages[0]
        cited = f" ({'; '.join(first['citations'])})" if first.get("citations") else ""
        sources = " and ".join(source["title"] for source in self.payload.get("sources", []))
        return f"{first['text']}{cited} Source: {sources}."


def ask(question: str, rasa_url: str, tracker_store_url: str) -> Lookup:
    """Send `question` to the REST channel as a new conversation; read NLU's verdict from the store."""
    tokens = SessionTokens()
    sender = tokens.issue("staff")
    response = requests.post(
        rasa_url.rstrip("/") + "/webhooks/rest/webhook",
        json={"sender": sender, "message": question},
        timeout=LOOKUP_TIMEOUT_SECONDS,
    )
    response.raise_for_status()
    replies = response.json()
    text = "\n".join(reply["text"] for reply in replies if reply.get("text"))
    payload = next((reply["custom"] for reply in replies if "custom" in reply), {})
    turns = read_turns(tracker_store_url, sender_id=tokens.conversation_of(sender))
    turn = turns[0] if turns else None  # of a question in two parts, the first, as `payload`
    return Lookup(question, text, payload, turn and turn.intent, turn and turn.confidence)


def as_text(lookup: Lookup) -> str:
    """The lookup for a terminal."""
    confidence = "unknown" if lookup.confidence is None else f"{lookup.confidence:.0%}"
    lines = [
        f"Matched: {lookup.intent or 'nothing'} (confidence {confidence}"
        + (", weak: check the answer)" if lookup.weak else ")")
        + (f", topic {lookup.topic}" if lookup.topic else ""),
        "",
        lookup.text,
    ]
    if lookup.references:
        lines += ["", "References:", *(f"- {reference}" for reference in lookup.references)]
    lines += ["", "Short version:", lookup.short]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the assistant's answer to one question."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("question", nargs="?", default=os.environ.get("Q", ""))
    parser.add_argument("--rasa", default="http://127.0.0.1:5005")
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args(argv)
    if not (args.question or "").strip():
        parser.error('give a question, for example: make ask Q="is graston painful?"')
    try:
        lookup = ask(args.question, args.rasa, database_url(args.endpoints))
    except requests.ConnectionError:
        print(f"The assistant is not running at {args.rasa}; starting it for this question (about 20 s).")
        with serving(MODEL) as servers:
            rasa_url = f"http://127.0.0.1:{servers.rasa_port}"
            lookup = ask(args.question, rasa_url, f"sqlite:///{servers.workdir / 'tracker.db'}")
    print(as_text(lookup))
    return 0


if __name__ == "__main__":
    sys.exit(main())
