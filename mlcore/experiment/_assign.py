"""Who is in the campaign: the targeted population, and its stable treatment / control / random groups."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mlcore.errors import ConfigError, DataError
from mlcore.split import Ids, check_fractions, hash_codes

__all__ = [
    "ARMS",
    "DEFAULT_SALT",
    "GROUPS",
    "SELECTIONS",
    "assign_groups",
    "contacted",
    "plan_campaign",
    "select_targets",
]

ARMS = ("treatment", "control")
GROUPS = ("treatment", "control", "random", "others")
DEFAULT_SALT = "campaign"
SELECTIONS = ("top_k", "threshold", "fraction")
_DEFAULT_ARMS: Mapping[str, float] = {"treatment": 0.8, "control": 0.2}
# Hash codes: 0 = random, 1 = treatment, 2 = control; 3 = others (untargeted, not random).
_CODE_LABELS = np.asarray(["random", "treatment", "control", "others"], dtype=object)


def assign_groups(
    ids: Ids,
    fractions: Mapping[str, float] = _DEFAULT_ARMS,
    *,
    targeted: np.ndarray | pd.Series | None = None,
    random_fraction: float = 0.0,
    salt: str = DEFAULT_SALT,
) -> np.ndarray:
    """Stable campaign group of each id: ``treatment``, ``control``, ``random`` or ``others``.

    ``targeted`` (a boolean mask; default: everyone) marks the population the campaign selects;
    ``fractions`` split it into treatment and control, after ``random_fraction`` of the whole
    population is set aside as the random group.

    Example:
        >>> assign_groups(["a", "b"], {"treatment": 1.0}).tolist()
        ['treatment', 'treatment']
    """
    arms = check_fractions(fractions, ARMS, what="campaign fractions")
    if isinstance(random_fraction, bool) or not 0.0 <= random_fraction < 1.0:
        raise ConfigError(f"campaign random_fraction must be in [0, 1), got {random_fraction!r}")
    rest = 1.0 - random_fraction
    codes = hash_codes(ids, [random_fraction, rest * arms[0], rest * arms[1]], salt)
    if targeted is not None:
        mask = np.asarray(targeted)
        if mask.dtype != bool or mask.shape != codes.shape:
            raise DataError(
                f"assign_groups: targeted must be a boolean mask of {len(codes)} values, "
                f"got dtype {mask.dtype} and shape {mask.shape}"
            )
        codes[~mask & (codes != 0)] = 3
    return _CODE_LABELS.take(codes)


def contacted(groups: np.ndarray | pd.Series) -> np.ndarray:
    """1 for the groups the campaign contacts (``treatment`` and ``random``), else 0.

    Example:
        >>> contacted(np.array(["treatment", "control", "random", "others"])).tolist()
        [1, 0, 1, 0]
    """
    return np.isin(np.asarray(groups, dtype=object), ["treatment", "random"]).astype(np.int64)


def select_targets(scores: np.ndarray | pd.Series, kind: str, value: float) -> np.ndarray:
    """Boolean mask of the customers a campaign targets, by their churn ``scores``.

    ``kind`` is ``top_k`` (the ``value`` highest scores; all of them when fewer), ``threshold``
    (scores >= ``value``) or ``fraction`` (the top ``round(value * n)`` scores, at least one, for
    ``value`` in (0, 1]; e.g. the profit-optimal fraction of the champion's evaluation). Equal
    scores at a top-k cutoff are taken in row order, so sort the rows (by entity id) first for a
    result that does not depend on the file's order.

    Example:
        >>> select_targets(np.array([0.2, 0.9, 0.5, 0.9]), "top_k", 2).tolist()
        [False, True, False, True]
        >>> select_targets(np.array([0.2, 0.9, 0.5]), "fraction", 0.5).tolist()
        [False, True, True]
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.ndim != 1 or not np.isfinite(values).all():
        raise DataError("select_targets: scores must be a 1-d array of finite numbers")
    n = len(values)
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise ConfigError(f"campaign selection {kind}: value must be a number, got {value!r}")
    if kind == "threshold":
        return values >= value
    if kind == "top_k":
        if value != int(value) or value < 1:
            raise ConfigError(
                f"campaign selection top_k: value must be an integer >= 1, got {value!r}"
            )
        k = min(int(value), n)
    elif kind == "fraction":
        if not 0.0 < value <= 1.0:
            raise ConfigError(
                f"campaign selection fraction: value must be in (0, 1], got {value!r}"
            )
        k = min(max(round(value * n), 1), n)
    else:
        raise ConfigError(
            f"campaign selection kind must be one of {list(SELECTIONS)}, got {kind!r}"
        )
    mask = np.zeros(n, dtype=bool)
    mask[np.argsort(-values, kind="stable")[:k]] = True
    return mask


def plan_campaign(
    ids: Ids,
    scores: np.ndarray | pd.Series,
    kind: str,
    value: float,
    fractions: Mapping[str, float] = _DEFAULT_ARMS,
    *,
    random_fraction: float = 0.0,
    salt: str = DEFAULT_SALT,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`select_targets` then :func:`assign_groups`: the targeted mask and every id's group.

    A campaign nobody is targeted by, or whose treatment or control group comes out empty, is a
    :class:`DataError` (its effect could not be measured).

    Example:
        >>> targeted, groups = plan_campaign(np.arange(100), np.linspace(0, 1, 100), "top_k", 40)
        >>> int(targeted.sum()), sorted(set(groups[targeted]))
        (40, ['control', 'treatment'])
    """
    targeted = select_targets(scores, kind, value)
    if not targeted.any():
        raise DataError(f"campaign: selection {kind} {value!r} targets nobody")
    groups = assign_groups(
        ids, fractions, targeted=targeted, random_fraction=random_fraction, salt=salt
    )
    for arm in ARMS:
        if not (groups == arm).any():
            raise DataError(
                f"campaign: the {arm} group is empty ({int(targeted.sum())} targeted customers, "
                f"fractions {dict(fractions)}, random_fraction {random_fraction}); target more "
                "customers"
            )
    return targeted, groups
