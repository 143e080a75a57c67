"""The tables a campaign reads: the scored population it targets, and its outcomes checked against
its assignment and joined to it (one row per customer each)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError, DataError
from mlcore.experiment._assign import ARMS, GROUPS

__all__ = ["join_outcomes", "scored_population"]

_ASSIGNED = ("score", "targeted", "group")
_SCORED = ("score", "model_name", "model_version", "run_id")


def scored_population(
    predictions: pd.DataFrame, entity_col: str, date_col: str | None, where: str = "predictions"
) -> pd.DataFrame:
    """One row per customer of a scored batch (``make predict``'s columns), sorted by id.

    A panel (``date_col`` present) keeps each customer's latest snapshot; without dates a
    repeated id is a :class:`DataError`, as are missing columns, no rows and several models.

    Example:
        >>> p = pd.DataFrame({"id": [2, 1, 2], "t": [1, 1, 2], "score": [.1, .2, .3],
        ...                   "model_name": "m", "model_version": "1", "run_id": "r"})
        >>> scored_population(p, "id", "t")["score"].tolist()
        [0.2, 0.3]
    """
    missing = [c for c in (entity_col, *_SCORED) if c not in predictions.columns]
    if missing:
        raise DataError(
            f"{where}: missing column(s) {missing}; give a file of make predict (a binary "
            "model's scores)"
        )
    if predictions.empty:
        raise DataError(f"{where}: no rows")
    if len(predictions[["model_version", "run_id"]].drop_duplicates()) != 1:
        raise DataError(f"{where}: rows of several model versions; score it with one model")
    frame = predictions
    if date_col in frame.columns:  # a panel: the campaign targets each customer's latest row
        frame = frame.sort_values([entity_col, date_col], kind="mergesort")
        frame = frame.drop_duplicates(entity_col, keep="last")
    elif frame[entity_col].duplicated().any():
        raise DataError(
            f"{where}: {entity_col!r} repeats and there is no date column {date_col!r} to keep "
            "each customer's latest score"
        )
    if frame["score"].hasnans:
        raise DataError(f"{where}: {int(frame['score'].isna().sum())} missing score(s)")
    return frame.sort_values(entity_col, kind="mergesort").reset_index(drop=True)


def join_outcomes(
    outcomes: pd.DataFrame,
    assignment: pd.DataFrame,
    *,
    entity_col: str,
    group_col: str = "group",
    outcome_col: str = "churned",
    outcome_kind: str = "churned",
    value_col: str | None = None,
    features: Sequence[str] = (),
    where: str = "the outcomes",
    assignment_where: str = "the assignment",
) -> pd.DataFrame:
    """The outcomes with the assignment's ``score`` and ``targeted`` and a 0/1 ``churned`` column.

    ``assignment`` has ``entity_col``, ``score``, ``targeted`` and ``group`` (what
    :func:`mlcore.campaign.run_assign` writes); ``outcome_kind`` says whether ``outcome_col``
    holds churned (1 = left) or retained (1 = stayed). Every problem is a :class:`DataError`
    naming ``where``: missing columns, repeated customers, customers not in the assignment, an
    unknown group, a group other than the assigned one, no treatment or no control outcomes, an
    outcome other than 0/1.

    Example:
        >>> a = pd.DataFrame({"id": [1, 2], "score": [.9, .8], "targeted": [True, True],
        ...                   "group": ["treatment", "control"]})
        >>> o = pd.DataFrame({"id": [1, 2], "group": ["treatment", "control"], "retained": [1, 0]})
        >>> join_outcomes(o, a, entity_col="id", outcome_col="retained",
        ...               outcome_kind="retained")["churned"].tolist()
        [0, 1]
    """
    if outcome_kind not in ("churned", "retained"):
        raise ConfigError(f"outcome_kind must be 'churned' or 'retained', got {outcome_kind!r}")
    lacking = [c for c in (entity_col, *_ASSIGNED) if c not in assignment.columns]
    if lacking:
        raise DataError(f"{assignment_where}: missing column(s) {lacking}")
    needed = [entity_col, group_col, outcome_col, *([value_col] if value_col else []), *features]
    missing = [c for c in needed if c not in outcomes.columns]
    if missing:
        raise DataError(f"{where}: missing column(s) {missing} (has {list(outcomes.columns)})")
    if outcomes.empty:
        raise DataError(f"{where}: no rows")
    repeated = outcomes[entity_col].duplicated()
    if repeated.any():
        raise DataError(
            f"{where}: {int(repeated.sum())} repeated {entity_col!r} value(s) (first: "
            f"{outcomes.loc[repeated, entity_col].tolist()[0]!r}); give one row per customer"
        )
    known = outcomes[entity_col].isin(assignment[entity_col])
    if not known.all():
        raise DataError(
            f"{where}: {int((~known).sum())} {entity_col!r} value(s) are not in "
            f"{assignment_where} (first: {outcomes.loc[~known, entity_col].head(3).tolist()}; "
            f"dtype {outcomes[entity_col].dtype} here, {assignment[entity_col].dtype} there)"
        )
    labels = outcomes[group_col].astype(str)
    unknown = sorted(set(labels) - set(GROUPS))
    if unknown:
        raise DataError(
            f"{where}: unknown group(s) {unknown} in column {group_col!r}; use {list(GROUPS)}"
        )
    assigned = assignment[[entity_col, *_ASSIGNED]].rename(columns={"group": "_assigned"})
    drop = [
        c for c in ("score", "targeted", "churned") if c in outcomes.columns and c != outcome_col
    ]
    joined = outcomes.drop(columns=drop).merge(assigned, on=entity_col, how="left")
    wrong = joined[group_col].astype(str) != joined["_assigned"]
    if wrong.any():
        columns = (entity_col, group_col, "_assigned")
        first, here, there = (joined.loc[wrong, c].tolist()[0] for c in columns)
        raise DataError(
            f"{where}: {int(wrong.sum())} customer(s) are in another group than in "
            f"{assignment_where} (first: {first!r} is {here!r} here, assigned {there!r})"
        )
    for arm in ARMS:
        if not (labels == arm).any():
            planned = int((assignment["group"] == arm).sum())
            raise DataError(
                f"{where}: no outcomes of the {arm} group ({assignment_where} has {planned} "
                f"{arm} customer(s)); the campaign's effect needs both treatment and control"
            )
    values = joined[outcome_col]
    if values.hasnans or not values.isin([0, 1]).all():
        raise DataError(f"{where}: column {outcome_col!r} must hold only 0 and 1")
    churned = values.to_numpy(dtype=np.int64)
    joined = joined.drop(columns="_assigned")
    return joined.assign(churned=churned if outcome_kind == "churned" else 1 - churned)
