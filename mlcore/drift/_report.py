"""The drift report: one row per feature, score, label and period, and the tables together.

The row builders compare a batch with a :class:`~mlcore.drift.DriftProfile` and grade each row with
the thresholds (see :mod:`mlcore.drift`); :func:`drift_report` runs them all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mlcore.drift._profile import DriftProfile, FeatureProfile, LabelProfile, NumericProfile
from mlcore.drift._stats import (
    _as_float,
    _auc_standard_error,
    _categorical_batch,
    _chi2_pvalue,
    _labels,
    _level,
    _numeric_batch,
    _performance,
    _worst,
    _z,
    check_thresholds,
    psi,
)
from mlcore.errors import DataError

FEATURE_COLUMNS = [
    "feature",
    "kind",
    "n_reference",
    "n_current",
    "missing_reference",
    "missing_current",
    "psi",
    "chi2_pvalue",
    "ks",
    "ks_pvalue",
    "unseen",
    "severity",
    "reason",
]
LABEL_COLUMNS = [
    "label",
    "n_reference",
    "rate_reference",
    "n_current",
    "rate_current",
    "diff",
    "ci_low",
    "ci_high",
    "pvalue",
    "severity",
    "reason",
]
PERFORMANCE_COLUMNS = [
    "period",
    "n",
    "positive_rate",
    "auc",
    "auc_reference",
    "auc_drop",
    "auc_se",
    "lift",
    "lift_reference",
    "severity",
    "reason",
]


def _distribution_row(
    name: str,
    profile: FeatureProfile,
    current: pd.DataFrame,
    limits: Mapping[str, Any],
    distributions: dict[str, pd.DataFrame],
) -> dict[str, Any]:
    """One table row (and the binned distributions) for a column of the profile."""
    row: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS, math.nan)
    row.update(feature=name, kind=profile.kind, n_reference=profile.n, n_current=len(current))
    row["missing_reference"] = profile.n_missing / profile.n if profile.n else math.nan
    if name not in current.columns:
        return row | {"severity": "error", "reason": "column missing from the current batch"}
    series = current[name]
    row["missing_current"] = float(series.isna().mean()) if len(series) else math.nan
    notes = []
    if isinstance(profile, NumericProfile):
        try:
            values = _as_float(series, f"column {name!r}")
        except DataError as exc:
            return row | {"severity": "error", "reason": str(exc)}
        row["ks"], row["ks_pvalue"], counts = _numeric_batch(profile, values)
    else:
        counts, row["unseen"], examples = _categorical_batch(profile, series)
        if examples and profile.n_other == 0:  # else they may be rare reference values
            notes.append(f"unseen values, e.g. {examples}")
    reference = profile.bin_counts()
    row["psi"] = psi(reference, counts)
    row["chi2_pvalue"] = _chi2_pvalue(reference, counts)
    distributions[name] = pd.DataFrame(
        {
            "bin": profile.bin_labels(),
            "reference": reference / max(reference.sum(), 1),
            "current": counts / max(counts.sum(), 1),
        }
    )
    if len(current) < limits["min_rows"]:
        reason = f"{len(current)} rows < min_rows {limits['min_rows']}"
        return row | {"severity": "skipped", "reason": "; ".join([reason, *notes])}
    checks = [("psi", row["psi"], row["chi2_pvalue"], limits["chi2_pvalue"])]
    if isinstance(profile, NumericProfile):
        checks.append(("ks", row["ks"], row["ks_pvalue"], limits["ks_pvalue"]))
    severities = []
    for key, value, pvalue, alpha in checks:
        level = _level(value, limits[key])
        if level != "ok" and not pvalue < alpha:
            notes.append(f"{key} {value:.3g} not significant (p={pvalue:.2g})")
            level = "ok"
        elif level != "ok":
            notes.append(f"{key} {value:.3g} >= {limits[key][level]} ({level})")
        severities.append(level)
    return row | {"severity": _worst(severities), "reason": "; ".join(notes)}


def _label_row(
    name: str, ref: LabelProfile, current: pd.DataFrame, limits: Mapping[str, Any]
) -> dict[str, Any]:
    """Positive-rate change with a Wald interval and a pooled two-proportion z-test."""
    y = _labels(current[name], f"drift batch, column {name!r}")
    n, positives = len(y), int(y.sum())
    row: dict[str, Any] = dict.fromkeys(LABEL_COLUMNS, math.nan)
    row.update(label=name, n_reference=ref.n, rate_reference=ref.rate, n_current=n)
    if n < limits["min_rows"] or ref.n == 0:
        return row | {"severity": "skipped", "reason": f"{n} labelled rows < min_rows"}
    rate = positives / n
    diff = rate - ref.rate
    se = math.sqrt(ref.rate * (1 - ref.rate) / ref.n + rate * (1 - rate) / n)
    pooled = (ref.positives + positives) / (ref.n + n)
    pooled_se = math.sqrt(pooled * (1 - pooled) * (1 / ref.n + 1 / n))
    half = _z(limits["confidence"]) * se
    row.update(
        rate_current=rate,
        diff=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        pvalue=float(2 * stats.norm.sf(abs(diff) / pooled_se)) if pooled_se > 0 else 1.0,
    )
    level = _level(abs(diff), limits["label_rate_diff"])
    if level == "ok":
        return row | {"severity": "ok", "reason": ""}
    if row["ci_low"] <= 0 <= row["ci_high"]:
        return row | {"severity": "ok", "reason": f"diff {diff:+.3g} not significant"}
    bound = limits["label_rate_diff"][level]
    return row | {"severity": level, "reason": f"|diff| {abs(diff):.3g} >= {bound} ({level})"}


def _performance_rows(
    labelled: pd.DataFrame,
    label_col: str,
    score_col: str,
    period_col: str | None,
    reference: Mapping[str, float],
    fraction: float,
    limits: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """AUC and lift per period of the labelled rows, against the reference values.

    ``auc_se`` is the standard error of ``auc_drop``: of the batch's AUC and, when the reference
    has one (``auc_se``), of the reference AUC too (a small held-out set is noisy as well). A drop
    counts when it exceeds ``z * auc_se`` with ``z`` at ``confidence`` Bonferroni-corrected for
    the number of periods.
    """
    groups = list(labelled.groupby(period_col, sort=True)) if period_col else [("all", labelled)]
    auc_ref = reference.get("auc", math.nan)
    lift_ref = reference.get("lift", math.nan)
    ref_se = reference.get("auc_se", 0.0)
    ref_se = ref_se if ref_se is not None and np.isfinite(ref_se) else 0.0
    # Bonferroni over the periods: twelve months must not alarm by chance more often than one
    z = _z(1 - (1 - limits["confidence"]) / max(len(groups), 1))
    rows = []
    for period, part in groups:
        y = _labels(part[label_col], f"drift batch, column {label_col!r}")
        scores = _as_float(part[score_col], f"drift batch, score column {score_col!r}")
        auc, lift = _performance(y, scores, fraction)
        se = math.hypot(_auc_standard_error(auc, int(y.sum()), int(len(y) - y.sum())), ref_se)
        row = {
            "period": period,
            "n": len(y),
            "positive_rate": float(y.mean()) if len(y) else math.nan,
            "auc": auc,
            "auc_reference": auc_ref,
            "auc_drop": auc_ref - auc,
            "auc_se": se,
            "lift": lift,
            "lift_reference": lift_ref,
        }
        level = _level(row["auc_drop"], limits["auc_drop"])
        if len(y) < limits["min_rows"]:
            row |= {"severity": "skipped", "reason": f"{len(y)} labelled rows < min_rows"}
        elif not np.isfinite(auc):
            row |= {"severity": "skipped", "reason": "a single class: AUC undefined"}
        elif level == "ok":
            row |= {"severity": "ok", "reason": ""}
        elif row["auc_drop"] <= z * se:
            row |= {"severity": "ok", "reason": f"AUC drop {row['auc_drop']:.3g} within noise"}
        else:
            bound = limits["auc_drop"][level]
            row |= {"severity": level, "reason": f"AUC drop {row['auc_drop']:.3g} >= {bound}"}
        rows.append(row)
    return rows


@dataclass(frozen=True)
class DriftReport:
    """Tables of a drift check, the binned distributions behind them and the thresholds used.

    ``features`` (sorted by PSI) and ``prediction`` have :data:`FEATURE_COLUMNS`, ``label`` has
    :data:`LABEL_COLUMNS`, ``performance`` has :data:`PERFORMANCE_COLUMNS`; a table is empty
    when its check did not apply (no label or score in the profile or the batch). ``missing_*``
    are shares of missing values; ``unseen`` is the share of a categorical column's values
    outside the profiled categories (rare reference values too when the column had more than
    ``max_categories``). ``distributions`` holds, per column, the reference and current share
    of each PSI bin; :func:`mlcore.plots.drift_figures` draws them.

    Example:
        >>> frame = pd.DataFrame({"x": np.arange(200.0)})
        >>> drift_report(DriftProfile.from_frame(frame), frame).alert
        False
    """

    features: pd.DataFrame
    prediction: pd.DataFrame
    label: pd.DataFrame
    performance: pd.DataFrame
    distributions: dict[str, pd.DataFrame]
    thresholds: dict[str, Any]
    n_rows: int

    def tables(self) -> dict[str, pd.DataFrame]:
        """The four tables by name."""
        return {
            "features": self.features,
            "prediction": self.prediction,
            "label": self.label,
            "performance": self.performance,
        }

    @property
    def alert(self) -> bool:
        """True when any check has severity ``error``."""
        return any((t["severity"] == "error").any() for t in self.tables().values() if len(t))

    def summary(self) -> dict[str, Any]:
        """Flat numbers for logging (e.g. as MLflow metrics) plus the drifted feature names."""
        features = self.features
        drifted = features.loc[features["severity"].isin(["warning", "error"]), "feature"]
        out: dict[str, Any] = {
            "alert": self.alert,
            "n_rows": self.n_rows,
            "features_error": int((features["severity"] == "error").sum()),
            "features_warning": int((features["severity"] == "warning").sum()),
            "max_psi": float(features["psi"].max()) if len(features) else math.nan,
            "drifted_features": drifted.tolist(),
        }
        for name, table in (
            ("prediction", self.prediction),
            ("label", self.label),
            ("concept", self.performance),
        ):
            if len(table):
                for level in ("error", "warning"):
                    out[f"{name}_{level}"] = int((table["severity"] == level).sum())
        if len(self.prediction):
            out["prediction_psi"] = float(self.prediction["psi"].iloc[0])
        if len(self.label):
            out["label_rate_diff"] = float(self.label["diff"].iloc[0])
        if len(self.performance):
            out["min_auc"] = float(self.performance["auc"].min())
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: summary, thresholds and every table as records (NaN as null)."""
        summary = {
            k: None if isinstance(v, float) and math.isnan(v) else v
            for k, v in self.summary().items()
        }
        tables = {
            k: json.loads(t.to_json(orient="records", date_format="iso"))
            for k, t in self.tables().items()
        }
        return {"summary": summary, "thresholds": self.thresholds, **tables}


def drift_report(
    profile: DriftProfile,
    current: pd.DataFrame,
    *,
    thresholds: Mapping[str, Any] | None = None,
    period_col: str | None = None,
) -> DriftReport:
    """Compare ``current`` with ``profile``: features, score, label and performance.

    The score, label and performance checks run when the profile has them and ``current`` has
    the column (an unlabelled batch simply gets no label or performance rows).
    ``period_col`` splits the performance check by period (e.g. the snapshot month).

    Example:
        >>> ref = pd.DataFrame({"c": ["a", "b"] * 100})
        >>> rep = drift_report(DriftProfile.from_frame(ref), pd.DataFrame({"c": ["a", "z"] * 100}))
        >>> rep.features.loc[0, "severity"], float(rep.features.loc[0, "unseen"])
        ('error', 0.5)
    """
    limits = check_thresholds(thresholds)
    if period_col is not None and period_col not in current.columns:
        raise DataError(f"drift report: period column {period_col!r} not in the current batch")
    distributions: dict[str, pd.DataFrame] = {}
    features = [
        _distribution_row(name, p, current, limits, distributions)
        for name, p in profile.features.items()
    ]
    prediction = []
    if profile.score is not None and profile.score_col in current.columns:
        prediction.append(
            _distribution_row(profile.score_col, profile.score, current, limits, distributions)
        )
    label = []
    if profile.label is not None and profile.label_col in current.columns:
        label.append(_label_row(profile.label_col, profile.label, current, limits))
    performance = []
    label_col, score_col = profile.label_col, profile.score_col
    if (
        profile.performance is not None
        and label_col in current.columns
        and score_col in current.columns
    ):
        keep = [label_col, score_col, *([period_col] if period_col else [])]
        performance = _performance_rows(
            current[keep].dropna(),
            label_col,
            score_col,
            period_col,
            profile.performance,
            profile.lift_fraction,
            limits,
        )
    feature_table = pd.DataFrame(features, columns=FEATURE_COLUMNS)
    return DriftReport(
        features=feature_table.sort_values("psi", ascending=False, kind="stable").reset_index(
            drop=True
        ),
        prediction=pd.DataFrame(prediction, columns=FEATURE_COLUMNS),
        label=pd.DataFrame(label, columns=LABEL_COLUMNS),
        performance=pd.DataFrame(performance, columns=PERFORMANCE_COLUMNS),
        distributions=distributions,
        thresholds=limits,
        n_rows=len(current),
    )
