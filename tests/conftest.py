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
        "features": {
            "activity": {
                "entity": "customer_id",
                "time": "snapshot_month",
                "values": ["logins"],
                "window": 3,
            }
        },
        "split": {"kind": "hash", "fractions": {"train": 0.7, "validation": 0.15, "test": 0.15}},
        "model": {"_target_": "lightgbm.LGBMClassifier", "n_estimators": 30, "n_jobs": 2},
        "evaluate": {
            "n_bins": 10,
            "promotion_margin": 0.0,
            "heuristic": {"column": "logins_trend_3", "ascending": True},
            "profit": {"cost_per_contact": 5.0, "value_per_success": 300.0, "success_rate": 0.25},
            "fairness": {"column": "age", "bins": [18, 35, 55, 120]},
            "importance": {"n_repeats": 2, "max_rows": 2000},
        },
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


def table_config(root: Path, frame, *, task: str, model: dict, **overrides) -> dict:
    """A small config on ``frame`` (an ``id`` and a ``target`` column, no dates), which is written
    to ``root/table.csv``: a 60/20/20 hash split, no feature settings of the churn example.

    ``overrides`` are :func:`small_config`'s (``data__target_definition="..."``).
    """
    path = root / "table.csv"
    frame.to_csv(path, index=False)
    data = {"source": "file", "path": str(path), "entity_col": "id", "date_col": None}
    return small_config(
        root,
        task=task,
        data={**data, "target": "target"},
        validation={"expectations": [{"type": "not_null", "column": "id"}]},
        features={},
        model=model,
        evaluate={"n_bins": 5, "importance": {"n_repeats": 1, "max_rows": 200}},
        split={"kind": "hash", "fractions": {"train": 0.6, "validation": 0.2, "test": 0.2}},
        **overrides,
    )


def bundled(loader):
    """A scikit-learn toy dataset (``load_diabetes``...) as a frame with an ``id`` column."""
    import numpy as np

    frame = loader(as_frame=True).frame
    return frame.assign(id=np.arange(len(frame)))


@pytest.fixture
def make_config(tmp_path):
    """``make_config(model__n_estimators=5)`` → a small config rooted in this test's tmp dir."""
    return lambda **overrides: small_config(tmp_path, **overrides)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh SQLite MLflow store in the test's tmp dir, the current one; returns its URI."""
    from mlcore import track

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    track.configure(uri, "test", str(tmp_path / "mlartifacts"))
    return uri


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Re-apply pytest-xdist's ``xdist_group`` suffix to node ids (xdist 3.8 sets ``_nodeid``,
    which pytest 9 ignores), so ``--dist loadgroup`` keeps each group on one worker; and hand
    out the slow tests first.

    The scheduler queues the groups by their number of tests, then the single tests in collection
    order, which put the slow single ones (the CI commands, 2+ min) after the ~1,400 fast tests,
    with one worker busy at the end while the other had nothing left. Slow first (a stable sort:
    the order is otherwise unchanged), the fast tests fill both workers at the end instead.
    """
    if not getattr(config.option, "loadgroup", False):  # set on the workers, which collect
        return
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    from _pytest.nodeid import coerce_node_id

    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)
