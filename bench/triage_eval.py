"""Scoring triage on a labelled set: recall on emergencies, false alarms on look-alikes, by category.

Development sets (tune on them, `make triage-dev`): bench/triage_dev*.yml (sets 3 to 7, 10, 12, 13,
14, 18, 19 and 20 were held out until their errors were read; 15 and 17 hold look-alikes only, 16
emergencies only).
Held-out set (scored only by `make bench`): tests/eval/triage_twentyfirst.yml.
Usage: python -m bench.triage_eval [--set dev|dev2|...|dev29|hard|faq]
(faq: the FAQ development sets' questions)
"""

import argparse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from triage.examples import NONE, Example, read_triage_file

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = {
    "dev": ROOT / "bench" / "triage_dev.yml",
    "dev2": ROOT / "bench" / "triage_dev_2.yml",
    "dev3": ROOT / "bench" / "triage_dev_3.yml",
    "dev4": ROOT / "bench" / "triage_dev_4.yml",
    "dev5": ROOT / "bench" / "triage_dev_5.yml",
    "dev6": ROOT / "bench" / "triage_dev_6.yml",
    "dev7": ROOT / "bench" / "triage_dev_7.yml",
    "dev8": ROOT / "bench" / "triage_dev_8.yml",
    "dev9": ROOT / "bench" / "triage_dev_9.yml",
    "dev10": ROOT / "bench" / "triage_dev_10.yml",
    "dev11": ROOT / "bench" / "triage_dev_11.yml",
    "dev12": ROOT / "bench" / "triage_dev_12.yml",
    "dev13": ROOT / "bench" / "triage_dev_13.yml",
    "dev14": ROOT / "bench" / "triage_dev_14.yml",
    "dev15": ROOT / "bench" / "triage_dev_15.yml",
    "dev16": ROOT / "bench" / "triage_dev_16.yml",
    "dev17": ROOT / "bench" / "triage_dev_17.yml",
    "dev18": ROOT / "bench" / "triage_dev_18.yml",
    "dev19": ROOT / "bench" / "triage_dev_19.yml",
    "dev20": ROOT / "bench" / "triage_dev_20.yml",
    "dev21": ROOT / "bench" / "triage_dev_21.yml",
    "dev22": ROOT / "bench" / "triage_dev_22.yml",
    "dev23": ROOT / "bench" / "triage_dev_23.yml",
    "dev24": ROOT / "bench" / "triage_dev_24.yml",
    "dev25": ROOT / "bench" / "triage_dev_25.yml",
    "dev26": ROOT / "bench" / "triage_dev_26.yml",
    "dev27": ROOT / "bench" / "triage_dev_27.yml",
    "dev28": ROOT / "bench" / "triage_dev_28.yml",
    "dev29": ROOT / "bench" / "triage_dev_29.yml",
    "hard": ROOT / "bench" / "triage_dev_hard.yml",
}
HELD_OUT = {"twenty-first held-out set": ROOT / "tests" / "eval" / "triage_twentyfirst.yml"}
TARGET_RECALL = 0.99
TARGET_FALSE_ALARMS = 0.03


@dataclass
class TriageScore:
    """Counts by category; `misses` and `false_alarms` hold (category, text) pairs."""

    emergencies: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    caught: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lookalikes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    alarms: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[tuple[str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)
    wrong_tier: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        """Share of emergencies that got an emergency reply."""
        return sum(self.caught.values()) / sum(self.emergencies.values()) if self.emergencies else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """Share of look-alikes that got an emergency reply."""
        return sum(self.alarms.values()) / max(1, sum(self.lookalikes.values()))

    @property
    def lowest_category_recall(self) -> float:
        """Recall of the emergency category caught least often."""
        return min((self.caught[c] / n for c, n in self.emergencies.items()), default=1.0)

    @property
    def highest_category_false_alarm_rate(self) -> float:
        """False alarm rate of the look-alike category that raises the most."""
        return max((self.alarms[c] / n for c, n in self.lookalikes.items()), default=0.0)

    @property
    def targets_met(self) -> bool:
        """Recall and false alarms within the issue's targets, overall and in every category."""
        return (
            min(self.recall, self.lowest_category_recall) >= TARGET_RECALL
            and max(self.false_alarm_rate, self.highest_category_false_alarm_rate) <= TARGET_FALSE_ALARMS
        )


def score(examples: list[Example], is_emergency: Callable[[str], str | None], tier_of: dict) -> TriageScore:
    """Score a predictor that gives the emergency category of a text, or None; with `tier_of`
    (category -> tier), an emergency given another tier's advice is listed too."""
    result = TriageScore()
    for example in examples:
        predicted = is_emergency(example.text)
        if example.label == NONE:
            result.lookalikes[example.group] += 1
            if predicted:
                result.alarms[example.group] += 1
                result.false_alarms.append((example.group, example.text))
        else:
            result.emergencies[example.group] += 1
            if predicted:
                result.caught[example.group] += 1
                if tier_of and tier_of.get(predicted) != tier_of.get(example.label):
                    result.wrong_tier.append((example.group, predicted, example.text))
            else:
                result.misses.append((example.group, example.text))
    return result


def report_lines(result: TriageScore) -> list[str]:
    """Per-category table rows and every miss and false alarm."""
    lines = [f"recall {result.recall:.1%}, false alarms {result.false_alarm_rate:.1%}"]
    for category, total in sorted(result.emergencies.items()):
        lines.append(f"  emergency {category}: {result.caught[category]}/{total}")
    for category, total in sorted(result.lookalikes.items()):
        lines.append(f"  look-alike {category}: {result.alarms[category]}/{total} false alarms")
    lines += [f"  MISS [{c}] {t}" for c, t in result.misses]
    lines += [f"  FALSE ALARM [{c}] {t}" for c, t in result.false_alarms]
    lines += [f"  tier wrong [{c} as {p}] {t}" for c, p, t in result.wrong_tier]
    return lines


def faq_examples() -> list[Example]:
    """The FAQ development sets' questions (bench/dev.py): the emergencies among them, and the
    rest as look-alikes (a false alarm there takes an answer away)."""
    from bench.dev import DEV_SETS
    from bench.eval_set import load_eval_set

    return [
        Example(item.question, "emergency" if item.reply_type == "emergency" else NONE, "faq", "en")
        for path in DEV_SETS
        for item in load_eval_set(path)
    ]


def main() -> None:
    """Score the project's triage on the development set and print every error."""
    from triage.triage import load_triage

    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=[*sorted(DEVELOPMENT), "faq"], default="dev")
    args = parser.parse_args()
    triage = load_triage()

    def category(text: str) -> str | None:
        assessment = triage.assess(text)
        return assessment.category if assessment else None

    if args.set == "faq":  # no tiers: the FAQ sets label an emergency as such only
        result = score(faq_examples(), category, {})
    else:
        result = score(read_triage_file(DEVELOPMENT[args.set]), category, triage.patterns.tier_of)
    print("\n".join(report_lines(result)))


if __name__ == "__main__":
    main()
