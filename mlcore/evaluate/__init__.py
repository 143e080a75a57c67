"""Model evaluation a churn team reads: lift, calibration, baselines, champion vs challenger, profit
and group gaps.

Definitions used throughout (``y`` is 0/1, higher scores mean "more likely positive"):

- *lift* of a group of rows = its positive rate / the overall positive rate (1 = random targeting);
- *gain* (capture rate) of the top rows = their positives / all positives;
- *ties*: rows with equal scores are never split by row order. The lift table keeps each tie block
  in one bin; curves (:func:`gains_curve`, :func:`lift_at`, :func:`profit_curve`) count a tie
  block that straddles a cut pro rata, which is the expectation over random tie-breaking.

Degenerate inputs raise :class:`~mlcore.errors.DataError` (a ``ValueError``) naming the problem:
labels and scores of different lengths, labels other than 0/1, a single class, NaN or infinite
scores, no rows. Invalid options (``n_bins``, ``fraction``, ``strategy``, a metric name, the
bootstrap or profit settings) raise :class:`~mlcore.errors.ConfigError` (also a ``ValueError``).

One private module per concept, all re-exported here: ``_checks`` (input checks), ``_lift`` (lift
and gains), ``_metrics`` (per-scorer metrics and their bootstrap-weighted versions),
``_calibration``, ``_baselines``, ``_compare`` (champion vs challenger: the paired bootstrap on
weighted metrics, which :mod:`mlcore.task` also uses for multiclass and regression), ``_profit``
and ``_fairness``.

Example:
    >>> import numpy as np
    >>> from mlcore.evaluate import classification_metrics
    >>> m = classification_metrics(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]), n_bins=2)
    >>> m["roc_auc"], m["top_bin_lift"]
    (1.0, 2.0)
"""

from mlcore.evaluate._baselines import compare_scorers, heuristic_scores, prior_scores
from mlcore.evaluate._calibration import (
    ECE_BINS,
    ece_by_bins,
    expected_calibration_error,
    miscalibrated_region,
    reliability_table,
)
from mlcore.evaluate._checks import check_scores
from mlcore.evaluate._compare import (
    COMPARE_COLUMNS,
    WeightedMetric,
    bootstrap_weights,
    compare_models,
    paired_bootstrap,
)
from mlcore.evaluate._fairness import fairness_gaps, group_metrics
from mlcore.evaluate._lift import gains_curve, lift_at, lift_table
from mlcore.evaluate._metrics import METRICS, classification_metrics
from mlcore.evaluate._profit import best_cutoff, format_money, profit_curve, profit_rules

__all__ = [
    "COMPARE_COLUMNS",
    "ECE_BINS",
    "METRICS",
    "WeightedMetric",
    "best_cutoff",
    "bootstrap_weights",
    "check_scores",
    "classification_metrics",
    "compare_models",
    "compare_scorers",
    "ece_by_bins",
    "expected_calibration_error",
    "fairness_gaps",
    "format_money",
    "gains_curve",
    "group_metrics",
    "heuristic_scores",
    "lift_at",
    "lift_table",
    "miscalibrated_region",
    "paired_bootstrap",
    "prior_scores",
    "profit_curve",
    "profit_rules",
    "reliability_table",
]
