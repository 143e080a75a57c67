"""The split step: hash by default, out-of-time with split=oot, both with split=combined."""

import pandas as pd
import pytest
from mlcore.pipeline import run


def _sets(compose_config, run_root, *overrides: str) -> dict[str, pd.DataFrame]:
    cfg = compose_config("experiment=smoke", f"paths.root={run_root}", "steps=[split]", *overrides)
    run(cfg)
    folder = run_root / "data" / "interim" / "split"
    return {
        name: pd.read_parquet(folder / f"{name}.parquet")
        for name in ("train", "validation", "test")
    }


def _customers(part: pd.DataFrame) -> set:
    return set(part["customer_id"])


def test_the_default_split_keeps_each_customer_in_one_set(compose_config, run_root):
    sets = _sets(compose_config, run_root)
    train, validation, test = (_customers(sets[n]) for n in ("train", "validation", "test"))
    assert train and validation and test
    assert not (train & validation) and not (train & test) and not (validation & test)


@pytest.mark.parametrize("kind", ["oot", "combined"])
def test_later_sets_hold_only_later_months(compose_config, run_root, kind):
    sets = _sets(compose_config, run_root, f"split={kind}")
    assert sets["train"]["snapshot_month"].max() < sets["validation"]["snapshot_month"].min()
    assert sets["validation"]["snapshot_month"].max() < sets["test"]["snapshot_month"].min()


def test_the_combined_split_tests_on_customers_never_seen_in_training(compose_config, run_root):
    sets = _sets(compose_config, run_root, "split=combined")
    assert not _customers(sets["train"]) & _customers(sets["test"])
