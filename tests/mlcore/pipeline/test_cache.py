"""Step caching on a real SQLite MLflow store, real GX and real LightGBM: validate and split reuse
their output when the data, the keys they read and mlcore's version are unchanged."""

import json

import mlflow
import pandas as pd
import pytest

from mlcore.pipeline import run
from mlcore.validate import ValidationFailed

pytestmark = pytest.mark.slow  # whole pipeline runs against a real store

STEPS = ["validate", "split", "train", "evaluate"]


def _logged(config, result):
    return mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"]).get_run(result.run_id).data


def _cache(config, result):
    tags = _logged(config, result).tags
    return {s: tags[f"mlcore.cache.{s}"] for s in config["steps"]}


def test_a_cached_run_gives_the_metrics_and_records_of_an_uncached_one(make_config):
    config = make_config(steps=STEPS)
    first, cached = run(config), run(config)
    uncached = run(make_config(steps=STEPS, cache=False))

    assert _cache(config, first) == {
        "validate": "miss",
        "split": "miss",
        "train": "never",
        "evaluate": "never",
    }
    assert _cache(config, cached) == {**_cache(config, first), "validate": "hit", "split": "hit"}
    assert _logged(config, cached).tags["mlcore.cache.split.run"] == first.run_id
    assert set(_cache(config, uncached).values()) == {"off", "never"}
    metrics = [pd.Series(r.metrics).sort_index() for r in (first, cached, uncached)]
    assert metrics[0].equals(metrics[1]) and metrics[1].equals(metrics[2])  # NaN-aware
    logged = [pd.Series(_logged(config, r).metrics).sort_index() for r in (cached, uncached)]
    logged = [m[~m.index.str.startswith("step_seconds")] for m in logged]
    assert logged[0].equals(logged[1])  # the replayed split and validation metrics too
    artifacts = [
        {a.path for a in mlflow.MlflowClient().list_artifacts(r.run_id, folder)}
        for r in (cached, uncached)
        for folder in ("split", "validation")
    ]
    assert artifacts[:2] == artifacts[2:] and all(artifacts)


def test_after_a_model_parameter_changes_validate_and_split_are_reused(make_config, tmp_path):
    first = run(make_config(steps=STEPS))
    config = make_config(steps=STEPS, model__n_estimators=12)
    second = run(config)
    tags = _logged(config, second).tags
    assert _cache(config, second)["validate"] == _cache(config, second)["split"] == "hit"
    assert tags["mlcore.input.splits"] == first.run_id  # train read the split of the first run
    provenance = tmp_path / "models" / "models.provenance.json"
    assert json.loads(provenance.read_text())["inputs"]["splits"] == first.run_id


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"data__synthetic__seed": 8}, {"validate": "miss", "split": "miss"}),
        (
            {"split__fractions": {"train": 0.6, "validation": 0.2, "test": 0.2}},
            {"validate": "hit", "split": "miss"},
        ),
        (
            {"validation__expectations": [{"type": "not_null", "column": "customer_id"}]},
            {"validate": "miss", "split": "hit"},
        ),
    ],
    ids=["data", "split-key", "validation-key"],
)
def test_changed_data_or_a_changed_key_a_step_reads_recomputes_that_step(
    make_config, change, expected
):
    run(make_config(steps=["validate", "split"]))
    config = make_config(steps=["validate", "split"], **change)
    assert _cache(config, run(config)) == expected


def test_cache_false_recomputes_and_its_outputs_serve_the_next_cached_run(make_config, tmp_path):
    run(make_config(steps=["validate", "split"]))
    fresh = run(make_config(steps=["validate", "split"], cache=False))
    record = json.loads((tmp_path / "data/interim/split/splits.provenance.json").read_text())
    assert record["run_id"] == fresh.run_id
    config = make_config(steps=["validate", "split"])
    cached = run(config)
    assert _logged(config, cached).tags["mlcore.cache.split.run"] == fresh.run_id


def test_a_failed_validation_is_never_reused(make_config):
    bad = [{"type": "between", "column": "age", "min": 90, "max": 110}]
    config = make_config(steps=["validate", "split"], validation__expectations=bad)
    for _ in range(2):  # the second run validates again and stops again
        with pytest.raises(ValidationFailed):
            run(config)
