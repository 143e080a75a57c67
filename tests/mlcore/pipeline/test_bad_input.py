"""A user's mistakes end in one ERROR line naming what and where, before any work: exit 1, no
file under models/, reports/ or data/interim/, no MLflow run left behind."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlcore.datasets import make_churn
from mlcore.pipeline import main


def _table(tmp_path, edit=None, suffix=".csv"):
    frame = make_churn(n_customers=300, n_months=5, seed=1)
    if edit is not None:
        frame = edit(frame)
    path = tmp_path / f"raw{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    return path


def _file(tmp_path, content: bytes):
    path = tmp_path / "raw.csv"
    path.write_bytes(content)
    return path


def _nan_target(frame):
    frame.loc[frame.index[:3], "churn"] = np.nan
    return frame


def _bad_dates(frame):
    frame["snapshot_month"] = frame["snapshot_month"].astype(str)
    frame.loc[frame.index[4], "snapshot_month"] = "31/31/2024"
    return frame


CASES = {
    "empty file": (lambda p: _file(p, b""), {}, "the file is empty"),
    "binary file named .csv": (lambda p: _file(p, bytes(range(128, 256)) * 40), {}, "not a UTF-8"),
    "header only": (lambda p: _table(p, lambda f: f.head(0)), {}, "has no rows"),
    "line endings lost": (
        lambda p: _file(p, b"customer_id,churn," + b"1,0," * 75_000),
        {},
        "its first line holds 150,00[0-9] fields; were the line endings lost",
    ),
    "duplicate columns": (
        lambda p: _file(p, b"customer_id,snapshot_month,churn,age,age\n1,2024-01-01,0,30,31\n"),
        {},
        r"column name\(s\) \['age'\] appear more than once",
    ),
    "all-missing column": (
        lambda p: _table(p, lambda f: f.assign(tenure_months=np.nan)),
        {},
        r"\['tenure_months'\] hold no value at all.*features.drop",
    ),
    "infinite values": (
        lambda p: _table(
            p, lambda f: f.assign(logins=f["logins"].where(f.index != 7, np.inf)), ".parquet"
        ),
        {},
        r"infinite values in column\(s\) \{'logins': 1\}",
    ),
    "missing labels": (lambda p: _table(p, _nan_target), {}, "3 of .* rows have no label"),
    "unparseable dates": (
        lambda p: _table(p, _bad_dates),
        {},
        "'snapshot_month' .data.date_col. holds values that are not dates",
    ),
    "margin not a number": (
        lambda p: _table(p),
        {"evaluate__promotion_margin": "abc"},
        "evaluate.promotion_margin must be a number",
    ),
    "metric of another task": (
        lambda p: _table(p),
        {"evaluate__metric": "accuracy"},
        "evaluate.metric",
    ),
    "no trees": (lambda p: _table(p), {"model__n_estimators": 0}, "model.n_estimators"),
    "misspelt hyperparameter": (
        lambda p: _table(p),
        {"model__learning_rte": 0.1},
        "did you mean 'learning_rate'",
    ),
    "the old model.params form": (
        lambda p: _table(p),
        {"model__params": {"learning_rte": 0.1}},
        "unexpected keyword 'params'",
    ),
    "unknown calibration method": (
        lambda p: _table(p),
        {"calibration": {"method": "platt"}},
        r"calibration.method must be one of \['none', 'isotonic', 'sigmoid', 'auto'\]",
    ),
    "heuristic column missing": (
        lambda p: _table(p),
        {"evaluate__heuristic": {"column": "logins_trend_4"}},
        "evaluate.heuristic.column",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_mistake_is_one_error_line_before_any_work(make_config, tmp_path, capsys, case):
    make, overrides, message = CASES[case]
    path = make(tmp_path)
    config = make_config(data__source="file", data__path=str(path), **overrides)
    config["data"]["synthetic"] = {}
    with pytest.raises(SystemExit) as exited:
        main(config)
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ERROR: ") and "Traceback" not in "\n".join(err)
    assert pd.Series([err[-1]]).str.contains(message).all(), err[-1]
    for folder in ("models", "reports", "data/interim", "mlartifacts"):
        assert not (tmp_path / folder).exists(), folder
    assert not (tmp_path / "mlflow.db").exists()  # not even a run


SLOW_STEP = """
import time
from mlcore.pipeline import step

@step(reads=("models",))
def wait(ctx):
    print("waiting", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_sigterm_during_a_run_leaves_it_killed_registers_nothing_and_the_next_run_works(
    make_config, tmp_path
):
    (tmp_path / "slow_steps.py").write_text(SLOW_STEP)
    config = make_config(
        steps=["validate", "split", "train", "slow_steps.wait", "evaluate", "register"]
    )
    code = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(tmp_path)!r})
        from mlcore.pipeline import run
        run(json.loads({json.dumps(json.dumps(config))}))
    """)
    job = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while job.stdout.readline().strip() != "waiting":
        assert time.monotonic() < deadline and job.poll() is None, "the run never reached the step"
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=60) != 0
    client = mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])
    (killed,) = client.search_runs([client.get_experiment_by_name("test").experiment_id])
    assert killed.info.status == "KILLED"
    assert client.search_registered_models() == []
    from mlcore.pipeline import run

    assert run(make_config()).promoted


def test_an_interrupt_during_register_leaves_no_alias_on_the_unfinished_version(
    make_config, monkeypatch
):
    from mlcore import registry
    from mlcore.pipeline import run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt("signal 2")

    config = make_config()
    with monkeypatch.context() as patch:
        patch.setattr(registry, "promote_if_better", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run(config)
    client = mlflow.MlflowClient(tracking_uri=config["tracking"]["uri"])
    version = client.get_model_version("test-churn", "1")
    assert version.aliases == [] and version.tags["mlcore.decision"] == "aborted"
    (killed,) = client.search_runs([client.get_experiment_by_name("test").experiment_id])
    assert killed.info.status == "KILLED"
    assert run(config).promoted  # the next run works, and becomes the first champion
    assert str(client.get_model_version_by_alias("test-churn", "champion").version) == "2"


def test_a_damaged_store_is_an_error_naming_the_file(make_config, tmp_path, capsys):
    (tmp_path / "mlflow.db").write_bytes(b"this is not a database" * 10)
    with pytest.raises(SystemExit):
        main(make_config())
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("ERROR: tracking.uri sqlite:///") and "is not a SQLite database" in err
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize(
    ("folder", "key"), [("models", "paths.models"), ("mlartifacts", "tracking.artifact_location")]
)
def test_a_folder_the_run_may_not_write_is_an_error_naming_its_key_before_any_work(
    make_config, tmp_path, capsys, folder, key
):
    locked = tmp_path / folder
    locked.mkdir()
    # root ignores permission bits: an immutable folder is read-only for root too
    flag = subprocess.run(["chattr", "+i", str(locked)], capture_output=True, check=False)
    if flag.returncode != 0:
        locked.chmod(0o555)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("this machine cannot make a folder read-only for this user")
        with pytest.raises(SystemExit) as exited:
            main(make_config())
        assert exited.value.code == 1
        err = capsys.readouterr().err.strip().splitlines()[-1]
        assert err.startswith(f"ERROR: {key}: {locked} cannot be written"), err
        assert f"set {key} to a folder it may write to" in err
        assert not (tmp_path / "mlflow.db").exists()  # not even a run
    finally:
        subprocess.run(["chattr", "-i", str(locked)], capture_output=True, check=False)
        locked.chmod(0o755)
