"""Triage and qualification assistant: load time, latency per report, memory.

What it does (docs/performance.md has the results):

1. Measures the load in a fresh process: importing the assistant, then the first
   ``assess()``, which parses the Code (the packaged JSON Lines) and builds the retrieval
   index.
2. Runs ``assess()`` on every report of the development and held-out sets and on a
   synthetic long report (the sets' texts glued together to about 20,000 characters),
   ``--runs`` passes after a warm-up, and prints min/p50/p95/p99/max in milliseconds.
3. Prints a same-run reference: the cost of only normalising the text and matching the
   concept lexicon (``extract``), and of a bare regular-expression tokenisation, so the
   figures can be compared across machines.
4. Prints the peak resident memory of the process (what each web worker adds).

Run: ``.venv/bin/python bench/triage.py`` (a few seconds). Not part of the tests.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "tergeu" / "qualification" / "data"
ON = datetime.date(2025, 6, 1)


def _texts() -> list[str]:
    texts = []
    for name in sorted(p.name for p in DATA.glob("*_set.jsonl")):
        path = DATA / name
        if path.exists():
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    return texts


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (
        f"min {ordered[0] * 1000:.2f}  p50 {statistics.median(ordered) * 1000:.2f}  "
        f"p95 {at(0.95):.2f}  p99 {at(0.99):.2f}  max {ordered[-1] * 1000:.2f} ms "
        f"({len(ordered)} calls)"
    )


def _time(fn: Callable[[str], object], texts: list[str], runs: int) -> list[float]:
    for text in texts[:20]:
        fn(text)
    samples = []
    for _ in range(runs):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tergeu.settings")
    start = time.perf_counter()
    import django

    django.setup()
    setup = time.perf_counter() - start

    start = time.perf_counter()
    from tergeu.qualification.assistant import assess
    from tergeu.qualification.concepts import extract, normalise

    imported = time.perf_counter() - start
    from tergeu.qualification import classifier, code_text

    steps = []
    for name, step in (
        ("Code", code_text.code_text),
        ("retrieval index", code_text.index),
        ("classifier training", classifier.model),
    ):
        start = time.perf_counter()
        step()
        steps.append(f"{name} {(time.perf_counter() - start) * 1000:.0f} ms")
    start = time.perf_counter()
    assess("Украли телефон в автобусе", "ru", on=ON)
    first = time.perf_counter() - start
    print(f"django.setup {setup * 1000:.0f} ms (not the assistant's)")
    print(f"load: import {imported * 1000:.0f} ms, " + ", ".join(steps))
    print(f"first assess after the load {first * 1000:.1f} ms")

    texts = _texts()
    long_text = " ".join(texts)[:20_000]
    print(f"reports: {len(texts)}, mean {statistics.mean(map(len, texts)):.0f} characters")
    print(
        "assess, reports:      " + _percentiles(_time(lambda t: assess(t, on=ON), texts, args.runs))
    )
    print(
        "assess, 20,000 chars: "
        + _percentiles(_time(lambda t: assess(t, on=ON), [long_text] * 10, args.runs))
    )
    print(
        "reference, extract:   "
        + _percentiles(_time(lambda t: extract(normalise(t)), texts, args.runs))
    )
    word = re.compile(r"\w+")
    print("reference, tokenise:  " + _percentiles(_time(word.findall, texts, args.runs)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (Django + assistant): {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
