"""What people asked that the assistant could not answer, grouped by similarity, and the top topics.

Usage: python -m staff.report [--since 2026-11-01] [--until 2026-12-01] [--endpoints endpoints.yml]
Questions are shown with e-mail addresses, phone numbers and links masked and control characters
removed, and conversations by a keyed hash of their id (a messaging channel's id can be a phone
number, and an unkeyed hash of a phone number is easily reversed): REPORT_KEY, or a random key per
run (labels then match within one report only). At most MAX_GROUPED questions, the most recent,
are grouped, each compared with the groups found so far, never all pairs.
"""

import argparse
import hashlib
import hmac
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sklearn.feature_extraction.text import TfidfVectorizer

from channels.text import printable
from staff.events import ROOT, Turn, database_url, read_turns
from staff.inbox import OUTCOMES, handoff_outcomes

# Reply types that mean "we could not answer this", with how the report names them.
UNANSWERED = {
    "no_answer": "honest no-answer",
    "closest_passage": "low confidence: closest passage",
    "did_you_mean": "low confidence: did you mean",
    "no_topic": "low confidence: suggestions",
}
ANSWERED = ("answer", "more")
FEEDBACK = ("helpful", "unhelpful")  # reply types of the 👍/👎 quick replies (actions/feedback_actions.py)
STAFF_CONVERSATIONS = "staff:"  # lookups from the staff page and `make ask` are not patients
MAX_GROUPED = 2000  # the most recent unanswered questions that are grouped; older ones are counted
LABEL_KEY = (os.environ.get("REPORT_KEY") or secrets.token_hex(16)).encode()
SIMILAR = 0.45  # cosine similarity (TF-IDF of words, stop words left out) for two questions to share a group
MASKS = (
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[e-mail]"),
    (re.compile(r"https?://\S+|www\.\S+"), "[link]"),
    (re.compile(r"\+?\d[\d\s().-]{5,}\d"), "[number]"),
)


@dataclass
class Group:
    """Similar unanswered questions: the first one worded as shown, and when and how they were answered."""

    question: str
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    reply_types: Counter = field(default_factory=Counter)
    conversations: set = field(default_factory=set)


@dataclass
class Report:
    """The report for one period."""

    since: datetime
    until: datetime
    questions: int
    groups: list[Group]
    top_topics: list[tuple[str, int]]
    feedback: dict[str, Counter] = field(default_factory=dict)  # topic -> helpful / unhelpful counts
    handoffs: Counter = field(default_factory=Counter)  # outcome -> count (staff/inbox.py)


def mask(text: str) -> str:
    """The text with e-mail addresses, links and phone-like numbers replaced by placeholders."""
    text = printable(text)
    for pattern, placeholder in MASKS:
        text = pattern.sub(placeholder, text)
    return text


def conversation_label(sender_id: str) -> str:
    """A short stand-in for a conversation id: keyed, so it cannot be reversed by guessing ids."""
    return hmac.new(LABEL_KEY, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def similar_to_leader(texts: list[str]) -> Callable[[int, list[int]], int | None]:
    """A function giving the first of the leaders whose question is similar enough to question
    `index`: one sparse row against the leaders' rows, never all pairs at once."""
    try:
        vectors = TfidfVectorizer(stop_words="english").fit_transform(texts)  # rows of unit length
    except ValueError:  # nothing but stop words: only identical questions are alike
        return lambda index, leaders: next(
            (g for g, leader in enumerate(leaders) if texts[leader] == texts[index]), None
        )

    def first_similar(index: int, leaders: list[int]) -> int | None:
        if not leaders:
            return None
        similarity = (vectors[leaders] @ vectors[index].T).toarray().ravel()
        return next((g for g, value in enumerate(similarity) if value >= SIMILAR), None)

    return first_similar


def group_similar(turns: list[Turn]) -> list[Group]:
    """Greedy grouping: each question joins the first group whose first question is similar enough."""
    if not turns:
        return []
    turns = sorted(turns, key=lambda turn: turn.time)[-MAX_GROUPED:]
    texts = [mask(turn.text).lower() for turn in turns]
    first_similar = similar_to_leader(texts)
    leaders: list[int] = []
    groups: list[Group] = []
    for index, turn in enumerate(turns):
        match = first_similar(index, leaders)
        if match is None:
            leaders.append(index)
            groups.append(Group(question=mask(turn.text)))
            match = len(groups) - 1
        group = groups[match]
        group.count += 1
        group.first = min(group.first or turn.time, turn.time)
        group.last = max(group.last or turn.time, turn.time)
        group.reply_types[UNANSWERED[turn.reply_type]] += 1
        group.conversations.add(conversation_label(turn.sender_id))
    return sorted(groups, key=lambda g: (-g.count, g.question.lower()))


def build_report(turns: list[Turn], since: datetime, until: datetime) -> Report:
    """Group the unanswered questions and count the answered topics of patients' turns."""
    patients = [turn for turn in turns if not turn.sender_id.startswith(STAFF_CONVERSATIONS)]
    unanswered = [turn for turn in patients if turn.reply_type in UNANSWERED and turn.text.strip()]
    topics = Counter(turn.topic for turn in patients if turn.reply_type in ANSWERED and turn.topic)
    feedback: dict[str, Counter] = {}
    for turn in patients:
        if turn.reply_type in FEEDBACK:
            feedback.setdefault(turn.topic or "(no topic)", Counter())[turn.reply_type] += 1
    feedback = dict(sorted(feedback.items(), key=lambda item: (-item[1]["unhelpful"], item[0])))
    return Report(since, until, len(patients), group_similar(unanswered), topics.most_common(10), feedback)


def load_report(url: str, since: datetime, until: datetime) -> Report:
    """The report for [since, until) from the tracker store at `url`."""
    report = build_report(read_turns(url, since, until), since, until)
    report.handoffs = handoff_outcomes(url, since.timestamp(), until.timestamp())
    return report


def as_text(report: Report) -> str:
    """The report for a terminal."""
    lines = [
        f"Questions from {report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} (UTC): {report.questions}",
        "",
        "Not answered, grouped by similarity:",
    ]
    if not report.groups:
        lines.append("  none")
    for group in report.groups:
        kinds = ", ".join(f"{kind} {n}" for kind, n in group.reply_types.most_common())
        lines.append(
            f"  {group.count:4d} x  {group.question}\n"
            f"          {group.first:%Y-%m-%d} to {group.last:%Y-%m-%d}; {kinds}; "
            f"conversations {', '.join(sorted(group.conversations))}"
        )
    lines += ["", "Most asked topics:"]
    lines += [f"  {count:4d} x  {topic}" for topic, count in report.top_topics] or ["  none"]
    lines += ["", "Feedback on answers (helpful / not helpful), least helpful first:"]
    lines += [
        f"  {counts['helpful']:4d} / {counts['unhelpful']:<4d} {topic}"
        for topic, counts in report.feedback.items()
    ] or ["  none"]
    lines += ["", "Handoffs to the front desk:"]
    lines += [f"  {report.handoffs[outcome]:4d}  {label}" for outcome, label in OUTCOMES.items()]
    return "\n".join(lines)


def period(since: str | None, until: str | None) -> tuple[datetime, datetime]:
    """Dates as given (YYYY-MM-DD, UTC); by default the last 30 days up to tomorrow."""
    end = datetime.fromisoformat(until) if until else datetime.now(timezone.utc) + timedelta(days=1)
    end = end.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=timezone.utc)
    start = datetime.fromisoformat(since).replace(tzinfo=timezone.utc) if since else end - timedelta(days=31)
    return start, end


def main(argv: list[str] | None = None) -> int:
    """Print the report for the period asked."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--since", help="first day, YYYY-MM-DD (default: 30 days ago)")
    parser.add_argument("--until", help="day after the last, YYYY-MM-DD (default: tomorrow)")
    parser.add_argument("--endpoints", type=Path, default=ROOT / "endpoints.yml")
    args = parser.parse_args(argv)
    try:
        since, until = period(args.since, args.until)
    except ValueError:
        parser.error("dates are YYYY-MM-DD, for example --since 2026-11-01")
    try:
        report = load_report(database_url(args.endpoints), since, until)
    except sa.exc.OperationalError as error:
        print(f"Cannot read the tracker store configured in {args.endpoints}: {error.orig}")
        return 1
    print(as_text(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
