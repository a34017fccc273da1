"""`make dev-score`: score a trained model on the development sets.

They are for tuning the NLU data and pipeline: bench/dev_questions.yml (written for it),
bench/dev_questions_2.yml and bench/dev_edges.yml (the first held-out evaluation set and edge slice),
bench/dev_questions_3.yml and bench/dev_edges_2.yml (the second ones), bench/dev_questions_5.yml and
bench/dev_edges_3.yml (the third ones), each scored twice by `make bench` and moved here once their wrong
answers had been looked at; bench/dev_questions_6.yml and bench/dev_edges_4.yml (the fourth ones,
scored once), bench/dev_questions_7.yml and bench/dev_edges_5.yml (the fifth ones, scored once),
bench/dev_questions_8.yml and bench/dev_edges_6.yml (the sixth ones, scored once),
bench/dev_questions_9.yml and bench/dev_edges_7.yml (the seventh ones, scored once),
bench/dev_questions_10.yml and bench/dev_edges_8.yml (the eighth ones, scored once),
bench/dev_questions_11.yml and bench/dev_edges_9.yml (the ninth ones, scored once),
bench/dev_questions_12.yml and bench/dev_edges_10.yml (the tenth ones, scored once),
bench/dev_questions_13.yml and bench/dev_edges_11.yml (the eleventh ones, scored once),
bench/dev_questions_14.yml and bench/dev_edges_12.yml (the twelfth ones, scored once),
bench/dev_questions_15.yml and bench/dev_edges_13.yml (the thirteenth ones, scored once),
bench/dev_questions_16.yml and bench/dev_edges_14.yml (the fourteenth ones, scored once),
bench/dev_questions_17.yml and bench/dev_edges_15.yml (the fifteenth ones, scored once);
bench/dev_edges_hard.yml (asides before a question, greetings, hostile input and the edge classes, by a
helper that saw no training data, 2026-12-02);
bench/dev_questions_4.yml (written by a helper that saw no training data, read once before tuning on
it). Unlike the held-out sets they may be read freely, so this prints every wrongly answered question
with what came back.
Usage: python -m bench.dev [--model models/iastm.tar.gz] [--questions FILE]
"""

import argparse
import sys
from pathlib import Path

from bench.eval_set import EDGES, EvalItem, load_eval_set
from bench.quality import rest_answers
from bench.run import CREDENTIALS
from server.processes import ROOT, serving

# Each development set, with the prefix of its categories.
DEV_SETS = {
    ROOT / "bench" / "dev_questions.yml": "",
    ROOT / "bench" / "dev_questions_2.yml": "",
    ROOT / "bench" / "dev_edges.yml": EDGES,
    ROOT / "bench" / "dev_questions_3.yml": "",
    ROOT / "bench" / "dev_edges_2.yml": EDGES,
    ROOT / "bench" / "dev_questions_4.yml": "",
    ROOT / "bench" / "dev_questions_5.yml": "",
    ROOT / "bench" / "dev_edges_3.yml": EDGES,
    ROOT / "bench" / "dev_questions_6.yml": "",
    ROOT / "bench" / "dev_edges_4.yml": EDGES,
    ROOT / "bench" / "dev_questions_7.yml": "",
    ROOT / "bench" / "dev_edges_5.yml": EDGES,
    ROOT / "bench" / "dev_questions_8.yml": "",
    ROOT / "bench" / "dev_edges_6.yml": EDGES,
    ROOT / "bench" / "dev_questions_9.yml": "",
    ROOT / "bench" / "dev_edges_7.yml": EDGES,
    ROOT / "bench" / "dev_questions_10.yml": "",
    ROOT / "bench" / "dev_edges_8.yml": EDGES,
    ROOT / "bench" / "dev_questions_11.yml": "",
    ROOT / "bench" / "dev_edges_9.yml": EDGES,
    ROOT / "bench" / "dev_questions_12.yml": "",
    ROOT / "bench" / "dev_edges_10.yml": EDGES,
    ROOT / "bench" / "dev_questions_13.yml": "",
    ROOT / "bench" / "dev_edges_11.yml": EDGES,
    ROOT / "bench" / "dev_questions_14.yml": "",
    ROOT / "bench" / "dev_edges_12.yml": EDGES,
    ROOT / "bench" / "dev_questions_15.yml": "",
    ROOT / "bench" / "dev_edges_13.yml": EDGES,
    ROOT / "bench" / "dev_questions_16.yml": "",
    ROOT / "bench" / "dev_edges_14.yml": EDGES,
    ROOT / "bench" / "dev_questions_17.yml": "",
    ROOT / "bench" / "dev_edges_15.yml": EDGES,
    ROOT / "bench" / "dev_edges_hard.yml": EDGES,
}


def describe(replies: list[dict]) -> str:
    """The reply types and topics of a bot turn, for the report."""
    payloads = [reply["custom"] for reply in replies if "custom" in reply]
    return ", ".join(f"{p.get('type')}/{p.get('topic')}" for p in payloads) or "no payload"


def print_wrong(item: EvalItem, replies: list[dict]) -> None:
    """Show a wrongly answered question, what was wanted and what came back."""
    print(f"WRONG {item.id}: {item.question!r}\n  want {item.reply_type}/{item.topics} "
          f"({'/'.join(item.intents)}), got {describe(replies)}")  # fmt: skip


def main(argv: list[str]) -> int:
    """Print the answer accuracy per category and every wrong answer."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "iastm.tar.gz")
    parser.add_argument("--questions", type=Path, help="one set only (default: all of DEV_SETS)")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        parser.error(f"no trained model at {args.model}: run make train first")
    sets = {args.questions: ""} if args.questions else DEV_SETS
    items = [item for path, prefix in sets.items() for item in load_eval_set(path, prefix)]
    with serving(args.model, credentials=CREDENTIALS) as servers:
        scores = rest_answers(items, servers, on_wrong=print_wrong)
    for category, share in scores.by_category.items():
        print(f"{category:20} {share:.0%}")
    print(f"{'all':20} {scores.accuracy:.1%} of {len(items)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
