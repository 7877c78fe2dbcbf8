"""Weights of the load (data/weights.json), read once and checked when imported."""

from __future__ import annotations

import json
from pathlib import Path

from tergeu.cases.models import Stage

from .gravity import Gravity

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "weights.json"


def _load(path: Path = WEIGHTS_FILE) -> tuple[dict[str, float], dict[str, float]]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    stage = {str(k): float(v) for k, v in data["stage"].items()}
    gravity = {str(k): float(v) for k, v in data["gravity"].items()}
    unknown_stages = set(stage) - set(Stage.values)
    if unknown_stages:
        raise ValueError(f"{path.name}: unknown stages {sorted(unknown_stages)}")
    missing = set(Gravity.values) - set(gravity)
    if missing:
        raise ValueError(f"{path.name}: no weight for gravity {sorted(missing)}")
    if any(v < 0 for v in (*stage.values(), *gravity.values())):
        raise ValueError(f"{path.name}: weights must not be negative")
    return stage, gravity


#: Weight of an open case by its stage; stages not listed (terminated, in court, ...) count 0.
STAGE_WEIGHTS, GRAVITY_WEIGHTS = _load()


def case_weight(stage: str, gravity: str) -> float:
    """How much one case of ``stage`` and ``gravity`` adds to its investigator's load."""
    return STAGE_WEIGHTS.get(stage, 0.0) * GRAVITY_WEIGHTS.get(gravity, GRAVITY_WEIGHTS["unknown"])
