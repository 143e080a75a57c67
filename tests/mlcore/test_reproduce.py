"""``mlcore reproduce``: a run made in a git repository is run again from its record alone."""

import subprocess
import sys
from pathlib import Path

import pytest

from mlcore.cli import main as mlcore
from mlcore.datasets import make_churn
from mlcore.track import run_metrics
from tests.conftest import small_config

pytestmark = pytest.mark.slow  # whole pipelines against a real store

MLCORE = Path(sys.executable).with_name("mlcore")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def make_project(root: Path, data: str | None = None) -> dict:
    """A committed repository (uv.lock included; outputs ignored) and a config reading ``data``
    (default: a Parquet table written to ``data/raw/table.parquet``)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "t@example.com")
    git(root, "config", "user.name", "T")
    (root / "uv.lock").write_text("# the project's lock file\n")
    (root / ".gitignore").write_text("data/\nmodels/\nreports/\nmlflow.db\nmlartifacts/\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    if data is None:
        data = str(root / "data" / "raw" / "table.parquet")
        Path(data).parent.mkdir(parents=True)
        make_churn(n_customers=1500, n_months=6, seed=7).to_parquet(data, index=False)
    return small_config(root, data__source="file", data__path=data)


def reproduce(run_id: str, config: dict, *extra: str) -> subprocess.CompletedProcess:
    uri = config["tracking"]["uri"]
    root = config["paths"]["root"]
    command = [str(MLCORE), "reproduce", run_id, "--tracking-uri", uri, *extra]
    return subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)


def test_a_run_is_reproduced_from_its_record_after_its_data_is_deleted(tmp_path):
    import mlflow

    from mlcore.pipeline import run

    config = make_project(tmp_path / "project")
    first = run(config)
    second = run({**config, "steps": ["validate"]})  # unchanged data: no second snapshot
    snapshots = sorted((tmp_path / "project" / "mlartifacts" / "snapshots").iterdir())
    assert len(snapshots) == 1
    client = mlflow.MlflowClient(config["tracking"]["uri"])
    tags = [client.get_run(r.run_id).data.tags for r in (first, second)]
    assert tags[0]["mlcore.data.snapshot"] == tags[1]["mlcore.data.snapshot"]
    assert tags[0]["mlcore.data.snapshot"].endswith(snapshots[0].name)
    assert tags[0]["mlcore.lock_sha256"] == tags[0]["mlcore.version.uv.lock.sha256"]
    Path(config["data"]["path"]).unlink()

    done = reproduce(first.run_id, config)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "the current one" in done.stdout  # same lock hash: nothing rebuilt
    assert "reproduced: all" in done.stdout
    original = run_metrics(client.get_run(first.run_id))
    [again] = client.search_runs(
        [client.get_run(first.run_id).info.experiment_id],
        f"tags.`mlcore.reproduces` = '{first.run_id}'",
    )
    assert again.info.status == "FINISHED"
    assert again.data.tags["mlcore.git.commit"] == tags[0]["mlcore.git.commit"]
    assert again.data.tags["mlcore.data.raw.sha256"] == tags[0]["mlcore.data.raw.sha256"]
    assert "register" not in again.data.tags["mlcore.steps"]  # the registry is untouched
    results = {k: v for k, v in original.items() if not k.startswith("step_seconds_")}
    reproduced = {k: run_metrics(again).get(k) for k in results}
    assert results and str(reproduced) == str(results)  # as text: NaN (undefined lift) == NaN
    for name in ("test_roc_auc", "validation_success"):
        assert f"{name} " in done.stdout
    assert len(list(snapshots[0].parent.iterdir())) == 1
    assert len(git(tmp_path / "project", "worktree", "list").splitlines()) == 1

    snapshots[0].unlink()
    gone = reproduce(second.run_id, config)
    assert gone.returncode == 1
    assert gone.stderr.startswith("ERROR: the data snapshot ") and "is gone" in gone.stderr


def _record(client, experiment: str, config: dict, **tags: str) -> str:
    """A run whose record holds ``tags`` and the config, made with MLflow's client."""
    import yaml

    experiment_id = client.get_experiment_by_name(experiment).experiment_id
    run = client.create_run(experiment_id, tags=tags)
    client.log_text(run.info.run_id, yaml.safe_dump(config), "config/config.yaml")
    client.set_terminated(run.info.run_id)
    return run.info.run_id


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A project with a real store and a stored snapshot, for records made by hand."""
    import mlflow

    from mlcore.snapshot import store_snapshot
    from mlcore.track import configure, fingerprint

    root = tmp_path_factory.mktemp("errors") / "project"
    config = make_project(root, data=str(root / "gone.parquet"))
    configure(config["tracking"]["uri"], "test", config["tracking"]["artifact_location"])
    frame = make_churn(n_customers=100, n_months=4, seed=1)
    snapshot, _ = store_snapshot(frame, fingerprint(frame)["sha256"], str(root / "snapshots"))
    client = mlflow.MlflowClient(config["tracking"]["uri"])
    good = {
        "mlcore.git.commit": git(root, "rev-parse", "HEAD"),
        "mlcore.git.dirty": "false",
        "mlcore.lock_sha256": "0" * 64,
        "mlcore.data.snapshot": snapshot,
    }
    return client, config, good


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ({"mlcore.git.dirty": "true"}, r"was made from a dirty tree .*commit before running"),
        ({"mlcore.git.commit": "0" * 40}, r"commit 0{40} of run \w+ is not in the repository"),
        ({"mlcore.git.commit": ""}, r"has no tag mlcore.git.commit: it was not made in a git"),
        ({"mlcore.data.snapshot": ""}, r"has no tag mlcore.data.snapshot: .*data.snapshot: false"),
        ({"mlcore.lock_sha256": ""}, r"has no tag mlcore.lock_sha256: the project had no uv.lock"),
        (
            {"mlcore.data.snapshot": "/nowhere/snapshots/" + "ab" * 32 + ".parquet"},
            r"the data snapshot /nowhere/snapshots/abab\w+.parquet is gone",
        ),
        ({}, r"the uv.lock of commit \w+ .* is not the one run \w+ used"),
    ],
    ids=["dirty", "unknown-commit", "no-commit", "no-snapshot", "no-lock", "gone", "other-lock"],
)
def test_a_run_that_cannot_be_reproduced_is_one_error_line_and_no_new_run(
    store, tags, message, capsys
):
    import re

    client, config, good = store
    run_id = _record(client, "test", config, **{**good, **tags})
    experiment_id = client.get_run(run_id).info.experiment_id
    before = len(client.search_runs([experiment_id]))
    root = config["paths"]["root"]

    code = mlcore(
        ["reproduce", run_id, "--tracking-uri", config["tracking"]["uri"], "--repo", root]
    )

    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("ERROR: ") and err.count("\n") == 1, err
    assert re.search(message, err), err
    assert len(client.search_runs([experiment_id])) == before
    assert len(git(Path(root), "worktree", "list").splitlines()) == 1


def test_a_run_with_data_and_artifacts_on_s3_behind_a_team_server_is_reproduced(
    tmp_path, monkeypatch
):
    import boto3
    import mlflow

    from mlcore.pipeline import run
    from tests._processes import mlflow_server, s3_server

    with s3_server(tmp_path / "s3") as endpoint:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,  # pyarrow (data.path) and boto3 (the server's store)
        }.items():
            monkeypatch.setenv(key, value)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="team-store")
        data = "s3://team-store/data/table.parquet"
        make_churn(n_customers=1500, n_months=6, seed=7).to_parquet(data, index=False)
        with mlflow_server(tmp_path / "mlflow", "s3://team-store/mlartifacts") as uri:
            config = make_project(tmp_path / "project", data=data)
            config["tracking"] = {**config["tracking"], "uri": uri, "artifact_location": None}
            first = run(config)
            second = run({**config, "steps": ["validate"]})

            def snapshots() -> list[str]:
                listed = s3.list_objects_v2(Bucket="team-store", Prefix="mlartifacts/")
                return [o["Key"] for o in listed["Contents"] if "/snapshots/" in o["Key"]]

            tags = mlflow.MlflowClient(uri).get_run(second.run_id).data.tags
            [stored] = snapshots()  # one object for two runs on the same table
            assert stored.endswith(tags["mlcore.data.snapshot"].rpartition("/snapshots/")[2])
            assert tags["mlcore.data.snapshot"].startswith("mlflow-artifacts:/")
            s3.delete_object(Bucket="team-store", Key="data/table.parquet")

            done = reproduce(first.run_id, config)

            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            assert "reproduced: all" in done.stdout and "test_roc_auc " in done.stdout
            assert snapshots() == [stored]
