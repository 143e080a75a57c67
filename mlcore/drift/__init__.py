"""Drift monitoring: compare a current batch with a compact profile of the training data.

The reference is summarised once, at training time, by :meth:`DriftProfile.from_frame` into a
small JSON-serialisable object (``to_dict`` / ``from_dict``) that is saved with the model run
(:func:`reference_profile` builds it from a model's training rows and held-out scores):

- numeric columns: the reference CDF on a grid of quantiles (``n_quantiles`` points, duplicates
  merged), stored as exact counts of reference rows ``<=`` and ``<`` each grid value, plus the
  missing count. PSI bins are the ``n_bins`` quantile bins (deciles by default) taken from that
  grid, so a column with repeated values simply gets fewer bins;
- categorical columns (strings, booleans, pandas categoricals, and ``categorical=[...]``): counts
  of the ``max_categories`` most frequent values, of all other values and of missing values;
- optionally the label (positive rate), the model score (profiled like a numeric column) and the
  reference performance (ROC AUC and lift of the top ``lift_fraction`` of scores).

:func:`drift_report` then measures, for a current batch:

- feature drift, P(X): PSI per column (quantile or category bins plus a *missing* bin) with a
  chi-square test on the same bins; for numeric columns also the two-sample Kolmogorov-Smirnov
  statistic. Unseen categories land in the *other* bin, whose reference share is (near) zero;
- prediction drift: the same PSI/KS on the model score;
- label drift, P(Y): the change of the positive rate with a normal-approximation confidence
  interval and a two-proportion z-test;
- concept drift, P(Y|X): ROC AUC and lift of the score on labelled rows (per period with
  ``period_col``) against the training-time values.

**KS from a profile.** Only the reference CDF at the grid values ``g_j`` is known. The statistic
is evaluated exactly at every ``g_j`` and just below it (left limits), which gives a lower bound
``D_grid <= D`` of the exact statistic; the error ``D - D_grid`` is at most the largest reference
share lying strictly between two neighbouring grid values (:attr:`NumericProfile.ks_resolution`,
about ``1 / (n_quantiles - 1)`` for continuous data, and 0 when every distinct reference value
is on the grid, e.g. when each holds more than ``1 / (n_quantiles - 1)`` of the rows). The
p-value is the one of ``scipy.stats.ks_2samp(method="asymp")`` (the Kolmogorov distribution
for the effective size ``n = n_ref * n_cur / (n_ref + n_cur)``) up to ``n = 10,000``, and its
limit ``kstwobign`` beyond: within 0.003 of it, and milliseconds instead of up to a second
per column for mid-range statistics at a million rows.

**PSI** is ``sum((c - r) * ln(c / r))`` over bins, with the reference share ``r`` and current
share ``c`` of each bin floored at ``PSI_EPSILON`` (1e-4) so empty bins stay finite.

Thresholds (a plain mapping, e.g. the ``drift`` group of a Hydra config; missing keys take
:data:`DEFAULT_THRESHOLDS`, unknown keys are an error). A level set to ``null`` is disabled:

=====================  =============================  ========================================
key                    default                        meaning
=====================  =============================  ========================================
``psi``                ``{warning: 0.1, error: 0.25}`` PSI of a feature or of the score
``ks``                 ``{warning: 0.1, error: 0.2}``  KS statistic (largest CDF gap, 0..1)
``ks_pvalue``          ``0.01``                        a KS level counts only if p < this
``chi2_pvalue``        ``0.01``                        a PSI level counts only if the
                                                       chi-square p-value on its bins is < this
``label_rate_diff``    ``{warning: 0.02, error: 0.05}`` absolute change of the positive rate;
                                                       counts only if its interval excludes 0
``auc_drop``           ``{warning: 0.02, error: 0.05}`` reference AUC minus current AUC; counts
                                                       only if larger than z * its standard error
                                                       (of both AUCs when the reference has one;
                                                       z Bonferroni-corrected over the periods)
``confidence``         ``0.95``                        level of those intervals
``min_rows``           ``100``                         fewer rows: severity ``skipped``
=====================  =============================  ========================================

The significance gates keep tiny batches from raising noisy alarms, while the effect-size levels
keep huge batches from alarming on shifts too small to matter. Each row of the report gets a
``severity`` (``ok``, ``warning``, ``error``, ``skipped``) and a ``reason``; a column of the
profile missing from the batch, or holding the wrong kind of values, is an ``error``.
:attr:`DriftReport.alert` is True when any row has severity ``error``. The figures of a report
are drawn by :func:`mlcore.plots.drift_figures`.

Example:
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(0, 1, 5_000)})
    >>> profile = DriftProfile.from_frame(ref)
    >>> report = drift_report(profile, pd.DataFrame({"x": rng.normal(1, 1, 5_000)}))
    >>> report.alert, report.features.loc[0, "severity"]
    (True, 'error')
"""

from mlcore.drift._profile import (
    FORMAT,
    CategoricalProfile,
    DriftProfile,
    LabelProfile,
    NumericProfile,
)
from mlcore.drift._reference import check_profile_settings, reference_profile
from mlcore.drift._report import (
    FEATURE_COLUMNS,
    LABEL_COLUMNS,
    PERFORMANCE_COLUMNS,
    DriftReport,
    drift_report,
)
from mlcore.drift._stats import (
    DEFAULT_THRESHOLDS,
    PSI_EPSILON,
    check_thresholds,
    ks_from_profile,
    psi,
)

__all__ = [
    "DEFAULT_THRESHOLDS",
    "FEATURE_COLUMNS",
    "FORMAT",
    "LABEL_COLUMNS",
    "PERFORMANCE_COLUMNS",
    "PSI_EPSILON",
    "CategoricalProfile",
    "DriftProfile",
    "DriftReport",
    "LabelProfile",
    "NumericProfile",
    "check_profile_settings",
    "check_thresholds",
    "drift_report",
    "ks_from_profile",
    "psi",
    "reference_profile",
]
