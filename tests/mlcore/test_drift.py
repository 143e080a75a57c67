"""Drift: PSI and KS pinned against direct computations, edge cases, and the three drift types
injected into the synthetic churn data found where they were put and nowhere else."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlcore.datasets import make_churn_batches
from mlcore.drift import (
    PSI_EPSILON,
    CategoricalProfile,
    DriftProfile,
    LabelProfile,
    NumericProfile,
    check_thresholds,
    drift_report,
    ks_from_profile,
    psi,
)
from mlcore.errors import ConfigError, DataError
from mlcore.plots import drift_figures

# --------------------------------------------------------------------------------------------
# PSI and KS against direct computations
# --------------------------------------------------------------------------------------------


def test_psi_matches_the_formula_on_hand_made_counts() -> None:
    by_hand = (
        (0.4 - 0.5) * math.log(0.4 / 0.5)
        + (0.3 - 0.3) * math.log(0.3 / 0.3)
        + (0.3 - 0.2) * math.log(0.3 / 0.2)
    )
    assert psi([50, 30, 20], [40, 30, 30]) == pytest.approx(by_hand, rel=1e-12)
    assert psi([5, 5], [5, 5]) == 0.0


def test_numeric_psi_uses_quantile_bins_and_a_missing_bin() -> None:
    # reference 1..10 -> median bins (-inf, 5], (5, inf) with 5 rows each and no missing rows
    profile = DriftProfile.from_frame(
        pd.DataFrame({"x": np.arange(1.0, 11.0)}), n_bins=2, n_quantiles=3
    )
    current = pd.DataFrame({"x": [1.0, 2.0, 3.0, 8.0, np.nan]})  # shares 0.6, 0.2, missing 0.2
    by_hand = (
        (0.6 - 0.5) * math.log(0.6 / 0.5)
        + (0.2 - 0.5) * math.log(0.2 / 0.5)
        + (0.2 - PSI_EPSILON) * math.log(0.2 / PSI_EPSILON)
    )
    report = drift_report(profile, current, thresholds={"min_rows": 1})
    assert report.features.loc[0, "psi"] == pytest.approx(by_hand, rel=1e-12)
    table = report.distributions["x"]
    assert table["bin"].tolist() == ["<= 5", "> 5", "(missing)"]
    assert table["reference"].tolist() == [0.5, 0.5, 0.0]
    assert table["current"].tolist() == pytest.approx([0.6, 0.2, 0.2])


def test_ks_from_a_profile_is_within_its_resolution_of_scipy() -> None:
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(0, 1, 20_000), rng.normal(0.1, 1.2, 5_000)
    profile = NumericProfile.from_values(ref, n_quantiles=101)
    stat, pvalue = ks_from_profile(profile, cur)
    exact = stats.ks_2samp(ref, cur, method="asymp")
    assert profile.ks_resolution <= 0.0101
    assert stat <= exact.statistic + 1e-12  # a lower bound...
    assert exact.statistic - stat <= profile.ks_resolution  # ...short by at most the resolution
    assert pvalue == pytest.approx(stats.kstwo.sf(stat, round(20_000 * 5_000 / 25_000)))


def test_ks_is_exact_when_every_reference_value_is_on_the_grid() -> None:
    rng = np.random.default_rng(2)
    ref = rng.integers(0, 12, 8_000).astype(float)  # each value holds ~8% > one grid step
    cur = np.concatenate([rng.poisson(4.0, 3_000), rng.integers(0, 8, 500) + 0.5])  # new values
    profile = NumericProfile.from_values(ref)
    assert profile.ks_resolution == 0.0
    stat, pvalue = ks_from_profile(profile, cur)
    exact = stats.ks_2samp(ref, cur, method="asymp")
    assert stat == pytest.approx(exact.statistic, abs=1e-12)
    assert pvalue == pytest.approx(exact.pvalue, rel=1e-9)


def test_ks_pvalue_at_large_sizes_uses_the_limiting_distribution() -> None:
    rng = np.random.default_rng(10)
    ref = rng.integers(0, 10, 40_000).astype(float)
    cur = rng.integers(0, 10, 40_000).astype(float)
    cur[:400] = 9.0  # a small but clear shift
    stat, pvalue = ks_from_profile(NumericProfile.from_values(ref), cur)
    exact = stats.ks_2samp(ref, cur, method="asymp")
    assert stat == pytest.approx(exact.statistic, abs=1e-12)
    assert pvalue == pytest.approx(exact.pvalue, abs=3e-3)
    assert pvalue == pytest.approx(stats.kstwobign.sf(stat * math.sqrt(20_000)), rel=1e-12)


# --------------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------------


def test_duplicate_quantile_edges_collapse_into_fewer_bins() -> None:
    rng = np.random.default_rng(3)
    values = np.where(rng.random(10_000) < 0.9, 0.0, rng.poisson(2.0, 10_000) + 1.0)
    profile = NumericProfile.from_values(values)
    assert len(profile.bin_labels()) < 10
    assert profile.bin_counts().sum() == 10_000
    same = np.where(rng.random(10_000) < 0.9, 0.0, rng.poisson(2.0, 10_000) + 1.0)
    report = drift_report(DriftProfile(10_000, {"x": profile}), pd.DataFrame({"x": same}))
    assert report.features.loc[0, "psi"] < 0.01
    assert report.features.loc[0, "severity"] == "ok"


def test_a_constant_or_empty_reference_column_still_profiles() -> None:
    constant = NumericProfile.from_values(np.full(500, 7.0))
    assert constant.bin_labels() == ["<= 7", "> 7", "(missing)"]
    empty = NumericProfile.from_values(np.full(500, np.nan))
    assert empty.bin_counts().tolist() == [0, 500]
    assert all(math.isnan(v) for v in ks_from_profile(empty, np.arange(10.0)))


def test_a_spike_of_missing_values_is_drift() -> None:
    rng = np.random.default_rng(4)
    profile = DriftProfile.from_frame(pd.DataFrame({"x": rng.normal(size=5_000)}))
    current = pd.DataFrame({"x": np.where(rng.random(5_000) < 0.5, np.nan, rng.normal(size=5_000))})
    row = drift_report(profile, current).features.iloc[0]
    assert row["missing_current"] == pytest.approx(0.5, abs=0.03)
    assert row["ks"] < 0.05  # the values that are there did not move...
    assert row["severity"] == "error" and "psi" in row["reason"]  # ...but PSI sees the hole


def test_unseen_categories_land_in_the_other_bin_and_are_named() -> None:
    ref = pd.DataFrame({"plan": ["basic"] * 600 + ["premium"] * 400})
    cur = pd.DataFrame({"plan": ["basic"] * 500 + ["premium"] * 300 + ["platinum"] * 200})
    row = drift_report(DriftProfile.from_frame(ref), cur).features.iloc[0]
    assert row["unseen"] == pytest.approx(0.2)
    assert row["severity"] == "error"
    assert "platinum" in row["reason"]
    assert row["chi2_pvalue"] < 1e-10


def test_rare_categories_beyond_the_cap_are_grouped_as_other() -> None:
    series = pd.Series(["a"] * 50 + ["b"] * 30 + ["c"] * 15 + ["d"] * 5)
    profile = CategoricalProfile.from_series(series, max_categories=2)
    assert profile.bin_labels() == ["a", "b", "(other)", "(missing)"]
    assert profile.bin_counts().tolist() == [50, 30, 20, 0]


@pytest.mark.parametrize("n_rows", [0, 1, 5, 99])
def test_tiny_batches_are_reported_as_skipped_not_as_alerts(n_rows: int) -> None:
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"x": rng.normal(size=2_000), "c": rng.choice(["a", "b"], 2_000)})
    cur = pd.DataFrame({"x": rng.normal(5, 1, n_rows), "c": ["z"] * n_rows})
    report = drift_report(DriftProfile.from_frame(ref), cur)
    assert not report.alert
    assert set(report.features["severity"]) == {"skipped"}
    assert report.features["reason"].str.contains("min_rows").all()


def test_a_missing_or_mistyped_column_is_an_error_row_not_a_crash() -> None:
    ref = pd.DataFrame({"x": np.arange(500.0), "y": np.arange(500.0)})
    cur = pd.DataFrame({"y": ["a"] * 500})
    report = drift_report(DriftProfile.from_frame(ref), cur)
    reasons = report.features.set_index("feature")["reason"]
    assert "missing" in reasons["x"] and "expected numbers" in reasons["y"]
    assert report.alert


def test_small_shift_on_a_small_batch_is_not_significant() -> None:
    rng = np.random.default_rng(6)
    profile = DriftProfile.from_frame(pd.DataFrame({"x": rng.normal(size=50_000)}))
    row = drift_report(profile, pd.DataFrame({"x": rng.normal(0.3, 1, 120)})).features.iloc[0]
    assert row["psi"] > 0.1  # a PSI level is crossed by noise on 120 rows...
    assert row["severity"] == "ok" and "not significant" in row["reason"]  # ...and gated


def test_profile_survives_a_json_round_trip() -> None:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=3_000),
            "c": rng.choice(["a", "b", None], 3_000),
            "y": rng.integers(0, 2, 3_000),
            "s": rng.random(3_000),
        }
    )
    profile = DriftProfile.from_frame(frame, label_col="y", score_col="s")
    restored = DriftProfile.from_dict(json.loads(json.dumps(profile.to_dict())))
    current = frame.assign(x=frame["x"] + 0.5)
    before, after = drift_report(profile, current), drift_report(restored, current)
    for name, table in before.tables().items():
        pd.testing.assert_frame_equal(table, after.tables()[name], obj=name)
    with pytest.raises(DataError, match="format"):
        DriftProfile.from_dict({"format": "something else"})


def test_thresholds_merge_with_defaults_and_reject_typos() -> None:
    merged = check_thresholds({"psi": {"error": 0.3}, "ks": 0.15, "min_rows": 10})
    assert merged["psi"] == {"warning": 0.1, "error": 0.3}
    assert merged["ks"] == {"warning": None, "error": 0.15}
    with pytest.raises(ConfigError, match="unknown key 'psi_level'"):
        check_thresholds({"psi_level": 0.2})
    with pytest.raises(ConfigError, match="psi takes 'warning' and 'error'"):
        check_thresholds({"psi": {"eror": 0.2}})
    with pytest.raises(ConfigError, match="ks_pvalue"):
        check_thresholds({"ks_pvalue": 5})


def test_label_shift_comes_with_a_confidence_interval() -> None:
    profile = DriftProfile(1_000, {}, label_col="y", label=LabelProfile(n=1_000, positives=200))
    current = pd.DataFrame({"y": [1] * 300 + [0] * 700})
    row = drift_report(profile, current).label.iloc[0]
    half = stats.norm.ppf(0.975) * math.sqrt(0.2 * 0.8 / 1_000 + 0.3 * 0.7 / 1_000)
    assert row["diff"] == pytest.approx(0.1)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((0.1 - half, 0.1 + half))
    assert row["severity"] == "error"


def test_the_reference_auc_uncertainty_widens_the_concept_drift_test() -> None:
    rng = np.random.default_rng(10)
    y = rng.integers(0, 2, 4_000)
    batch = pd.DataFrame({"y": y, "s": rng.normal(y * 0.8, 1.0)})  # AUC about 0.71
    held_out = DriftProfile.from_frame(batch, features=[], label_col="y", score_col="s")
    auc = held_out.performance["auc"]
    assert held_out.performance["auc_se"] == pytest.approx(0.008, abs=0.002)  # Hanley-McNeil

    def concept(auc_se: float) -> pd.Series:
        performance = {"auc": auc + 0.06, "lift": 1.0, "auc_se": auc_se}
        profile = replace(held_out, performance=performance)
        return drift_report(profile, batch).performance.iloc[0]

    exact = concept(0.0)  # a reference known exactly: the batch's noise alone
    assert exact["severity"] == "error"
    noisy = concept(0.04)  # a small held-out set: 0.06 is within the noise of both AUCs
    assert noisy["severity"] == "ok" and "within noise" in noisy["reason"]
    assert noisy["auc_se"] == pytest.approx(math.hypot(exact["auc_se"], 0.04))


def test_prediction_drift_uses_the_score_column() -> None:
    rng = np.random.default_rng(8)
    ref = pd.DataFrame({"x": rng.normal(size=5_000), "score": rng.beta(2, 5, 5_000)})
    profile = DriftProfile.from_frame(ref, score_col="score")
    report = drift_report(profile, ref.assign(score=np.clip(ref["score"] + 0.15, 0, 1)))
    assert report.prediction.loc[0, "feature"] == "score"
    assert report.prediction.loc[0, "severity"] == "error"
    assert report.features.loc[0, "severity"] == "ok"


def test_figures_render_and_the_report_serialises_to_json() -> None:
    rng = np.random.default_rng(9)
    ref = pd.DataFrame(
        {
            "x": rng.normal(size=2_000),
            "c": rng.choice(["a", "b"], 2_000),
            "y": rng.integers(0, 2, 2_000),
            "s": rng.random(2_000),
            "month": np.repeat(pd.date_range("2024-01-01", periods=4, freq="MS"), 500),
        }
    )
    profile = DriftProfile.from_frame(ref, label_col="y", score_col="s", exclude=["month"])
    report = drift_report(profile, ref, period_col="month")
    figures = drift_figures(report)
    assert set(figures) == {"psi", "distributions", "performance"}
    for figure in figures.values():
        figure.savefig(io.BytesIO(), format="png")
    data = json.loads(json.dumps(report.to_dict()))
    assert data["summary"]["alert"] is False
    assert data["performance"][0]["period"].startswith("2024-01-01")


def test_importing_drift_stays_light() -> None:
    code = (
        "import sys, mlcore.drift; "
        "print([m for m in ('matplotlib', 'mlflow', 'great_expectations', 'hydra', 'lightgbm')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------
# The drifted synthetic period: each drift type found where it was injected, and only there
# --------------------------------------------------------------------------------------------

NUMERIC = [
    "tenure_months",
    "age",
    "monthly_fee",
    "logins",
    "minutes_used",
    "support_tickets",
    "days_since_last_login",
]
CATEGORICAL = ["contract", "plan"]
N_CUSTOMERS = 20_000


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    x = pd.get_dummies(frame[NUMERIC + CATEGORICAL], columns=CATEGORICAL, dtype=float)
    return x.reindex(columns=sorted(x.columns), fill_value=0.0)


@pytest.fixture(scope="module")
def trained() -> tuple[DriftProfile, object]:
    reference, _ = make_churn_batches(N_CUSTOMERS, 6, seed=0)
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(_design(reference), reference["churn"])
    scored = reference.assign(score=model.predict_proba(_design(reference))[:, 1])
    profile = DriftProfile.from_frame(
        scored, exclude=["customer_id"], label_col="churn", score_col="score"
    )
    return profile, model


@pytest.mark.parametrize(
    ("drift", "drifted_features", "label_alert", "performance_alert"),
    [
        ({}, set(), False, False),
        ({"feature_drift": 1.0}, {"age", "minutes_used", "payment_method"}, False, False),
        ({"label_drift": 0.7}, set(), True, False),
        ({"concept_drift": 1.0}, set(), False, True),
    ],
    ids=["no-drift", "feature", "label", "concept"],
)
def test_each_drift_type_is_found_where_it_was_injected_and_only_there(
    trained: tuple[DriftProfile, object],
    drift: dict[str, float],
    drifted_features: set[str],
    label_alert: bool,
    performance_alert: bool,
) -> None:
    profile, model = trained
    _, batch = make_churn_batches(N_CUSTOMERS, 6, seed=0, **drift)
    batch = batch.assign(score=model.predict_proba(_design(batch))[:, 1])
    report = drift_report(profile, batch, period_col="snapshot_month")

    severity = report.features.set_index("feature")["severity"]
    assert set(severity[severity != "ok"].index) == drifted_features
    assert (severity[list(drifted_features)] == "error").all()
    assert (report.label["severity"] == "error").all() == label_alert
    assert set(report.label["severity"]) <= ({"error"} if label_alert else {"ok"})
    assert len(report.performance) == 3  # one row per labelled month
    expected = {"error"} if performance_alert else {"ok"}
    assert set(report.performance["severity"]) == expected
    assert report.alert == bool(drifted_features or label_alert or performance_alert)
    if not drift:
        assert report.prediction.loc[0, "severity"] == "ok"


def test_psi_bin_edges_sit_on_exact_integer_quantile_ranks() -> None:
    # Ten distinct values and ten bins: one value a bin (floats put the 70th percentile one rank
    # too high, ceil(0.7000000000000001 * 10) = 8, merging two bins).
    profile = NumericProfile.from_values(np.arange(10.0), n_bins=10, n_quantiles=101)
    assert profile.edges.tolist() == list(range(9))
    for n in (7, 10, 33, 100):
        values = np.arange(float(n))
        ranks = NumericProfile.from_values(values, n_bins=10, n_quantiles=11).grid
        expected = [values[max(-(-i * n // 10) - 1, 0)] for i in range(11)]
        assert ranks.tolist() == sorted(set(expected))
