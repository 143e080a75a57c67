"""The drift reference of a trained model, built from its training rows and held-out scores.

The pipeline builds it at training time with :func:`reference_profile` and saves it with the run
(:func:`mlcore.monitor.log_reference_profile`); ``make drift`` compares new batches with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mlcore._schema import section
from mlcore.drift._profile import DriftProfile
from mlcore.errors import DataError

# the ``drift.profile`` config section: how the reference is binned
_PROFILE_DEFAULTS = {"n_bins": 10, "n_quantiles": 101, "max_categories": 50, "lift_fraction": 0.1}


def check_profile_settings(settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``drift.profile`` config section merged into its defaults; unknown keys are errors.

    Example:
        >>> check_profile_settings({"n_bins": 5})["n_bins"], check_profile_settings()["n_quantiles"]
        (5, 101)
    """
    return section(settings, "drift.profile", _PROFILE_DEFAULTS)


def reference_profile(
    train_features: pd.DataFrame,
    train_labels: np.ndarray | None,
    holdout_scores: np.ndarray | None,
    holdout_labels: np.ndarray | None,
    config: Mapping[str, Any],
    *,
    score_col: str = "score",
) -> DriftProfile:
    """The drift reference of a trained model: P(X) and P(Y) of the training rows, and the score
    distribution and AUC/lift on held-out rows (in-sample scores and AUC are optimistic: a same-
    distribution batch would look like concept drift).

    ``train_features`` may hold the target, ids and dates: the entity, date, target columns and
    ``features.drop`` are left out of the profile. ``config`` is the (checked) pipeline config;
    ``drift.profile`` sets the bins (see :meth:`DriftProfile.from_frame`). The score is profiled
    as ``score_col``, the column scoring adds (:data:`mlcore.predict.SCORE_COL`). Without labels
    and scores (``None``: a multiclass or regression model) the profile holds the features only.

    Example:
        >>> from mlcore.datasets import make_churn
        >>> df = make_churn(n_customers=300, n_months=5, seed=0)
        >>> cfg = {"data": {"entity_col": "customer_id", "date_col": "snapshot_month",
        ...                 "target": "churn"}, "features": {}, "drift": {}}
        >>> rng = np.random.default_rng(0)
        >>> p = reference_profile(df, df["churn"], rng.random(100), rng.integers(0, 2, 100), cfg)
        >>> "customer_id" in p.features, p.label_col, p.score_col
        (False, 'churn', 'score')
    """
    data = config["data"]
    target = data["target"]
    settings = check_profile_settings((config.get("drift") or {}).get("profile"))
    if score_col in train_features.columns:
        raise DataError(f"reference profile: a feature is named {score_col!r}, the score's name")
    ids = [data["entity_col"], data.get("date_col"), *(config["features"].get("drop") or [])]
    if train_labels is None or holdout_scores is None:
        exclude = [c for c in dict.fromkeys([*ids, target]) if c in train_features.columns]
        return DriftProfile.from_frame(
            train_features,
            exclude=exclude,
            max_categories=settings["max_categories"],
            n_bins=settings["n_bins"],
            n_quantiles=settings["n_quantiles"],
        )
    if len(holdout_scores) != len(holdout_labels):
        raise DataError(
            f"reference profile: {len(holdout_scores)} held-out scores but {len(holdout_labels)} labels"
        )
    exclude = [c for c in dict.fromkeys(ids) if c in train_features.columns and c != target]
    frame = train_features.assign(**{target: np.asarray(train_labels)})
    bins = {k: settings[k] for k in ("n_bins", "n_quantiles")}
    base = DriftProfile.from_frame(
        frame, exclude=exclude, label_col=target, max_categories=settings["max_categories"], **bins
    )
    held = DriftProfile.from_frame(
        pd.DataFrame({target: np.asarray(holdout_labels), score_col: np.asarray(holdout_scores)}),
        features=[],
        label_col=target,
        score_col=score_col,
        lift_fraction=settings["lift_fraction"],
        **bins,
    )
    return replace(
        base,
        score_col=score_col,
        score=held.score,
        performance=held.performance,
        lift_fraction=held.lift_fraction,
    )
