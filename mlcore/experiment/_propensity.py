"""Without a control group: a propensity-score estimate of the effect on the contacted customers.

Weaker evidence than a randomized control group: it is only as good as the assumption that the
``features`` hold everything that drove both the targeting and the churn (no hidden confounder).

A logistic model of *contacted* on the pre-campaign features gives each customer a propensity
``e``. Customers outside the common support are trimmed: ``e`` outside ``[trim, 1 - trim]``, or
beyond the other arm's range of ``e`` (a contacted customer more likely to be contacted than any
left-alone one has no comparable customer). The estimate is refused (:class:`OverlapError`) when
fewer than ``min_kept`` of the contacted remain or the weighted comparison group is worth fewer
than ``min_ess`` customers (its effective sample size). On the kept customers the propensity is refitted and the
left-alone customers are weighted by ``e / (1 - e)`` to look like the contacted ones (inverse
probability weighting for the effect on the treated, normalised). The interval is the sandwich
(M-estimation) interval that accounts for estimating the propensity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlcore._frame import require_columns
from mlcore.errors import ConfigError, DataError
from mlcore.experiment._effect import check_confidence, outcome_values, rate_difference

__all__ = ["OverlapError", "PropensityEffect", "propensity_effect"]

_MIN_TREATED = 10  # contacted customers kept, whatever min_kept says


class OverlapError(DataError):
    """The contacted and the left-alone customers are too different to be compared."""


@dataclass(frozen=True)
class PropensityEffect:
    """The propensity-weighted effect on the contacted (treated minus weighted untreated churn).

    ``naive_*`` is the plain difference of churn rates, contacted minus left alone, for contrast.
    ``overlap`` summarises the propensity of each arm; ``balance`` gives each feature's
    standardized mean difference before and after weighting; ``kept`` marks the rows analysed,
    ``propensity`` is each row's first-fit propensity and ``treated`` its arm (1 = contacted).
    """

    effect: float
    ci_low: float
    ci_high: float
    se: float
    treated_rate: float
    control_rate: float
    n_treated: int
    n_control: int
    trimmed_treated: int
    trimmed_control: int
    ess_control: float
    naive_effect: float
    naive_ci_low: float
    naive_ci_high: float
    confidence: float
    trim: float
    overlap: pd.DataFrame
    balance: pd.DataFrame
    kept: np.ndarray
    propensity: np.ndarray
    treated: np.ndarray


def _expit(eta: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(eta, -30.0, 30.0)))


def _fit_logistic(X: np.ndarray, t: np.ndarray, max_iter: int = 50) -> np.ndarray:
    """Unpenalised logistic regression by Newton's method (the MLE the sandwich needs)."""
    beta = np.zeros(X.shape[1])
    ridge = 1e-9 * np.eye(X.shape[1])  # keeps the Hessian invertible under separation
    for _ in range(max_iter):
        e = _expit(X @ beta)
        hessian = (X * (e * (1 - e))[:, None]).T @ X + ridge
        step = np.linalg.solve(hessian, X.T @ (t - e))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def _design(frame: pd.DataFrame, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Raw feature matrix (median-imputed) and the standardized design with an intercept."""
    raw = []
    for name in features:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column):
            raise DataError(f"propensity: feature {name!r} is not numeric ({column.dtype})")
        values = column.to_numpy(dtype=np.float64)
        raw.append(np.where(np.isnan(values), np.nanmedian(values), values))
    matrix = np.column_stack(raw)
    spread = matrix.std(axis=0)
    constant = [name for name, s in zip(features, spread, strict=True) if not s > 0]
    if constant:
        raise DataError(f"propensity: feature(s) {constant} are constant; leave them out")
    scaled = (matrix - matrix.mean(axis=0)) / spread
    return matrix, np.column_stack([np.ones(len(frame)), scaled])


def _smd(x: np.ndarray, t: np.ndarray, w: np.ndarray, scale: np.ndarray) -> np.ndarray:
    treated = x[t == 1].mean(axis=0)
    control = np.average(x[t == 0], axis=0, weights=w[t == 0])
    return (treated - control) / scale


def _overlap(e: np.ndarray, t: np.ndarray, trim: float) -> pd.DataFrame:
    rows = []
    for arm, name in ((1, "contacted"), (0, "left alone")):
        values = e[t == arm]
        quantiles = np.quantile(values, [0.0, 0.05, 0.5, 0.95, 1.0])
        outside = float(((values < trim) | (values > 1 - trim)).mean())
        rows.append(
            {
                "arm": name,
                "rows": len(values),
                **dict(zip(("min", "p05", "median", "p95", "max"), quantiles, strict=True)),
                "outside": outside,
            }
        )
    return pd.DataFrame(rows)


def _sandwich_se(
    X: np.ndarray, t: np.ndarray, y: np.ndarray, e: np.ndarray, mu1: float, mu0: float
) -> float:
    """Standard error of mu1 - mu0 from the stacked estimating equations (logistic + Hajek ATT)."""
    n, p = X.shape
    w = e / (1 - e)
    psi = np.column_stack([X * (t - e)[:, None], t * (y - mu1), (1 - t) * w * (y - mu0)])
    a = np.zeros((p + 2, p + 2))
    a[:p, :p] = (X * (e * (1 - e))[:, None]).T @ X / n
    a[p, p] = t.mean()
    a[p + 1, :p] = -(((1 - t) * w * (y - mu0))[:, None] * X).mean(axis=0)
    a[p + 1, p + 1] = ((1 - t) * w).mean()
    inverse = np.linalg.inv(a)
    cov = inverse @ (psi.T @ psi / n) @ inverse.T / n
    return float(np.sqrt(max(cov[p, p] + cov[p + 1, p + 1] - 2 * cov[p, p + 1], 0.0)))


def propensity_effect(
    frame: pd.DataFrame,
    features: Sequence[str],
    *,
    treated_col: str = "contacted",
    outcome_col: str = "churned",
    trim: float = 0.05,
    min_kept: float = 0.5,
    min_ess: float = 30.0,
    confidence: float = 0.95,
) -> PropensityEffect:
    """Effect of contact on the contacted, from observational data (see the module docstring).

    ``treated_col`` holds 1 for a contacted customer and 0 for one left alone; ``features`` are
    numeric pre-campaign columns (missing values get the column's median). Raises
    :class:`OverlapError` when the overlap is too poor to say anything.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=4000); t = (rng.random(4000) < 1 / (1 + np.exp(-x))).astype(int)
        >>> y = (rng.random(4000) < 0.2 + 0.1 * (x > 0) - 0.05 * t).astype(int)
        >>> r = propensity_effect(pd.DataFrame({"x": x, "contacted": t, "churned": y}), ["x"])
        >>> bool(r.ci_low < -0.05 < r.ci_high), bool(r.naive_effect > 0)
        (True, True)
    """
    from scipy.stats import norm

    require_columns(frame, what="propensity", treated_col=treated_col, outcome_col=outcome_col)
    check_confidence(confidence, "propensity")
    missing = [name for name in features if name not in frame.columns]
    if not features or missing:
        raise DataError(
            f"propensity: needs pre-campaign feature columns; missing {missing or 'all'}"
        )
    if not 0.0 <= trim < 0.5 or not 0.0 <= min_kept <= 1.0 or min_ess < 2:
        raise ConfigError(
            f"propensity: need 0 <= trim < 0.5, 0 <= min_kept <= 1 and min_ess >= 2, got "
            f"{trim}, {min_kept} and {min_ess}"
        )
    y = outcome_values(frame, outcome_col, "propensity")
    t = outcome_values(frame, treated_col, "propensity (treated)")
    if t.min() == t.max():
        raise DataError(
            f"propensity: {treated_col!r} needs both contacted (1) and left-alone (0) rows"
        )
    raw, X = _design(frame, features)
    e = _expit(X @ _fit_logistic(X, t))
    # Common support: inside the trimming window and within both arms' propensity ranges (a
    # contacted customer above every left-alone one has no comparable customer).
    low = max(trim, e[t == 1].min(), e[t == 0].min())
    high = min(1 - trim, e[t == 1].max(), e[t == 0].max())
    kept = (e >= low) & (e <= high)
    overlap = _overlap(e, t, trim)
    n_treated, kept_treated = int(t.sum()), int((kept & (t == 1)).sum())
    kept_w = e[kept & (t == 0)] / (1 - e[kept & (t == 0)])
    ess = float(kept_w.sum() ** 2 / (kept_w**2).sum()) if len(kept_w) else 0.0
    window = f"propensity in the common support [{low:.3g}, {high:.3g}]"
    if kept_treated < max(min_kept * n_treated, _MIN_TREATED):
        raise OverlapError(
            f"propensity: overlap too poor: only {kept_treated} of {n_treated} contacted customers "
            f"({kept_treated / n_treated:.0%}) have a {window}; the others have no comparable "
            f"left-alone customers (need {min_kept:.0%})"
        )
    if ess < min_ess:
        raise OverlapError(
            f"propensity: overlap too poor: the weighted left-alone customers with a {window} "
            f"are worth {ess:.1f} customers (need {min_ess:g})"
        )
    Xk, tk, yk = X[kept], t[kept], y[kept]
    ek = _expit(Xk @ _fit_logistic(Xk, tk))
    wk = ek / (1 - ek)
    mu1 = float(yk[tk == 1].mean())
    mu0 = float(np.average(yk[tk == 0], weights=wk[tk == 0]))
    se = _sandwich_se(Xk, tk, yk, ek, mu1, mu0)
    half = float(norm.ppf(0.5 + confidence / 2)) * se
    scale = np.sqrt((raw[t == 1].var(axis=0) + raw[t == 0].var(axis=0)) / 2)
    balance = pd.DataFrame(
        {
            "feature": list(features),
            "smd_before": _smd(raw, t, np.ones(len(t)), scale),
            "smd_after": _smd(raw[kept], tk, wk, scale),
        }
    )
    naive = rate_difference(
        n_treated, y[t == 1].mean(), len(t) - n_treated, y[t == 0].mean(), confidence
    )
    return PropensityEffect(
        effect=mu1 - mu0,
        ci_low=mu1 - mu0 - half,
        ci_high=mu1 - mu0 + half,
        se=se,
        treated_rate=mu1,
        control_rate=mu0,
        n_treated=kept_treated,
        n_control=int((kept & (t == 0)).sum()),
        trimmed_treated=n_treated - kept_treated,
        trimmed_control=int(((~kept) & (t == 0)).sum()),
        ess_control=ess,
        naive_effect=float(naive["effect"]),
        naive_ci_low=float(naive["ci_low"]),
        naive_ci_high=float(naive["ci_high"]),
        confidence=confidence,
        trim=trim,
        overlap=overlap,
        balance=balance,
        kept=kept,
        propensity=e,
        treated=t,
    )
