"""Accuracy of the qualification assistant on officers' fabulae from the demo's scenarios.

The held-out sets in ``qualification/data`` are citizens' words; ERDR fabulae are written
by officers in a set style ("неустановленное лицо ... тайно похитило ..."). This script
writes such fabulae, in Russian and Kazakh, from every scenario of ``tergeu.demo.crimes``
(each labelled with the scenario's article and part), and runs ``tergeu qualification
evaluate`` on them. The scenarios were not written for the assistant and it is not trained
on them. Run: ``.venv/bin/python bench/fabulae.py [--per-scenario N] [--seed S] [--keep F]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path


def write_fabulae(path: Path, per_scenario: int, seed: int) -> int:
    """Write ``per_scenario`` labelled fabulae of every scenario to ``path``; return how many."""
    from tergeu.core import clock
    from tergeu.demo.crimes import SCENARIOS, Ctx
    from tergeu.demo.plan import Planner
    from tergeu.demo.reference import REGIONS

    rng = random.Random(seed)
    planner = Planner(rng)
    lines = []
    for scenario in SCENARIOS:
        for i in range(per_scenario):
            region = REGIONS[i % len(REGIONS)]
            _district, _street, address, address_kk = planner._place(region)
            at = clock.local(clock.now()) - dt.timedelta(hours=rng.uniform(1, 40))
            victim, suspect = planner._someone(region), planner._someone(region)
            ctx = Ctx(rng, at, region, address, victim, suspect, address_kk)
            kazakh = scenario.kk is not None and i % 3 == 0
            text = scenario.kk(ctx) if kazakh and scenario.kk else scenario.ru(ctx)
            label = {"article": scenario.article, "part": scenario.part}
            lines.append({"text": text, "lang": "kk" if kazakh else "ru", "label": label})
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return len(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-scenario", type=int, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="FILE", help="keep the labelled set in FILE")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tergeu.settings")
    import django

    django.setup()
    from tergeu.qualification.evaluate import command

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "fabulae.jsonl"
        n = write_fabulae(path, args.per_scenario, args.seed)
        print(f"{n} fabulae from the demo's scenarios (seed {args.seed})")
        return command(str(path))


if __name__ == "__main__":
    sys.exit(main())
