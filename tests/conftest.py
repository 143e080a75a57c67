"""Suite-wide settings: no telemetry, and helpers to build small pipeline configs."""

import os
from pathlib import Path

import pytest

os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
os.environ["GX_ANALYTICS_ENABLED"] = "false"

REPO = Path(__file__).resolve().parents[1]
NETGUARD = Path(__file__).resolve().parent / "_netguard"


def small_config(root: Path, **overrides) -> dict:
    """A complete pipeline config on a small synthetic table, stored under ``root``."""
    config = {
        "project": {"name": "Test project", "slug": "test-project"},
        "seed": 7,
        "paths": {"root": str(root)},
        "data": {
            "source": "synthetic",
            "synthetic": {"n_customers": 1500, "n_months": 6, "seed": 7},
        },
        "validation": {
            "expectations": [
                {"type": "not_null", "column": "customer_id"},
                {"type": "between", "column": "age", "min": 18, "max": 110, "mostly": 0.99},
                {"type": "in_set", "column": "churn", "values": [0, 1]},
            ]
        },
        "features": {},
        "split": {"kind": "hash", "fractions": {"train": 0.7, "validation": 0.15, "test": 0.15}},
        "model": {"kind": "lightgbm", "params": {"n_estimators": 30, "n_jobs": 2}},
        "evaluate": {"n_bins": 10, "promotion_margin": 0.0},
        "tracking": {
            "uri": f"sqlite:///{root}/mlflow.db",
            "artifact_location": str(root / "mlartifacts"),
            "experiment": "test",
            "model_name": "test-churn",
        },
    }
    for dotted, value in overrides.items():
        node = config
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    return config


@pytest.fixture
def make_config(tmp_path):
    """``make_config(model__params={...})`` → a small config rooted in this test's tmp dir."""
    return lambda **overrides: small_config(tmp_path, **overrides)
