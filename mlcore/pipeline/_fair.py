"""A fair promotion gate: champion and challenger are compared only on rows neither trained on.

Every registered version records its split (the ``split`` section, the id and date columns, the
raw data's sha256 and a fingerprint of its test entities) as the tag ``mlcore.split``. When the
challenger's split or data differ from the champion's, the champion's split is replayed on the
challenger's test rows (hash membership from the id, periods from the date) and only the rows it
did not train on are compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SPLIT_TAG", "split_record", "unseen_by_champion"]

SPLIT_TAG = "mlcore.split"


def split_record(cfg: Mapping[str, Any], data_sha256: str, test: pd.DataFrame) -> dict[str, Any]:
    """What this run's sets are: the split definition, the data and the test entities."""
    data = cfg["data"]
    ids = pd.util.hash_pandas_object(pd.Series(test[data["entity_col"]].unique()), index=False)
    return {
        "split": json.loads(json.dumps(cfg["split"], sort_keys=True, default=str)),
        "entity_col": data["entity_col"],
        "date_col": data.get("date_col"),
        "data_sha256": data_sha256,
        "test_entities_sha256": hashlib.sha256(np.sort(ids.to_numpy()).tobytes()).hexdigest(),
    }


def _describe(record: Mapping[str, Any]) -> str:
    split = record["split"]
    kind = split.get("kind", "hash")
    details = [f"salt {split.get('salt', '')!r}"] if kind != "oot" else []
    if kind != "hash":
        details.append(f"cutoffs {split.get('cutoffs')}")
    return f"{kind} ({', '.join(details)})"


def unseen_by_champion(
    mine: Mapping[str, Any], test: pd.DataFrame
) -> Callable[[Mapping[str, str]], tuple[np.ndarray | None, str]]:
    """The gate's rule: from the champion version's tags, the mask of ``test`` rows to compare on
    (None: all of them) and a sentence saying which rows those are."""
    from mlcore.errors import MlcoreError
    from mlcore.split import codes_from_config

    def rule(tags: Mapping[str, str]) -> tuple[np.ndarray | None, str]:
        if SPLIT_TAG not in tags:
            return (
                None,
                "all test rows (the champion records no split: registered before it was kept)",
            )
        theirs = json.loads(tags[SPLIT_TAG])
        same = {k: v for k, v in theirs.items() if k != "test_entities_sha256"} == {
            k: v for k, v in mine.items() if k != "test_entities_sha256"
        }
        if same:
            return None, "all test rows (same split and data as the champion)"
        try:
            codes = codes_from_config(
                test, theirs["split"], entity_col=theirs["entity_col"], date_col=theirs["date_col"]
            )
        except (MlcoreError, KeyError, ValueError) as exc:  # e.g. its date column is gone
            return (
                np.zeros(len(test), dtype=bool),
                f"no rows: the champion's split {_describe(theirs)} cannot be replayed on these rows ({exc})",
            )
        unseen = codes != 0  # 0: the champion's training set
        return unseen, (
            f"the {int(unseen.sum())} of {len(unseen)} test rows the champion did not train on "
            f"(its split: {_describe(theirs)}; this run's: {_describe(mine)})"
        )

    return rule
