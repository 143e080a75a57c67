"""The paired bootstrap (mlcore.evaluate._compare, re-exported by mlcore.task), its row weights and
the weighted AUC of mlcore.task._bootstrap, checked against compare_models and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from mlcore.errors import ConfigError, DataError
from mlcore.evaluate import METRICS, _compare, compare_models
from mlcore.task import (
    COMPARE_COLUMNS,
    bootstrap_weights,
    paired_bootstrap,
    weighted_auc,
)


def _mae(y, s, w):
    return w @ np.abs(y - s) / w.sum(axis=1)


def _binary_data(n: int = 300, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.3).astype(np.int64)
    champion = np.clip(0.3 + 0.15 * y + rng.normal(0, 0.2, n), 0.01, 0.99)
    challenger = np.clip(0.3 + 0.3 * y + rng.normal(0, 0.2, n), 0.01, 0.99)
    return y, champion, challenger


def test_bootstrap_weights_are_multinomial_counts_of_uniform_draws():
    weights = np.vstack(list(bootstrap_weights(50, 40, seed=3)))
    draws = np.random.default_rng(3).integers(0, 50, size=(40, 50))
    expected = np.stack([np.bincount(row, minlength=50) for row in draws])
    np.testing.assert_array_equal(weights, expected)
    assert (weights.sum(axis=1) == 50).all()


def test_bootstrap_weights_do_not_depend_on_the_chunk_size(monkeypatch):
    whole = np.vstack(list(bootstrap_weights(30, 25, seed=5)))
    monkeypatch.setattr(_compare, "_BOOT_CELLS", 30 * 4)  # chunks of 4 replicates
    chunks = list(bootstrap_weights(30, 25, seed=5))
    assert [len(c) for c in chunks] == [4] * 6 + [1]
    np.testing.assert_array_equal(np.vstack(chunks), whole)


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_on_binary_metrics_the_generic_bootstrap_reproduces_compare_models(metric):
    y, champion, challenger = _binary_data()
    expected = compare_models(y, champion, challenger, metric, n_boot=300, seed=4, margin=0.01)
    got = paired_bootstrap(
        y, champion, challenger, {metric: METRICS[metric]}, n_boot=300, seed=4, margin=0.01
    )
    assert list(got.columns) == list(COMPARE_COLUMNS) == list(expected.columns)
    for column in COMPARE_COLUMNS:
        if column in ("metric", "higher_is_better", "challenger_better"):
            assert got.loc[0, column] == expected.loc[0, column], column
        else:
            assert got.loc[0, column] == pytest.approx(expected.loc[0, column], rel=1e-12), column


def test_the_interval_is_the_percentile_interval_of_the_paired_differences():
    rng = np.random.default_rng(0)
    y = rng.normal(size=80)
    champion, challenger = y + rng.normal(0, 1.0, 80), y + rng.normal(0, 0.8, 80)
    table = paired_bootstrap(
        y, champion, challenger, {"mae": (_mae, False)}, n_boot=150, seed=9, confidence=0.9
    )
    diffs = []
    for w in np.vstack(list(bootstrap_weights(80, 150, seed=9))):
        rows = np.repeat(np.arange(80), w)  # the resample itself
        diffs.append(
            np.abs(y[rows] - challenger[rows]).mean() - np.abs(y[rows] - champion[rows]).mean()
        )
    low, high = np.quantile(diffs, [0.05, 0.95])
    assert table.loc[0, "ci_low"] == pytest.approx(low)
    assert table.loc[0, "ci_high"] == pytest.approx(high)
    point = np.abs(y - challenger).mean() - np.abs(y - champion).mean()
    assert table.loc[0, "diff"] == pytest.approx(point)
    assert table.loc[0, "ci_low"] <= point <= table.loc[0, "ci_high"]


def test_replicates_where_the_metric_is_undefined_are_skipped():
    def odd_only(y, s, w):  # undefined (NaN) on even replicates
        values = _mae(y, s, w)
        values[::2] = np.nan
        return values

    y = np.arange(50.0)
    table = paired_bootstrap(y, y + 2.0, y + 1.0, {"mae": (odd_only, False)}, n_boot=20)
    assert table.loc[0, "ci_low"] == table.loc[0, "ci_high"] == pytest.approx(-1.0)
    assert bool(table.loc[0, "challenger_better"])


def test_a_metric_undefined_everywhere_gives_no_interval_and_no_promotion():
    nan = lambda y, s, w: np.full(len(w), np.nan)  # noqa: E731
    table = paired_bootstrap(
        np.arange(10.0), np.zeros(10), np.ones(10), {"x": (nan, True)}, n_boot=5
    )
    assert np.isnan(table.loc[0, "ci_low"]) and np.isnan(table.loc[0, "ci_high"])
    assert not table.loc[0, "challenger_better"]


def test_a_margin_larger_than_the_gain_blocks_promotion():
    y = np.arange(100.0)
    kwargs = {"n_boot": 50, "seed": 0}
    assert paired_bootstrap(y, y + 5.0, y + 4.0, {"mae": (_mae, False)}, **kwargs).loc[
        0, "challenger_better"
    ]
    blocked = paired_bootstrap(y, y + 5.0, y + 4.0, {"mae": (_mae, False)}, margin=1.5, **kwargs)
    assert not blocked.loc[0, "challenger_better"]
    assert blocked.loc[0, "margin"] == 1.5


def test_scores_of_other_rows_are_a_data_error():
    with pytest.raises(DataError, match="same rows"):
        paired_bootstrap(np.arange(5.0), np.zeros(5), np.zeros(4), {"mae": (_mae, False)})


def test_bad_settings_are_config_errors():
    with pytest.raises(ConfigError, match="n_boot"):
        paired_bootstrap(np.arange(5.0), np.zeros(5), np.zeros(5), {"mae": (_mae, False)}, n_boot=0)


def test_weighted_auc_equals_sklearn_with_sample_weight_including_ties():
    rng = np.random.default_rng(2)
    positive = rng.random(60) < 0.4
    scores = np.round(rng.random(60), 1)  # many ties
    weights = np.vstack(list(bootstrap_weights(60, 25, seed=1)))
    got = weighted_auc(positive, scores, weights)
    expected = [roc_auc_score(positive, scores, sample_weight=w) for w in weights]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_weighted_auc_is_nan_without_positives_or_negatives():
    positive = np.array([True, False, False])
    weights = np.array([[0, 2, 1], [1, 1, 1], [3, 0, 0]])
    got = weighted_auc(positive, np.array([0.9, 0.2, 0.4]), weights)
    assert np.isnan(got[0]) and got[1] == 1.0 and np.isnan(got[2])
