"""mlcore.evaluate: every metric pinned against an independent computation on hand-made data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from mlcore.errors import ConfigError, DataError
from mlcore.evaluate import (
    METRICS,
    _compare,
    best_cutoff,
    check_scores,
    classification_metrics,
    compare_models,
    compare_scorers,
    ece_by_bins,
    expected_calibration_error,
    fairness_gaps,
    format_money,
    gains_curve,
    group_metrics,
    heuristic_scores,
    lift_at,
    lift_table,
    miscalibrated_region,
    prior_scores,
    profit_curve,
    profit_rules,
    reliability_table,
)

# 20 rows, highest score first. Worked out by hand for 5 bins (4 rows wanted per bin):
# cut 12 falls inside the tie block 0.40 (rows 11-13): 10 rows lie above it, 13 with it;
# 13 is nearer to 12 than 10, so the whole block joins bin 3 (5 rows) and bin 4 keeps 3.
SCORES = np.array(
    [0.95, 0.90, 0.85, 0.80, 0.70, 0.70, 0.60, 0.55, 0.50, 0.45]
    + [0.40, 0.40, 0.40, 0.30, 0.25, 0.20, 0.15, 0.10, 0.05, 0.05]
)
LABELS = np.array([1, 1, 0, 1, 1, 0, 0, 1, 0, 0] + [1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
BASE = 7 / 20


def _shuffled(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(len(SCORES))
    return LABELS[order], SCORES[order]


def test_lift_table_matches_the_hand_worked_20_row_example():
    table = lift_table(*_shuffled(), n_bins=5)
    assert table["bin"].tolist() == [1, 2, 3, 4, 5]
    assert table["count"].tolist() == [4, 4, 5, 3, 4]
    assert table["positives"].tolist() == [3, 2, 1, 1, 0]
    np.testing.assert_allclose(table["rate"], [3 / 4, 2 / 4, 1 / 5, 1 / 3, 0])
    np.testing.assert_allclose(table["lift"], np.array([3 / 4, 2 / 4, 1 / 5, 1 / 3, 0]) / BASE)
    assert table["cum_count"].tolist() == [4, 8, 13, 16, 20]
    np.testing.assert_allclose(table["cum_gain"], [3 / 7, 5 / 7, 6 / 7, 1, 1])
    np.testing.assert_allclose(
        table["cum_lift"], np.array([3 / 4, 5 / 8, 6 / 13, 7 / 16, 7 / 20]) / BASE
    )
    np.testing.assert_allclose(
        table["ks"], [3 / 7 - 1 / 13, 5 / 7 - 3 / 13, 6 / 7 - 7 / 13, 1 - 9 / 13, 0], atol=1e-12
    )


def _reference_table(labels: np.ndarray, scores: np.ndarray, n_bins: int) -> tuple[list, list]:
    """Independent tie-safe binning by full sort: whole tie blocks, nearest to j * n // k.

    Returns the rows and positives per bin.
    """
    n = len(scores)
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    cum = []
    for j in range(1, n_bins):
        target = n * j // n_bins
        if target == 0:
            cum.append(0)
            continue
        value = ordered[target - 1]
        above, with_ties = int((scores > value).sum()), int((scores >= value).sum())
        cum.append(with_ties if with_ties - target <= target - above else above)
    bins = np.searchsorted(np.array(cum), np.arange(n), side="right")
    count = np.bincount(bins, minlength=n_bins)
    positives = np.bincount(bins, weights=labels[order], minlength=n_bins)
    return count.tolist(), positives.astype(int).tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.booleans()), min_size=2, max_size=80),
    st.integers(1, 12),
    st.randoms(use_true_random=False),
)
def test_lift_table_keeps_ties_together_whatever_the_row_order(rows, n_bins, rnd):
    scores = np.array([r[0] for r in rows], dtype=float) / 12
    labels = np.array([int(r[1]) for r in rows])
    labels[: 2 - len(set(labels.tolist()))] ^= 1  # make sure both classes are present
    table = lift_table(labels, scores, n_bins)
    count, positives = _reference_table(labels, scores, n_bins)
    assert table["count"].tolist() == count
    assert table["positives"].tolist() == positives
    order = np.array(rnd.sample(range(len(scores)), len(scores)))
    shuffled = lift_table(labels[order], scores[order], n_bins)
    pd.testing.assert_frame_equal(table, shuffled)


def test_lift_table_on_distinct_scores_equals_pandas_qcut_deciles():
    rng = np.random.default_rng(0)
    scores = rng.random(1000)
    labels = (rng.random(1000) < scores).astype(int)
    table = lift_table(labels, scores, 10)
    decile = pd.qcut(-scores, 10, labels=False)
    expected = pd.Series(labels).groupby(decile).agg(["size", "sum"])
    assert table["count"].tolist() == expected["size"].tolist()
    assert table["positives"].tolist() == expected["sum"].tolist()


def test_lift_table_with_more_edges_than_the_comparison_path_uses_binary_search():
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 500, 3000) / 500
    labels = (rng.random(3000) < scores).astype(int)
    table = lift_table(labels, scores, 50)
    assert [table["count"].tolist(), table["positives"].tolist()] == list(
        _reference_table(labels, scores, 50)
    )


def test_lift_table_with_fewer_rows_than_bins_leaves_documented_empty_bins():
    table = lift_table(np.array([0, 1, 1]), np.array([0.2, 0.5, 0.9]), n_bins=10)
    assert table["count"].sum() == 3
    assert table["count"].tolist() == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    empty = table[table["count"] == 0]
    assert empty[["rate", "lift"]].isna().all().all()
    assert np.isnan(classification_metrics([0, 1, 1], [0.2, 0.5, 0.9])["top_bin_lift"])


def test_lift_table_puts_a_constant_score_in_one_bin():
    table = lift_table(LABELS, np.full(20, 0.3), n_bins=10)
    assert table["count"].max() == 20
    assert table.loc[table["count"] == 20, "lift"].item() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [
        ([0, 1, 1], [0.1, 0.2], "same length"),
        ([1, 1, 1], [0.1, 0.2, 0.3], "single class"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "must be 0/1"),
        (["a", "b"], [0.1, 0.2], "must be 0/1"),
        ([0, 1], [0.1, np.nan], "NaN or infinite"),
        ([0, 1], [0.1, np.inf], "NaN or infinite"),
        ([], [], "no rows"),
    ],
)
def test_degenerate_inputs_raise_a_clear_error(labels, scores, message):
    with pytest.raises(ValueError, match=message):
        lift_table(np.array(labels), np.array(scores, dtype=float))


def test_lift_table_rejects_a_non_positive_bin_count():
    with pytest.raises(ValueError, match="n_bins"):
        lift_table(LABELS, SCORES, 0)


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: lift_table(LABELS, SCORES[:5]), DataError),
        (lambda: reliability_table(LABELS, SCORES * 3), DataError),
        (lambda: prior_scores(np.array([]), 3), DataError),
        (lambda: heuristic_scores(pd.DataFrame({"a": [1.0]}), "b"), DataError),
        (lambda: group_metrics(LABELS, SCORES, ["a"], 0.5), DataError),
        (lambda: lift_table(LABELS, SCORES, 0), ConfigError),
        (lambda: lift_at(LABELS, SCORES, 1.5), ConfigError),
        (lambda: reliability_table(LABELS, SCORES, strategy="x"), ConfigError),
        (lambda: compare_models(LABELS, SCORES, SCORES, "f1"), ConfigError),
        (lambda: compare_models(LABELS, SCORES, SCORES, n_boot=0), ConfigError),
        (lambda: profit_curve(LABELS, SCORES, -1.0, 1.0, 0.5), ConfigError),
    ],
    ids=[
        "lengths",
        "not probabilities",
        "no prior labels",
        "missing column",
        "group count",
        "n_bins",
        "fraction",
        "strategy",
        "metric",
        "n_boot",
        "cost",
    ],
)
def test_bad_data_raises_data_error_and_bad_options_raise_config_error(call, error):
    with pytest.raises(error):
        call()


def test_check_scores_accepts_boolean_and_float_labels():
    y, _ = check_scores(np.array([True, False]), [0.3, 0.1])
    assert y.tolist() == [1, 0]
    assert check_scores(np.array([1.0, 0.0]), [0.3, 0.1])[0].dtype == np.int64


def test_lift_at_counts_a_straddling_tie_block_pro_rata():
    # Top 25% = 5 rows: rows 1-4 (3 positives) and one of the two 0.70 rows (1 positive of 2).
    assert lift_at(*_shuffled(), 0.25) == pytest.approx((3.5 / 5) / BASE)
    assert lift_at(LABELS, np.full(20, 0.5), 0.1) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="fraction"):
        lift_at(LABELS, SCORES, 0.0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 1)), min_size=2, max_size=60),
    st.floats(0.01, 1.0),
)
def test_lift_at_equals_the_gains_curve_interpolated(rows, fraction):
    scores = np.array([r[0] for r in rows], dtype=float)
    labels = np.array([r[1] for r in rows])
    if labels.min() == labels.max():
        labels[0] = 1 - labels[0]
    curve = gains_curve(labels, scores)
    captured = np.interp(fraction * len(scores), curve["count"], curve["positives"])
    expected = captured / (fraction * len(scores)) / labels.mean()
    assert lift_at(labels, scores, fraction) == pytest.approx(expected)


def test_gains_curve_has_one_point_per_distinct_score_from_the_origin():
    curve = gains_curve(np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.9, 0.5, 0.5, 0.1]))
    assert curve["threshold"].tolist() == [np.inf, 0.9, 0.5, 0.2, 0.1]
    assert curve["count"].tolist() == [0, 1, 3, 4, 5]
    assert curve["positives"].tolist() == [0, 1, 2, 2, 3]
    np.testing.assert_allclose(curve["gain"], [0, 1 / 3, 2 / 3, 2 / 3, 1])
    np.testing.assert_allclose(curve["lift"][1:], [(1 / 3) / 0.2, (2 / 3) / 0.6, (2 / 3) / 0.8, 1])
    assert np.isnan(curve["lift"].iloc[0])


def test_classification_metrics_match_direct_formulas():
    metrics = classification_metrics(LABELS, SCORES, n_bins=5)
    assert metrics["brier"] == pytest.approx(np.mean((SCORES - LABELS) ** 2))
    expected_log_loss = -np.mean(LABELS * np.log(SCORES) + (1 - LABELS) * np.log(1 - SCORES))
    assert metrics["log_loss"] == pytest.approx(expected_log_loss)
    pairs = [(p, n) for p in SCORES[LABELS == 1] for n in SCORES[LABELS == 0]]
    auc = np.mean([1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs])
    assert metrics["roc_auc"] == pytest.approx(auc)
    assert metrics["base_rate"] == pytest.approx(BASE)
    assert metrics["top_bin_lift"] == pytest.approx((3 / 4) / BASE)


def test_reliability_table_and_ece_match_direct_formulas():
    table = reliability_table(LABELS, SCORES, n_bins=4)
    bins = np.minimum((SCORES * 4).astype(int), 3)
    ece = 0.0
    for b in range(4):
        in_bin = bins == b
        row = table.iloc[b]
        assert row["count"] == in_bin.sum()
        assert row["mean_score"] == pytest.approx(SCORES[in_bin].mean())
        assert row["observed_rate"] == pytest.approx(LABELS[in_bin].mean())
        ece += in_bin.mean() * abs(LABELS[in_bin].mean() - SCORES[in_bin].mean())
    assert expected_calibration_error(LABELS, SCORES, n_bins=4) == pytest.approx(ece)


def test_reliability_table_quantile_bins_follow_the_lift_table_in_ascending_order():
    table = reliability_table(*_shuffled(), n_bins=5, strategy="quantile")
    assert table["count"].tolist() == [4, 3, 5, 4, 4]
    assert table["max_score"].tolist() == [0.15, 0.30, 0.50, 0.70, 0.95]


def test_reliability_table_keeps_empty_uniform_bins_and_checks_its_inputs():
    table = reliability_table(np.array([0, 1]), np.array([0.05, 0.95]), n_bins=4)
    assert table["count"].tolist() == [1, 0, 0, 1]
    assert table.loc[1, ["mean_score", "observed_rate"]].isna().all()
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        reliability_table(np.array([0, 1]), np.array([-0.1, 0.5]))
    with pytest.raises(ValueError, match="strategy"):
        reliability_table(LABELS, SCORES, strategy="kmeans")


def test_ece_by_bins_exposes_a_tail_that_ten_bins_average_away():
    rng = np.random.default_rng(3)
    scores = rng.uniform(0, 1, 20_000)
    truth = np.where(scores > 0.9, scores - 0.3, scores)  # only the top 10 % over-predicted
    y = (rng.random(scores.size) < truth).astype(int)
    table = ece_by_bins(y, {"model": scores}).set_index("bins")["model"]
    assert table.index.tolist() == [
        "10 uniform",
        "20 uniform",
        "50 uniform",
        "10 quantile",
        "20 quantile",
    ]
    assert table["10 uniform"] == pytest.approx(expected_calibration_error(y, scores, 10))
    assert 0.02 < table["10 uniform"] < 0.04  # 0.3 on a tenth of the rows, and noise


def test_miscalibrated_region_names_the_tail_its_direction_and_gap_range():
    rng = np.random.default_rng(4)
    scores = rng.uniform(0, 1, 50_000)
    truth = np.where(scores >= 0.5, scores * 0.5, scores)  # above 0.5: half the predicted rate
    y = (rng.random(scores.size) < truth).astype(int)
    sentence = miscalibrated_region(reliability_table(y, scores, 10))
    assert sentence.startswith("above 0.50 the observed rate is 0.2")
    assert "lower than predicted" in sentence and "5 of 10 score bins" in sentence
    well = (rng.random(scores.size) < scores).astype(int)
    assert miscalibrated_region(reliability_table(well, scores, 10)) == ""


def test_profit_rules_compare_the_best_cutoffs_with_contacting_everyone():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    model = np.linspace(0.9, 0.1, 8)
    rule = model[::-1].copy()  # the worst ranking there is
    table = profit_rules(y, {"model": model, "rule": rule}, 1.0, 10.0, 0.5).set_index("rule")
    assert table.loc["model", "profit"] == best_cutoff(profit_curve(y, model, 1, 10, 0.5))["profit"]
    assert table.loc["contact everyone", "profit"] == pytest.approx(3 * 0.5 * 10 - 8)
    assert table.loc["contact everyone", "fraction"] == 1.0
    assert table.index[0] == "model"


def test_format_money_uses_separators_and_the_currency_never_exponents():
    assert format_money(1.007465e6) == "1,007,465"
    assert format_money(1.007465e6, "EUR") == "EUR 1,007,465"
    assert format_money(-5610.4, "$") == "$ -5,610"


def test_prior_and_heuristic_baselines_score_as_documented():
    prior = prior_scores(np.array([0, 0, 0, 1]), 5)
    assert prior.tolist() == [0.25] * 5
    frame = pd.DataFrame({"trend": [-3.0, 2.0, np.nan, 0.0]})
    assert heuristic_scores(frame, "trend", ascending=True).tolist() == [1.0, 1 / 3, 0.0, 2 / 3]
    assert heuristic_scores(frame, "trend", ascending=False).tolist() == [1 / 3, 1.0, 0.0, 2 / 3]
    with pytest.raises(DataError, match="'nope'"):
        heuristic_scores(frame, "nope")
    with pytest.raises(TypeError, match="numeric"):
        heuristic_scores(pd.DataFrame({"s": ["a", "b"]}), "s")
    with pytest.raises(ValueError, match="0/1"):
        prior_scores(np.array([0, 2]), 3)


def test_compare_scorers_reports_the_model_against_its_baselines():
    frame = pd.DataFrame({"activity": 1 - SCORES - 0.1 * LABELS})
    table = compare_scorers(
        LABELS,
        {
            "model": SCORES,
            "prior": prior_scores(LABELS, 20),
            "lowest_activity_first": heuristic_scores(frame, "activity", ascending=True),
        },
        n_bins=5,
    )
    assert table["scorer"].tolist() == ["model", "prior", "lowest_activity_first"]
    assert set(table.columns) >= {"roc_auc", "log_loss", "brier", "base_rate", "top_bin_lift"}
    assert table.loc[1, "roc_auc"] == 0.5
    assert table.loc[2, "roc_auc"] == pytest.approx(roc_auc_score(LABELS, -frame["activity"]))
    assert table.loc[2, "roc_auc"] > table.loc[0, "roc_auc"]


def test_weighted_metrics_equal_sklearn_with_sample_weights():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.random(300), 2)  # with ties
    counts = rng.integers(0, 4, size=(3, 300))  # bootstrap counts, and any real weights
    references = {"roc_auc": roc_auc_score, "log_loss": log_loss, "brier": brier_score_loss}
    for weights in (counts.astype(np.int16), counts * 0.37):
        for name, (fn, _) in METRICS.items():
            expected = [references[name](y, s, sample_weight=w) for w in weights]
            np.testing.assert_allclose(fn(y, s, weights), expected, rtol=1e-10)


def test_compare_models_finds_no_difference_between_identical_models():
    table = compare_models(LABELS, SCORES, SCORES, metric=["roc_auc", "brier"], n_boot=50)
    assert table["metric"].tolist() == ["roc_auc", "brier"]
    assert (table[["diff", "ci_low", "ci_high"]] == 0).all().all()
    assert not table["challenger_better"].any()


def test_compare_models_flags_a_clearly_better_challenger_reproducibly():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 2000)
    champion = np.clip(0.5 + 0.1 * (y - 0.5) + rng.normal(0, 0.2, 2000), 0, 1)
    challenger = np.clip(0.5 + 0.4 * (y - 0.5) + rng.normal(0, 0.2, 2000), 0, 1)
    table = compare_models(y, champion, challenger, ["roc_auc", "log_loss"], n_boot=300, seed=1)
    assert table["challenger_better"].tolist() == [True, True]
    auc = table.iloc[0]
    assert auc["champion"] == pytest.approx(roc_auc_score(y, champion))
    assert auc["ci_low"] < auc["diff"] < auc["ci_high"]
    again = compare_models(y, champion, challenger, ["roc_auc", "log_loss"], n_boot=300, seed=1)
    pd.testing.assert_frame_equal(table, again)
    reverse = compare_models(y, challenger, champion, "roc_auc", n_boot=300, seed=1)
    assert not reverse["challenger_better"].item()
    strict = compare_models(y, champion, challenger, "roc_auc", n_boot=300, seed=1, margin=0.5)
    assert not strict["challenger_better"].item()


def test_compare_models_gives_the_same_interval_in_small_blocks_as_in_one(monkeypatch):
    # The bootstrap runs in blocks of replicates to bound memory; the block size must not matter.
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    champion, challenger = np.round(rng.random(500), 2), rng.random(500)
    metrics = ["roc_auc", "log_loss", "brier"]
    whole = compare_models(y, champion, challenger, metrics, n_boot=40, seed=2)
    monkeypatch.setattr(_compare, "_BOOT_CELLS", 3 * len(y))  # blocks of 3 replicates
    auc, higher_is_better = METRICS["roc_auc"]
    rows_per_call = []

    def counted_auc(y, s, weights):
        rows_per_call.append(len(weights))
        return auc(y, s, weights)

    monkeypatch.setitem(METRICS, "roc_auc", (counted_auc, higher_is_better))
    pd.testing.assert_frame_equal(
        compare_models(y, champion, challenger, metrics, n_boot=40, seed=2), whole
    )
    assert max(rows_per_call) == 3  # the patched block size was used


def test_compare_models_rejects_unknown_metrics_and_non_probabilities():
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        compare_models(LABELS, SCORES, SCORES, "f1")
    with pytest.raises(ValueError, match="probabilities"):
        compare_models(LABELS, SCORES * 3, SCORES, "log_loss", n_boot=5)


def test_profit_curve_maximum_equals_brute_force_over_every_cutoff():
    rng = np.random.default_rng(5)
    y = (rng.random(300) < 0.2).astype(int)
    scores = np.round(np.clip(y * 0.3 + rng.random(300), 0, 1), 2)  # with ties
    cost, value, success = 5.0, 60.0, 0.3
    curve = profit_curve(y, scores, cost, value, success)
    best = best_cutoff(curve)
    brute = max(
        [0.0]
        + [
            (y[scores >= t].sum() * success * value) - (scores >= t).sum() * cost
            for t in np.unique(scores)
        ]
    )
    assert best["profit"] == pytest.approx(brute)
    contacted = scores >= best["threshold"]
    assert best["count"] == contacted.sum()
    assert best["profit"] == pytest.approx(
        y[contacted].sum() * success * value - cost * best["count"]
    )


def test_profit_curve_contacts_nobody_when_no_one_is_worth_it():
    curve = profit_curve(
        LABELS, SCORES, cost_per_contact=10.0, value_per_success=1.0, success_rate=1
    )
    assert best_cutoff(curve)["count"] == 0
    assert best_cutoff(curve)["threshold"] == np.inf
    with pytest.raises(ValueError, match="success_rate"):
        profit_curve(LABELS, SCORES, 1.0, 1.0, 1.5)


def test_group_metrics_and_fairness_gaps_match_a_hand_count():
    groups = np.array(["a"] * 10 + ["b"] * 10)
    table = group_metrics(LABELS, SCORES, groups, threshold=0.5, metrics=["roc_auc", "brier"])
    a, b = table.iloc[0], table.iloc[1]
    assert (a["group"], a["count"], a["positives"]) == ("a", 10, 5)
    assert a["selection_rate"] == pytest.approx(0.9)  # rows 1-9 score >= 0.5
    assert b["selection_rate"] == 0.0
    assert a["true_positive_rate"] == 1.0
    assert a["roc_auc"] == pytest.approx(roc_auc_score(LABELS[:10], SCORES[:10]))
    assert b["brier"] == pytest.approx(np.mean((SCORES[10:] - LABELS[10:]) ** 2))
    gaps = fairness_gaps(table).set_index("measure")
    assert gaps.loc["selection_rate", "gap"] == pytest.approx(0.9)
    assert gaps.loc["selection_rate", ["highest_group", "lowest_group"]].tolist() == ["a", "b"]
    assert gaps.loc["selection_rate", "ratio"] == 0.0


def test_group_metrics_gives_nan_for_a_single_class_group_and_accepts_callables():
    groups = pd.Series(["x", "x", None, None] * 5)
    y = np.array([1, 0, 0, 0] * 5)

    def mean_score(labels, scores):
        return float(np.mean(scores))

    table = group_metrics(y, SCORES, groups, 0.5, metrics=["roc_auc", mean_score])
    assert table["count"].tolist() == [10, 10]
    missing_group = table[table["group"].isna()].iloc[0]
    assert np.isnan(missing_group["roc_auc"]) and np.isnan(missing_group["mean_score"])
    with pytest.raises(ValueError, match="3 group values for 20 rows"):
        group_metrics(LABELS, SCORES, ["a", "b", "c"], 0.5)


def test_scores_outside_zero_one_are_an_error_not_clipped_into_a_better_brier():
    y = np.array([0, 1, 0, 1])
    with pytest.raises(DataError, match=r"classification_metrics: scores must be probabilities"):
        classification_metrics(y, np.array([0.2, 1.5, -0.5, 0.9]))
    # in range: the definitions, by hand (Brier = mean squared error of the probability)
    s = np.array([0.5, 0.5, 0.0, 1.0])
    metrics = classification_metrics(y, s, 2)
    assert metrics["brier"] == pytest.approx(((0.5**2) * 2 + 0 + 0) / 4)
    assert metrics["log_loss"] == pytest.approx(2 * np.log(2) / 4, abs=1e-9)
