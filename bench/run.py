"""`make bench`: quality and speed of the assistant against its alternatives, in one run.

Trains what it needs (cold caches, timed), scores the held-out evaluation set and the held-out
triage set (bench/triage_bench.py), runs 5-fold NLU cross-validation, REST load tests and an
adversarial corpus (bench/adversarial.py), prints one report, writes it to docs/benchmarks.md and
exits 1 when a target is missed.
Usage: python -m bench.run [--reuse-models] [--repeats N]
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.adversarial import TARGET_RATIO, adversarial_section, measure_adversarial
from bench.baseline import baseline_tree, guard_section, train_baseline, within_tolerance
from bench.cross_validation import cross_validate
from bench.eval_set import EDGES, EDGES_FILE, EVAL_FILE, load_held_out
from bench.load import LOAD_MESSAGES, run_load
from bench.quality import (
    intent_scores,
    rasa_intent_predictor,
    rest_answers,
    search_box_answers,
    search_intent,
)
from bench.triage_bench import measure_triage, triage_section
from bench.triage_eval import TARGET_FALSE_ALARMS, TARGET_RECALL
from server.processes import RASA, ROOT, Servers, peak_memory_mb, serving

CREDENTIALS = ROOT / "bench" / "credentials.yml"

OUT = ROOT / "results" / "bench"
REPORT = ROOT / "docs" / "benchmarks.md"
PROD_LOAD = ROOT / "results" / "prod-load.json"
DEPLOY_LOAD = ROOT / "results" / "deploy-load.json"
DEPLOY_ROUTING = ROOT / "results" / "deploy-routing.json"
CONFIGS = {
    "ours": ROOT / "config.yml",
    "default": ROOT / "bench" / "config_default.yml",
    "keyword": ROOT / "bench" / "config_keyword.yml",
}
TRAINING_DATA = {
    "ours": [ROOT / "data"],
    "default": [ROOT / "data"],
    "keyword": [
        ROOT / "bench" / "keyword_nlu.yml",
        ROOT / "data" / "rules.yml",
        ROOT / "data" / "stories.yml",
    ],
}
LOAD_PLAN = {1: 60, 10: 20, 50: 8}  # concurrent users -> messages each
# Trained `repeats` times for a median; the default pipeline (about 20 minutes) is trained once.
TIMED_REPEATEDLY = ("ours", "keyword")
TARGETS = {
    "answer accuracy >= 97% on the whole held-out set": lambda r: r["answers_ours"].accuracy >= 0.97,
    "answer accuracy >= 95% on the edge slice": lambda r: r["answers_ours"].accuracy_of(EDGES) >= 0.95,
    "answer accuracy above both alternatives": lambda r: r["answers_ours"].accuracy
    > max(r["answers_default"].accuracy, r["answers_search"].accuracy),
    "no-answer, personal-safety and emergency questions 100%": lambda r: all(
        r["answers_ours"].by_category.get(c, 1.0) == 1.0
        for c in ("no_answer", "unknown_condition", "emergency", EDGES + "personal_safety")
    ),
    "p95 <= 150 ms at 10 users": lambda r: r["load"][10]["p95"] <= 150,
    ">= 40 messages/s": lambda r: max(f["rate"] for f in r["load"].values()) >= 40,
    "ready <= 30 s after start": lambda r: r["startup_seconds"] <= 30,
    "training <= 5 minutes": lambda r: r["train_seconds"]["ours"] <= 300,
    "triage recall >= 99% on held-out emergencies": lambda r: triage_ours(r).recall >= TARGET_RECALL,
    "triage false alarms <= 3% on held-out look-alikes": lambda r: triage_ours(r).false_alarm_rate
    <= TARGET_FALSE_ALARMS,
    "triage recall >= 99% in every held-out emergency category": lambda r: (
        triage_ours(r).lowest_category_recall >= TARGET_RECALL
    ),
    "triage false alarms <= 3% in every held-out look-alike category": lambda r: (
        triage_ours(r).highest_category_false_alarm_rate <= TARGET_FALSE_ALARMS
    ),
    "slowest adversarial message <= 3 times an ordinary question": lambda r: r["adversarial"]["ratio"]
    <= TARGET_RATIO,
    "answer accuracy not below main before issue 18": lambda r: r["answers_ours"].accuracy
    >= r["answers_baseline"].accuracy,
    "p95 at 10 users within 10% of main before issue 18": lambda r: within_tolerance(
        r["load"][10]["p95"], r["load_baseline"][10]["p95"]
    ),
}


def triage_ours(results: dict):
    """Triage's held-out scores (bench/triage_bench.py)."""
    return results["triage"]["ours"]


def rasa_env() -> dict:
    """Environment for Rasa commands: no telemetry, quiet TensorFlow."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def train(name: str, reuse: bool, runs: int) -> tuple[Path, float]:
    """Train one configuration `runs` times, each with an empty cache; return the model and the
    median seconds a training took."""
    model = OUT / "models" / f"{name}.tar.gz"
    if reuse and model.exists():
        return model, float("nan")
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            started = time.monotonic()
            subprocess.run(
                [str(RASA), "train", "-c", str(CONFIGS[name]), "--out", str(model.parent),
                 "--fixed-model-name", name, "--force", "--data", *map(str, TRAINING_DATA[name])],
                cwd=ROOT, env={**rasa_env(), "RASA_CACHE_DIRECTORY": cache}, check=True,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            seconds.append(time.monotonic() - started)
    return model, statistics.median(seconds)


def load_figures(servers: dict[str, Servers], repeats: int) -> dict[str, dict]:
    """Per server, per user count: medians over `repeats` runs of p50/p95/p99 latency (ms) and
    messages/s. After a warm-up, the servers take turns, run by run, each repeat starting with the
    next server: a machine that slows down or speeds up during the benchmark, or a server's first
    run after a pause, moves every server's figures alike (they are compared with each other)."""
    names = list(servers)
    runs = {name: {users: [] for users in LOAD_PLAN} for name in names}
    for server in servers.values():
        run_load(server.webhook, 10, len(LOAD_MESSAGES))
    for users, messages in LOAD_PLAN.items():
        for repeat in range(repeats):
            for name in names[repeat % len(names) :] + names[: repeat % len(names)]:
                runs[name][users].append(run_load(servers[name].webhook, users, messages))
    return {
        name: {
            users: {
                "p50": statistics.median(run.percentile_ms(50) for run in results),
                "p95": statistics.median(run.percentile_ms(95) for run in results),
                "p99": statistics.median(run.percentile_ms(99) for run in results),
                "rate": statistics.median(run.messages_per_second for run in results),
                "errors": sum(run.errors for run in results),
            }
            for users, results in by_users.items()
        }
        for name, by_users in runs.items()
    }


def startup_seconds(servers: Servers, repeats: int) -> float:
    """Median seconds from starting the Rasa server to its first answer."""
    times = []
    for _ in range(repeats):
        servers.stop_rasa()
        started = time.monotonic()
        servers.start_rasa()
        servers.say("startup-check", "is iastm painful?")
        times.append(time.monotonic() - started)
    return statistics.median(times)


def measure(reuse: bool, repeats: int) -> dict:
    """Everything the report shows."""
    items = load_held_out()
    results = {"items": len(items), "train_seconds": {}}
    models = {}
    for name in CONFIGS:
        runs = repeats if name in TIMED_REPEATEDLY else 1
        models[name], results["train_seconds"][name] = train(name, reuse, runs)
    results["intents"] = {
        "ours": intent_scores(items, rasa_intent_predictor(models["ours"], as_served=True)),
        "default": intent_scores(items, rasa_intent_predictor(models["default"])),
        "search": intent_scores(items, search_intent),
    }
    results["answers_search"] = search_box_answers(items)
    with serving(models["default"], credentials=CREDENTIALS, plain_rasa=True) as servers:
        results["answers_default"] = rest_answers(items, servers)
    with baseline_tree() as tree:
        model, results["train_seconds"]["baseline"] = train_baseline(tree, rasa_env())
        with (
            serving(models["ours"], credentials=CREDENTIALS) as ours,
            serving(models["keyword"], credentials=CREDENTIALS) as keyword,
            serving(model, credentials=tree / "bench" / "credentials.yml", root=tree) as baseline,
        ):
            results["answers_ours"] = rest_answers(items, ours)
            results["answers_baseline"] = rest_answers(items, baseline)
            results.update(
                load_figures({"load": ours, "load_keyword": keyword, "load_baseline": baseline}, repeats)
            )
            results["memory_mb"] = {
                "Rasa server": peak_memory_mb(ours.rasa.pid),
                "action server": peak_memory_mb(ours.actions.pid),
            }
            results["adversarial"] = measure_adversarial(ours.webhook)
            results["startup_seconds"] = startup_seconds(ours, repeats)
            results["startup_baseline"] = startup_seconds(baseline, repeats)
    results["cv"] = cross_validate(CONFIGS["ours"])
    results["triage"] = measure_triage()
    return results


def cpu_model() -> str:
    """The processor's name as Linux reports it (machines of one kind differ in speed)."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown processor"


def commit() -> str:
    """The short hash of the commit benchmarked (with "+changes" when the work tree differs)."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    changed = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=ROOT)
    return (head.stdout.strip() or "unknown") + ("+changes" if changed.stdout.strip() else "")


def render(results: dict, repeats: int) -> str:
    """The report as Markdown."""
    intents, load, keyword = results["intents"], results["load"], results["load_keyword"]
    answers = {
        "ours": results["answers_ours"],
        "default": results["answers_default"],
        "search": results["answers_search"],
    }
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {time.strftime('%Y-%m-%d')} at commit {commit()}. Machine: "
        f"{os.cpu_count()} cores, "
        f"{platform.machine()} ({cpu_model()}), Python {platform.python_version()}. Evaluation set: "
        f"`{EVAL_FILE.relative_to(ROOT)}` and its edge slice `{EDGES_FILE.relative_to(ROOT)}` (categories "
        f"\"{EDGES}...\"), {results['items']} held-out questions. Latency figures are "
        f"medians of {repeats} runs through the REST channel with the action server and the SQLite "
        "tracker store, on loopback; ours, the keyword-NLU server and main before issue 18 are all up "
        "and take turns, run by run.",
        "",
        "## Quality",
        "| | our pipeline | Rasa default pipeline | BM25 passage search |",
        "| --- | --- | --- | --- |",
        "| intent accuracy | {:.1%} | {:.1%} | {:.1%} |".format(
            intents["ours"].accuracy, intents["default"].accuracy, intents["search"].accuracy
        ),
        "| intent macro F1 | {:.3f} | {:.3f} | {:.3f} |".format(
            intents["ours"].macro_f1, intents["default"].macro_f1, intents["search"].macro_f1
        ),
        "| answer accuracy (end to end) | {:.1%} | {:.1%} | {:.1%} |".format(
            answers["ours"].accuracy, answers["default"].accuracy, answers["search"].accuracy
        ),
        "| — edge slice | {:.1%} | {:.1%} | {:.1%} |".format(
            *(answers[name].accuracy_of(EDGES) for name in ("ours", "default", "search"))
        ),
    ]
    for category in answers["ours"].by_category:
        lines.append(
            f"| — {category} | "
            + " | ".join(f"{answers[name].by_category.get(category, 0):.0%}" for name in answers)
            + " |"
        )
    cv = results["cv"]
    lines += [
        "",
        "Rasa's default pipeline (`bench/config_default.yml`) runs as plain Rasa (`rasa run`, the same "
        "domain, rules and action server); ours adds the spelling corrector to the pipeline and reads "
        "long messages by their question sentence (server/long_messages.py).",
        "",
        f"5-fold cross-validation of our pipeline on `data/nlu.yml`: intent accuracy {cv.accuracy:.1%}, "
        f"macro F1 {cv.macro_f1:.3f}. Most frequent confusions (true -> predicted, count):",
        "",
        *[f"- {true} -> {predicted}: {count}" for true, predicted, count in cv.confusions],
        "",
        "Wrong end-to-end answers (ours): " + (", ".join(answers["ours"].wrong) or "none") + ".",
        "",
        *triage_section(results["triage"]),
        "## Speed and cost",
        "| users | p50 ms | p95 ms | p99 ms | messages/s | errors | keyword-NLU p95 ms | p95 ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for users, figures in load.items():
        base = keyword[users]
        lines.append(
            f"| {users} | {figures['p50']:.0f} | {figures['p95']:.0f} | {figures['p99']:.0f} | "
            f"{figures['rate']:.1f} | {figures['errors']} | {base['p95']:.0f} | "
            f"{figures['p95'] / base['p95']:.1f} |"
        )
    train_seconds = results["train_seconds"]
    lines += [
        "",
        f"- Ready to answer after start (trained model): {results['startup_seconds']:.1f} s (median).",
        "- Training from an empty cache: "
        + ", ".join(
            f"{name} not timed (model reused)" if math.isnan(seconds) else f"{name} {seconds:.0f} s"
            for name, seconds in train_seconds.items()
        )
        + f" (ours and keyword: median of {repeats} runs; default: one run).",
        "- Peak memory: "
        + ", ".join(f"{name} {mb:.0f} MiB" for name, mb in results["memory_mb"].items())
        + ".",
        "",
        *guard_section(results),
        *adversarial_section(results["adversarial"]),
        *prod_load_section(),
        *containers_section(),
        "## Targets",
        *[f"- {'met' if check(results) else 'MISSED'}: {name}" for name, check in TARGETS.items()],
        "",
    ]
    return "\n".join(lines)


def load_test_sentence(setting: str, f: dict) -> str:
    """One load test's figures (results/prod-load.json or deploy-load.json) after `setting`."""
    return (
        f"{setting}: {f['users']} simulated users ({f['concurrent']} at a time), each holding a "
        f"{f['messages'] // f['users']}-turn conversation through nginx; {f['replica_killed']}. "
        f"{f['messages']} messages: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, p99 {f['p99_ms']} ms, "
        f"{f['messages_per_second']} messages/s; no reply lost or out of order, every conversation "
        "complete in PostgreSQL (the test fails otherwise); "
        f"{f.get('messages_stored_twice', 0)} message(s) stored twice, retried by nginx after the "
        "killed process had stored them."
    )


def prod_load_section() -> list[str]:
    """The latest `make test-prod` load test figures (results/prod-load.json), or that there are none."""
    heading = "## Production profile under load (`make test-prod`)"
    if not PROD_LOAD.exists():
        return [
            heading,
            "Not measured in this checkout: run `make test-prod` (PostgreSQL and Redis) before "
            "`make bench` to include it.",
            "",
        ]
    figures = json.loads(PROD_LOAD.read_text(encoding="utf-8"))
    setting = "nginx, 2 Rasa server processes, 2 action servers, PostgreSQL, Redis, on this machine"
    return [heading, load_test_sentence(setting, figures), ""]


def containers_section() -> list[str]:
    """The latest `make test-deploy` figures (results/deploy-*.json), or that there are none."""
    heading = "## Containers (`make test-deploy`)"
    if not (DEPLOY_LOAD.exists() and DEPLOY_ROUTING.exists()):
        return [
            heading,
            "Not measured in this checkout: run `make test-deploy` before `make bench` to include it.",
            "",
        ]
    load = json.loads(DEPLOY_LOAD.read_text(encoding="utf-8"))
    routing = json.loads(DEPLOY_ROUTING.read_text(encoding="utf-8"))
    rows = [
        f"| {name} | {f['messages']} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} |"
        for name, f in routing.items()
        if isinstance(f, dict)
    ]
    setting = (
        "deploy/docker-compose.yml on this machine's Docker (nginx, 2 rasa, 2 actions, web, "
        "PostgreSQL, Redis containers)"
    )
    return [
        heading,
        load_test_sentence(setting, load),
        "",
        "Routing a conversation's webhooks to one replica (nginx hashes the REST `sender`) against "
        f"round robin, {routing['users']} users at once, 4 turns each, two rounds of each alternated "
        "(every reply checked, and every conversation seen on one replica when routed):",
        "",
        "| routing | messages | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- |",
        *rows,
        "",
    ]


def main(argv: list[str]) -> int:
    """Measure, print, write docs/benchmarks.md; exit 1 if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reuse-models", action="store_true", help="skip training when a model exists")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    results = measure(args.reuse_models, args.repeats)
    report = render(results, args.repeats)
    print(report)
    REPORT.write_text(report, encoding="utf-8")
    return 0 if all(check(results) for check in TARGETS.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
