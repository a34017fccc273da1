"""The benchmark's baselines of an earlier main: its own work tree (also for triage's previous pipeline,
bench/triage_bench.py), model and servers, side by side.

Issue 18 moved every change to Rasa behind the classes Rasa's configuration names; its guard is
quality unchanged and speed within 10% of main before it, measured on the same machine in the same
run. BASELINE_COMMIT is that main (the commit before the first change of issue 18). Its work tree
is checked out in a temporary folder, shares this project's virtual environment (a superset of the
packages it pinned), trains its own Rasa model and triage classifier from its own files and serves
them with its own server.launch.
"""

import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.eval_set import EDGES
from server.processes import RASA, ROOT

BASELINE_COMMIT = "e97ed06"
SPEED_TOLERANCE = 0.10  # the guard: p95 at 10 users at most 10% above the baseline's


@contextmanager
def baseline_tree(commit: str = BASELINE_COMMIT) -> Iterator[Path]:
    """A detached work tree of `commit` linked to this project's virtual environment, removed after."""
    with tempfile.TemporaryDirectory() as parent:
        tree = Path(parent) / commit
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        try:
            (tree / ".venv").symlink_to(ROOT / ".venv")
            yield tree
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False,
                           capture_output=True)  # fmt: skip


def train_baseline(tree: Path, env: dict) -> tuple[Path, float]:
    """Train the tree's Rasa model (empty cache; timed) and its triage classifier (not timed), with
    the tree's own modules on the path."""
    model = tree / "models" / "iastm.tar.gz"
    env = {**env, "PYTHONPATH": str(tree)}
    with tempfile.TemporaryDirectory() as cache:
        started = time.monotonic()
        subprocess.run(
            [str(RASA), "train", "--fixed-model-name", "iastm", "--out", "models"],
            cwd=tree, env={**env, "RASA_CACHE_DIRECTORY": cache}, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        seconds = time.monotonic() - started
    subprocess.run([str(tree / ".venv" / "bin" / "python"), "-m", "triage"], cwd=tree, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return model, seconds


def short_hash(commit: str = BASELINE_COMMIT) -> str:
    """The commit's short hash as git prints it."""
    result = subprocess.run(["git", "rev-parse", "--short", commit], capture_output=True, text=True, cwd=ROOT)
    return result.stdout.strip() or commit


def within_tolerance(ours_ms: float, baseline_ms: float) -> bool:
    """Whether a latency of ours is at most SPEED_TOLERANCE above the baseline's."""
    return ours_ms <= baseline_ms * (1 + SPEED_TOLERANCE)


def guard_section(results: dict) -> list[str]:
    """The report's side-by-side rows: ours against main before issue 18."""
    ours, base = results["answers_ours"], results["answers_baseline"]
    load, base_load = results["load"], results["load_baseline"]
    lines = [
        f"## Against main before the one-system changes (commit {short_hash()}, issue 18's guard)",
        "Its own work tree, model (trained in this run from its own data), triage classifier and "
        "server.launch (its runtime patches), on the same evaluation set and load plan, in the same run; "
        "its load runs alternate with ours.",
        "",
        "| | ours | main before issue 18 |",
        "| --- | --- | --- |",
        f"| answer accuracy | {ours.accuracy:.1%} | {base.accuracy:.1%} |",
        f"| — edge slice | {ours.accuracy_of(EDGES):.1%} | {base.accuracy_of(EDGES):.1%} |",
    ]
    for users in load:
        lines.append(
            f"| p50 / p95 ms at {users} users | {load[users]['p50']:.0f} / {load[users]['p95']:.0f} | "
            f"{base_load[users]['p50']:.0f} / {base_load[users]['p95']:.0f} |"
        )
    lines += [
        f"| messages/s (best) | {max(f['rate'] for f in load.values()):.1f} | "
        f"{max(f['rate'] for f in base_load.values()):.1f} |",
        f"| ready after start, s | {results['startup_seconds']:.1f} | {results['startup_baseline']:.1f} |",
        "| training, s | {ours:.0f} | {baseline:.0f} |".format(**results["train_seconds"]),
        "",
        "Wrong end-to-end answers (main before issue 18): " + (", ".join(base.wrong) or "none") + ".",
        "",
    ]
    return lines
