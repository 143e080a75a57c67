"""The synthetic churn data: default output pinned, and each drift knob moves only its target."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.datasets import make_churn, make_churn_batches, make_churn_panel

FEATURE_DRIFTED = ["age", "minutes_used", "payment_method"]


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return make_churn(n_customers=20_000, n_months=6, seed=0)


def test_default_output_is_pinned_for_a_seed() -> None:
    df = make_churn(n_customers=2_000, n_months=6, seed=0)
    assert df.shape == (5239, 14)
    assert int(df["churn"].sum()) == 1223
    assert int(df["logins"].sum()) == 95964
    assert float(df["age"].sum()) == 210773.0
    assert df["plan"].value_counts().to_dict() == {
        "basic": 2006,
        "standard": 1598,
        "premium": 1001,
        "family": 634,
    }
    assert int(pd.util.hash_pandas_object(df, index=True).sum()) == 15806714900916364587


def test_zero_drift_is_the_same_as_no_drift() -> None:
    plain = make_churn(n_customers=1_000, n_months=5, seed=4)
    zero = make_churn(
        n_customers=1_000, n_months=5, seed=4, feature_drift=0, label_drift=0, concept_drift=0
    )
    pd.testing.assert_frame_equal(plain, zero)


def test_feature_drift_moves_only_the_documented_inputs(base: pd.DataFrame) -> None:
    drifted = make_churn(n_customers=20_000, n_months=6, seed=0, feature_drift=1.0)
    untouched = [c for c in base.columns if c not in FEATURE_DRIFTED]
    pd.testing.assert_frame_equal(drifted[untouched], base[untouched])  # labels included
    older = (drifted["age"] - base["age"]).dropna()
    assert older.between(0, 10).all() and older.mean() > 9
    ratio = (drifted["minutes_used"] / base["minutes_used"]).dropna()
    assert np.allclose(ratio[base["minutes_used"] > 10], 2.0, rtol=1e-3)
    card = base["payment_method"].eq("card").mean()
    assert drifted["payment_method"].eq("card").mean() == pytest.approx(card / 2, abs=0.02)


def test_label_drift_is_a_prior_shift(base: pd.DataFrame) -> None:
    up = make_churn(n_customers=20_000, n_months=6, seed=0, label_drift=0.7)
    down = make_churn(n_customers=20_000, n_months=6, seed=0, label_drift=-0.7)
    odds = base["churn"].mean() / (1 - base["churn"].mean())
    up_odds = up["churn"].mean() / (1 - up["churn"].mean())
    assert up_odds / odds == pytest.approx(np.exp(0.7), rel=0.05)
    assert down["churn"].mean() < base["churn"].mean() - 0.05
    # rows are only thinned, never changed: P(X | Y) is the reference one
    key = ["customer_id", "snapshot_month"]
    merged = up.merge(base, on=key, how="left", suffixes=("", "_base"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["logins"] == merged["logins_base"]).all()
    assert (merged["churn"] == merged["churn_base"]).all()


def test_concept_drift_breaks_the_link_between_profile_and_churn(base: pd.DataFrame) -> None:
    drifted = make_churn(n_customers=20_000, n_months=6, seed=0, concept_drift=1.0)

    def contract_gap(df: pd.DataFrame) -> float:
        rates = df.groupby("contract")["churn"].mean()
        return float(rates["monthly"] - rates["annual"])

    assert contract_gap(base) > 0.1  # annual contracts protect in the reference
    assert abs(contract_gap(drifted)) < 0.03  # and no longer do
    assert drifted["churn"].mean() == pytest.approx(base["churn"].mean(), abs=0.02)
    assert drifted["contract"].eq("annual").mean() == pytest.approx(
        base["contract"].eq("annual").mean(), abs=0.03
    )


def test_batches_are_consecutive_periods_and_only_the_batch_drifts() -> None:
    ref, cur = make_churn_batches(2_000, 6, seed=0, feature_drift=1.0)
    pd.testing.assert_frame_equal(ref, make_churn(2_000, 6, seed=0))
    assert ref["snapshot_month"].max() < cur["snapshot_month"].min()
    assert cur["snapshot_month"].min() == pd.Timestamp("2024-07-01")
    assert cur["age"].mean() > ref["age"].mean() + 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feature_drift": -0.1}, "feature_drift"),
        ({"concept_drift": 1.5}, "concept_drift"),
        ({"signal": 0.0}, "signal must be > 0"),
    ],
)
def test_invalid_drift_knobs_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_churn(n_customers=100, n_months=5, seed=0, **kwargs)


def _churn_signals(signal: float) -> tuple[float, float]:
    """A cancelling customer's logins in its last month before cancelling over those of its
    months 3+ before; the cancellation rate of monthly over annual contracts."""
    panel = make_churn_panel(n_customers=20_000, n_months=12, seed=1, signal=signal)
    ahead = panel.groupby("customer_id").cumcount(ascending=False)  # months to the last row
    cancels = panel.groupby("customer_id")["cancelled"].transform("max") == 1
    late = panel.loc[cancels & (ahead == 1), "logins"].mean()
    early = panel.loc[cancels & (ahead >= 3), "logins"].mean()
    rate = cancels.groupby(panel["contract"]).mean()
    return late / early, rate["monthly"] / rate["annual"]


def test_a_stronger_signal_deepens_the_decline_before_cancelling_and_spreads_the_risk() -> None:
    decline, contracts = _churn_signals(1.0)
    strong_decline, strong_contracts = _churn_signals(3.0)
    assert decline == pytest.approx(0.55, abs=0.05)  # the decline of the default panel
    assert strong_decline == pytest.approx(0.55**3, abs=0.05)
    assert strong_contracts > contracts  # the profile explains more of who churns
