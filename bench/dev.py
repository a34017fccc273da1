"""`make dev-score`: score a trained model on the development set (bench/dev_questions.yml).

The development set is for tuning the NLU data and pipeline; unlike the held-out evaluation set it
may be read freely, so this prints every wrongly answered question with what came back.
Usage: python -m bench.dev [--model models/iastm.tar.gz] [--questions bench/dev_questions.yml]
"""

import argparse
import sys
import uuid
from collections import defaultdict
from pathlib import Path

from bench.eval_set import load_eval_set, reply_is_right
from server.processes import ROOT, serving

DEV_FILE = ROOT / "bench" / "dev_questions.yml"
CREDENTIALS = ROOT / "bench" / "credentials.yml"


def describe(replies: list[dict]) -> str:
    """The reply types and topics of a bot turn, for the report."""
    payloads = [reply["custom"] for reply in replies if "custom" in reply]
    return ", ".join(f"{p.get('type')}/{p.get('topic')}" for p in payloads) or "no payload"


def main(argv: list[str]) -> int:
    """Print the answer accuracy per category and every wrong answer."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "iastm.tar.gz")
    parser.add_argument("--questions", type=Path, default=DEV_FILE)
    args = parser.parse_args(argv)
    if not args.model.is_file():
        parser.error(f"no trained model at {args.model}: run make train first")
    items = load_eval_set(args.questions)
    results = defaultdict(list)
    with serving(args.model, credentials=CREDENTIALS) as servers:
        for item in items:
            sender = f"dev-{uuid.uuid4().hex}"
            replies = [servers.say(sender, turn) for turn in item.turns][-1]
            right = reply_is_right(item, replies)
            results[item.category].append(right)
            if not right:
                print(f"WRONG {item.id}: {item.question!r}\n  want {item.reply_type}/{item.topics} "
                      f"({'/'.join(item.intents)}), got {describe(replies)}")  # fmt: skip
    every = [ok for oks in results.values() for ok in oks]
    for category, oks in sorted(results.items()):
        print(f"{category:20} {sum(oks):3}/{len(oks):3} {sum(oks) / len(oks):.0%}")
    print(f"{'all':20} {sum(every):3}/{len(every):3} {sum(every) / len(every):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
