"""Explanations: global permutation importance and local per-row contributions.

Global: how much the validation score drops when one input column is shuffled (model-agnostic,
on the raw input columns of the whole pipeline). Local: LightGBM's native ``pred_contrib``
(TreeSHAP, no extra dependency) for each row, named with the preprocessor's
``get_feature_names_out()`` and optionally summed back to the input columns, so a one-hot
``cat__plan_basic`` and a ``num__missingindicator_age`` read as ``plan`` and ``age``.
Both are correlation, not causation: a feature that moves a score is not a lever that moves churn.

Example:
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlcore.explain import permutation_importance_table
    >>> X = pd.DataFrame({"signal": np.arange(40.0), "noise": np.zeros(40)})
    >>> model = LogisticRegression().fit(X, np.arange(40) >= 20)
    >>> permutation_importance_table(model, X, np.arange(40) >= 20)["feature"].iloc[0]
    'signal'
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.inspection import permutation_importance
from sklearn.pipeline import Pipeline

__all__ = [
    "input_columns",
    "local_contributions",
    "permutation_importance_table",
    "reason_codes",
    "top_contributions",
]


def permutation_importance_table(
    model: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    scoring: str = "roc_auc",
    n_repeats: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Permutation importance of each input column on (validation) data, most important first.

    Columns: ``feature``, ``importance_mean`` and ``importance_std`` (drop in ``scoring`` over
    ``n_repeats`` shuffles, seeded by ``seed``). For a ``Pipeline`` ending in a
    ``ColumnTransformer`` (as :mod:`mlcore.features` builds) and an estimator, the preprocessing
    runs once and each input column's output features are shuffled together: the same as
    shuffling the input column, because the fitted preprocessing transforms each row on its own,
    at the cost of the estimator alone. Steps before the ColumnTransformer (a project's
    ``features.extra``) run on each shuffled frame; only when they derive a new value from the
    shuffled column is the ColumnTransformer run again. Other models go through sklearn's
    ``permutation_importance``. Columns such a pipeline never reads (an id or date column its
    preprocessing drops) are left out.

    Example:
        >>> from sklearn.dummy import DummyClassifier
        >>> X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]})
        >>> t = permutation_importance_table(DummyClassifier().fit(X, [0, 0, 1, 1]), X, [0, 0, 1, 1])
        >>> t["importance_mean"].tolist()
        [0.0]
    """
    traced = _traced(model, X)
    if traced is None:
        result = permutation_importance(
            model, X, y, scoring=scoring, n_repeats=n_repeats, random_state=seed
        )
        drops, read = result.importances, None
    else:
        drops, read = _shuffled_drops(model, traced, X, y, scoring, n_repeats, seed)
    table = pd.DataFrame(
        {
            "feature": list(X.columns),
            "importance_mean": drops.mean(axis=1),
            "importance_std": drops.std(axis=1),
        }
    )
    if read is not None:
        table = table[read]
    return table.sort_values("importance_mean", ascending=False, kind="stable").reset_index(
        drop=True
    )


def _traced(model: Any, X: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]] | None:
    """The input of ``model``'s ColumnTransformer for ``X`` and, for each of its columns, the
    output columns it feeds.

    None unless ``model`` is a fitted Pipeline ending in a (ColumnTransformer, estimator) pair,
    whose earlier steps return a frame, and whose every output feature comes from one column.
    """
    if not (
        isinstance(model, Pipeline)
        and len(model) >= 2
        and isinstance(model[-2], ColumnTransformer)
        and hasattr(model[-2], "transformers_")
    ):
        return None
    try:
        sources = np.array(list(input_columns(model[-2]).values()), dtype=object)
    except (AttributeError, NotImplementedError):  # a branch without get_feature_names_out
        return None
    inputs = model[:-2].transform(X) if len(model) > 2 else X
    if not isinstance(inputs, pd.DataFrame):
        return None
    columns = [str(c) for c in inputs.columns]
    if not set(sources) <= set(columns):
        return None
    return inputs, {column: np.flatnonzero(sources == column) for column in columns}


def _shuffled_drops(
    model: Pipeline,
    traced: tuple[pd.DataFrame, dict[str, np.ndarray]],
    X: pd.DataFrame,
    y: np.ndarray,
    scoring: str,
    n_repeats: int,
    seed: int,
) -> tuple[np.ndarray, list[bool]]:
    """Score drops (columns x repeats) when each column of ``X`` is shuffled, and whether each
    column reaches the estimator at all."""
    from sklearn.metrics import check_scoring

    inputs, groups = traced
    transformed = _matrix(model[-2], inputs)
    estimator = model[-1]
    scorer = check_scoring(estimator, scoring=scoring)
    baseline = scorer(estimator, transformed, y)
    rng = np.random.default_rng(seed)
    drops = np.zeros((X.shape[1], n_repeats))
    read = [False] * X.shape[1]
    shuffled = transformed.copy()
    for i, column in enumerate(X.columns):
        group = groups.get(str(column), np.array([], dtype=int))
        for r in range(n_repeats):
            rows = rng.permutation(len(X))
            matrix = _shuffled_matrix(model, inputs, X, column, rows)
            if matrix is None:  # only the column itself moved: shuffle its output features
                if not group.size:  # a column the preprocessing drops: it cannot matter
                    continue
                shuffled[:, group] = transformed[np.ix_(rows, group)]
                matrix = shuffled
            read[i] = True
            drops[i, r] = baseline - scorer(estimator, matrix, y)
        shuffled[:, group] = transformed[:, group]
    return drops, read


def _shuffled_matrix(
    model: Pipeline, inputs: pd.DataFrame, X: pd.DataFrame, column: Any, rows: np.ndarray
) -> np.ndarray | None:
    """The estimator's input with ``X[column]`` shuffled by ``rows``, when the steps before the
    ColumnTransformer derive something new from it; None when its shuffle reaches the
    ColumnTransformer as that same shuffle of one of its columns, or not at all."""
    if len(model) == 2:
        return None
    frame = X.copy(deep=False)  # the other columns shared: only the shuffled one is set anew
    values = X[column].iloc[rows]
    values.index = X.index  # the shuffled values in place, as sklearn shuffles a column
    frame[column] = values
    moved = model[:-2].transform(frame)
    changed = [c for c in inputs.columns if not moved[c].equals(inputs[c])]
    if not changed:
        return None
    if changed == [column]:
        permuted = inputs[column].iloc[rows].reset_index(drop=True)
        if moved[column].reset_index(drop=True).equals(permuted):
            return None
    return _matrix(model[-2], moved)


def _matrix(preprocessor: ColumnTransformer, frame: pd.DataFrame) -> np.ndarray:
    transformed = preprocessor.transform(frame)
    return transformed.to_numpy() if hasattr(transformed, "to_numpy") else transformed


def input_columns(preprocessor: ColumnTransformer | Pipeline) -> dict[str, str]:
    """Map each output feature of a fitted preprocessor to the input column it comes from.

    Within each ColumnTransformer branch, an output name (``<branch>__<name>``) belongs to the
    longest input column ``c`` of that branch with ``name == c``, ``name`` starting with
    ``c_`` (one-hot, date parts) or ending with ``_c`` (missing indicators). Unmatched names map to
    themselves.

    Example:
        >>> from mlcore.features import build_preprocessor
        >>> df = pd.DataFrame({"age": [30.0, None], "plan": ["a", "b"]})
        >>> sorted(set(input_columns(build_preprocessor(df, {}).fit(df)).values()))
        ['age', 'plan']
    """
    ct = _column_transformer(preprocessor)
    names = ct.get_feature_names_out()
    mapping: dict[str, str] = {}
    for branch, _, columns in ct.transformers_:
        if branch not in ct.output_indices_:
            continue
        candidates = sorted((str(c) for c in np.atleast_1d(columns)), key=len, reverse=True)
        for feature in names[ct.output_indices_[branch]]:
            name = feature.removeprefix(f"{branch}__")
            mapping[feature] = next(
                (
                    c
                    for c in candidates
                    if name == c or name.startswith(f"{c}_") or name.endswith(f"_{c}")
                ),
                feature,
            )
    return mapping


def _column_transformer(preprocessor: ColumnTransformer | Pipeline) -> ColumnTransformer:
    if isinstance(preprocessor, ColumnTransformer):
        return preprocessor
    if isinstance(preprocessor, Pipeline):
        found = [s for _, s in preprocessor.steps if isinstance(s, ColumnTransformer)]
        if len(found) == 1:
            return found[0]
    raise TypeError(
        f"explain: expected a ColumnTransformer (or a Pipeline holding one), got "
        f"{type(preprocessor).__name__}"
    )


def local_contributions(
    pipeline: Pipeline, X: pd.DataFrame, by_input: bool = False
) -> pd.DataFrame:
    """Per-row contributions of each feature to a LightGBM pipeline's raw score (log-odds).

    ``pipeline`` is a fitted ``Pipeline`` whose last step is a LightGBM model and whose earlier
    steps transform ``X`` (e.g. the :func:`mlcore.features.build_preprocessor` output). Columns
    are the preprocessor's output names plus ``bias`` (the expected raw score); each row sums to
    the row's raw score. ``by_input=True`` sums the columns per input column (see
    :func:`input_columns`), in the column order of ``X``. The index is ``X``'s.

    Example:
        >>> from lightgbm import LGBMClassifier
        >>> from mlcore.features import build_preprocessor
        >>> X = pd.DataFrame({"x": np.arange(60.0), "plan": ["a", "b", "c"] * 20})
        >>> pipe = Pipeline([("pre", build_preprocessor(X, {})),
        ...                  ("model", LGBMClassifier(n_estimators=5, min_child_samples=5, n_jobs=1, verbose=-1))])
        >>> c = local_contributions(pipe.fit(X, np.arange(60) >= 30), X, by_input=True)
        >>> c.columns.tolist()
        ['x', 'plan', 'bias']
    """
    if not isinstance(pipeline, Pipeline) or len(pipeline) < 2:
        raise TypeError(
            "local_contributions: expected a Pipeline of preprocessing + LightGBM model"
        )
    booster = getattr(pipeline[-1], "booster_", None)
    if booster is None or not hasattr(booster, "predict"):
        raise TypeError(
            f"local_contributions: the last step must be a fitted LightGBM model, got "
            f"{type(pipeline[-1]).__name__}"
        )
    preprocessor = pipeline[:-1]
    transformed = preprocessor.transform(X)
    names = [str(n) for n in preprocessor.get_feature_names_out()]
    values = booster.predict(np.asarray(transformed, dtype=np.float64), pred_contrib=True)
    contributions = pd.DataFrame(values, columns=[*names, "bias"], index=X.index)
    if not by_input:
        return contributions
    mapping = input_columns(preprocessor)
    summed = contributions.T.groupby([mapping[n] for n in names] + ["bias"], sort=False).sum().T
    first = [str(c) for c in X.columns if str(c) in summed.columns]  # in the order of X
    return summed[first + [c for c in summed.columns if c not in first]]


def top_contributions(contributions: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The ``k`` features pushing each row's score up the most ("why is this customer at risk?").

    Long format, one line per row and rank: ``row`` (the index label), ``rank`` (1 = strongest),
    ``feature``, ``contribution``. Only positive contributions are listed; ``bias`` is ignored.

    Example:
        >>> c = pd.DataFrame({"a": [0.5, -0.1], "b": [0.2, 0.3], "bias": [-1.0, -1.0]})
        >>> top_contributions(c, k=1)["feature"].tolist()
        ['a', 'b']
    """
    features = contributions.drop(columns="bias", errors="ignore")
    values = features.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    rows = np.repeat(np.arange(len(features)), order.shape[1])
    cols = order.ravel()
    table = pd.DataFrame(
        {
            "row": features.index.to_numpy()[rows],
            "rank": np.tile(np.arange(1, order.shape[1] + 1), len(features)),
            "feature": features.columns.to_numpy()[cols],
            "contribution": values[rows, cols],
        }
    )
    return table[table["contribution"] > 0].reset_index(drop=True)


def reason_codes(pipeline: Pipeline, X: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """Wide reason codes for scoring files: ``reason_<i>`` (the input column pushing the row's
    score up the ``i``-th most) and ``reason_<i>_contribution`` (its log-odds), ``i`` = 1..k.

    From :func:`local_contributions` by input column (LightGBM pipelines; ``TypeError`` for
    others); a row with fewer than ``k`` positive contributions has empty trailing reasons.

    Example:
        >>> c = pd.DataFrame({"a": [0.5, -0.1], "b": [0.2, 0.3], "bias": [-1.0, -1.0]})
        >>> _wide(c, 2)["reason_1"].tolist(), _wide(c, 2)["reason_2"].tolist()
        (['a', 'b'], ['b', nan])
    """
    return _wide(local_contributions(pipeline, X, by_input=True), k)


def _wide(contributions: pd.DataFrame, k: int) -> pd.DataFrame:
    features = contributions.drop(columns="bias", errors="ignore")
    values = features.to_numpy(dtype=np.float64)
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(values, order, axis=1)
    names = features.columns.to_numpy(dtype=object)[order]
    out = {}
    for i in range(order.shape[1]):
        positive = picked[:, i] > 0
        out[f"reason_{i + 1}"] = np.where(positive, names[:, i], None)
        out[f"reason_{i + 1}_contribution"] = np.where(positive, picked[:, i], np.nan)
    return pd.DataFrame(out, index=contributions.index)
