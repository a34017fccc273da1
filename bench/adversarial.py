"""`make bench`: the slowest message of an adversarial corpus against an ordinary question, through
the REST channel (target: at most 3 times as long). Each message is timed `repeats` times in a new
conversation; the median counts.
"""

import statistics
import time
import uuid

import requests

NORMAL = "is iastm painful?"
TARGET_RATIO = 3.0
# (name, text): what once stalled the server or could: runs of spaces, punctuation or one word, an
# enormous unknown word, deep unicode, control characters, many sentences, many questions, a
# message over the length limit, and one over the limit with an emergency at its end.
CORPUS = [
    ("run of spaces", "a" + " " * 998 + "a"),
    ("spaces around 'and'", "is it safe" + " " * 490 + ", and" + " " * 490 + "x"),
    ("run of punctuation", "?" * 1000),
    ("one word repeated", "why " * 250),
    ("one question repeated", "why? " * 200),
    ("enormous unknown word", "x" * 1000),
    ("deep unicode", "é🙂\u0301\u200d" * 250),
    ("control characters", "\x00\x9b\x1b[2J" * 250),
    ("sixty sentences", " ".join(f"sentence number {n} is here." for n in range(60))[:1000]),
    ("forty questions", "is it safe? does it hurt? " * 38),
    ("over the length limit", "is it safe? " * 500),
    ("emergency after the limit", "is it safe? " * 500 + "my husband collapsed and is not breathing"),
]


def timed(webhook: str, text: str, repeats: int) -> float:
    """Median milliseconds for `text` as the first message of a new conversation."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        requests.post(webhook, json={"sender": uuid.uuid4().hex, "message": text}, timeout=120)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure_adversarial(webhook: str, repeats: int = 5) -> dict:
    """The ordinary question's time, each adversarial message's, and the worst ratio."""
    normal = timed(webhook, NORMAL, repeats)
    times = {name: timed(webhook, text, repeats) for name, text in CORPUS}
    slowest = max(times, key=times.get)
    return {"normal_ms": normal, "times_ms": times, "slowest": slowest, "ratio": times[slowest] / normal}


def adversarial_section(found: dict) -> list[str]:
    """The report's lines for the adversarial corpus."""
    return [
        "## Adversarial messages",
        f"Each message timed through the REST channel (median of several, a new conversation each): an "
        f"ordinary question took {found['normal_ms']:.0f} ms; the slowest adversarial one, "
        f"\"{found['slowest']}\", {found['times_ms'][found['slowest']]:.0f} ms ({found['ratio']:.1f} times; "
        f"target at most {TARGET_RATIO:.0f}).",
        "",
        "| message | ms |",
        "| --- | --- |",
        *[f"| {name} | {ms:.0f} |" for name, ms in found["times_ms"].items()],
        "",
    ]
