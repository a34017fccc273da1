"""`make bench`, safety part: triage on its held-out sets (bench/triage_eval.py: HELD_OUT) against two
baselines, the red-flag regular expressions and the whole NLU pipeline that came before triage.
The targets apply to the held-out sets together; with more than one, each set's figures are shown too.

The previous pipeline is rebuilt from the commit before triage (BASELINE_COMMIT): its NLU is
trained in a git worktree and parses each message there, in its own process (its code is not
in this tree any more). A message counts as an emergency when the parse's intent is `emergency`.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bench.baseline import baseline_tree
from bench.triage_eval import HELD_OUT, TriageScore, score
from triage.examples import read_triage_file
from triage.triage import load_triage

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "29a5e6b"  # main before the triage step: red-flag patterns + DIET's emergency intent
BASELINE_RED_FLAGS = ROOT / "bench" / "baseline_red_flags.yml"
PARSE_SCRIPT = """
import asyncio, json, logging, sys
from rasa.core.agent import Agent
from rasa.utils.common import configure_logging_and_warnings
configure_logging_and_warnings(logging.ERROR)
agent = Agent.load(sys.argv[1])
texts = json.load(open(sys.argv[2]))
loop = asyncio.new_event_loop()
intents = [loop.run_until_complete(agent.parse_message(t))["intent"].get("name") for t in texts]
json.dump(intents, open(sys.argv[3], "w"))
"""


def red_flag_predictor():
    """The regular expressions that decided emergencies before triage, as they were applied."""
    groups = yaml.safe_load(BASELINE_RED_FLAGS.read_text(encoding="utf-8"))["red_flags"]
    compiled = {name: [re.compile(p, re.IGNORECASE) for p in patterns] for name, patterns in groups.items()}

    def predict(text: str) -> str | None:
        normalised = " ".join(text.replace("\u2019", "'").split())
        return next((n for n, ps in compiled.items() if any(p.search(normalised) for p in ps)), None)

    return predict


def previous_pipeline_predictions(texts: list[str]) -> dict[str, bool]:
    """Whether the NLU pipeline of BASELINE_COMMIT gives each text the `emergency` intent."""
    with baseline_tree(BASELINE_COMMIT) as tree:  # its config names the spaCy model in .venv
        env = {**os.environ, "PYTHONPATH": str(tree), "RASA_TELEMETRY_ENABLED": "false"}
        rasa = str(ROOT / ".venv" / "bin" / "rasa")
        subprocess.run([rasa, "train", "nlu", "--fixed-model-name", "nlu", "--out", "models"], cwd=tree,
                       env=env, check=True, capture_output=True)  # fmt: skip
        (tree / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        parse = [sys.executable, "-c", PARSE_SCRIPT, "models/nlu.tar.gz", "texts.json", "out.json"]
        subprocess.run(parse, cwd=tree, env=env, check=True, capture_output=True)
        intents = json.loads((tree / "out.json").read_text(encoding="utf-8"))
    return {text: intent == "emergency" for text, intent in zip(texts, intents, strict=True)}


def measure_triage() -> dict[str, TriageScore]:
    """Held-out scores of triage and both baselines on the held-out sets together, and triage's on each
    set when there are several."""
    by_set = {name: read_triage_file(path) for name, path in HELD_OUT.items()}
    examples = [example for found in by_set.values() for example in found]
    triage = load_triage()
    tier_of = triage.patterns.tier_of

    def ours(text: str) -> str | None:
        assessment = triage.assess(text)
        return assessment.category if assessment else None

    previous = previous_pipeline_predictions([e.text for e in examples])
    regexes = red_flag_predictor()
    return {
        "ours": score(examples, ours, tier_of),
        "regexes": score(examples, lambda t: "flagged" if regexes(t) else None, {}),
        "previous": score(examples, lambda t: "flagged" if previous[t] else None, {}),
        **({name: score(found, ours, tier_of) for name, found in by_set.items()} if len(by_set) > 1 else {}),
    }


def triage_section(results: dict[str, TriageScore]) -> list[str]:
    """The report's safety section: the three rows, ours by category, every miss and false alarm."""
    names = {
        "ours": "triage (patterns + classifier)",
        "regexes": "previous red-flag regular expressions",
        "previous": "previous full NLU pipeline (red flags + DIET's emergency intent)",
        **{name: f"triage, {name} (`{path.relative_to(ROOT)}`)" for name, path in HELD_OUT.items()},
    }
    ours = results["ours"]
    emergencies, lookalikes = sum(ours.emergencies.values()), sum(ours.lookalikes.values())
    lines = [
        "## Safety: emergency triage",
        f"Held-out: {', '.join(f'`{path.relative_to(ROOT)}`' for path in HELD_OUT.values())}, {emergencies} "
        f"emergencies and {lookalikes} look-alikes, written by a helper that never saw the training data; "
        "scored only here (docs/safety.md says how many times). "
        "Recall: emergencies that got emergency advice (sure or unsure); false alarms: look-alikes that did.",
        "",
        "| | recall | false alarms |",
        "| --- | --- | --- |",
        *[
            f"| {names[name]} | {r.recall:.1%} ({sum(r.caught.values())}/{sum(r.emergencies.values())}) | "
            f"{r.false_alarm_rate:.1%} ({sum(r.alarms.values())}/{sum(r.lookalikes.values())}) |"
            for name, r in results.items()
        ],
        "",
        "Triage by category:",
        "",
        "| emergency category | caught | | look-alike category | false alarms |",
        "| --- | --- | --- | --- | --- |",
    ]
    emergency_rows = [f"{c} | {ours.caught[c]}/{n}" for c, n in sorted(ours.emergencies.items())]
    lookalike_rows = [f"{c} | {ours.alarms[c]}/{n}" for c, n in sorted(ours.lookalikes.items())]
    for index in range(max(len(emergency_rows), len(lookalike_rows))):
        left = emergency_rows[index] if index < len(emergency_rows) else " | "
        right = lookalike_rows[index] if index < len(lookalike_rows) else " | "
        lines.append(f"| {left} | | {right} |")
    lines += ["", "Missed emergencies (triage):", ""]
    lines += [f"- [{c}] {t}" for c, t in ours.misses] or ["- none"]
    lines += ["", "False alarms (triage):", ""]
    lines += [f"- [{c}] {t}" for c, t in ours.false_alarms] or ["- none"]
    lines += ["", "Emergencies given another tier's advice (triage):", ""]
    lines += [f"- [{c} as {p}] {t}" for c, p, t in ours.wrong_tier] or ["- none"]
    return lines + [""]
