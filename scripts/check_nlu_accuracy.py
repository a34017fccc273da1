"""Fail when intent accuracy in a `rasa test nlu` report is below a minimum.

Usage: python scripts/check_nlu_accuracy.py results/nlu/intent_report.json 0.90
"""

import json
import sys
from pathlib import Path


def main(report_path: str, minimum: str) -> int:
    """Print accuracy, macro F1 and the weakest intents; exit 1 below the minimum accuracy."""
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    accuracy = report["accuracy"]
    macro_f1 = report["macro avg"]["f1-score"]
    intents = {
        name: scores for name, scores in report.items() if isinstance(scores, dict) and "support" in scores
    }
    intents = {
        name: s for name, s in intents.items() if name not in ("macro avg", "weighted avg", "micro avg")
    }
    weakest = sorted(intents.items(), key=lambda item: item[1]["f1-score"])[:5]
    print(f"Held-out intent accuracy {accuracy:.3f} (minimum {float(minimum):.2f}), macro F1 {macro_f1:.3f}")
    for name, scores in weakest:
        print(f"  weakest: {name:28s} F1 {scores['f1-score']:.2f} (support {scores['support']})")
    return 0 if accuracy >= float(minimum) else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
