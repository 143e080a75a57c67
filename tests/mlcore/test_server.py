"""``tracking=server``: the pipeline against a real ``mlflow server`` on loopback, over HTTP.

The server runs with a SQLite backend and serves artifacts itself (``--artifacts-destination``),
so the client needs no artifact folder: the experiment gets ``artifact_location: null``.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import mlflow
import pytest
from omegaconf import OmegaConf

from mlcore.pipeline import run
from tests._processes import free_port, group_members, stop_group

TEMPLATE_CONF = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_slug}}" / "conf"
START_TIMEOUT = 300  # seconds; about 8 s on a quiet 2-core machine, 95 s seen when it was busy


@pytest.fixture
def mlflow_server(tmp_path):
    """A real ``mlflow server`` on a free loopback port: yields (uri, artifact folder)."""
    port = free_port()
    artifacts = tmp_path / "server" / "artifacts"
    log = (tmp_path / "server.log").open("wb")
    command = [
        str(Path(sys.executable).with_name("mlflow")),
        "server",
        "--backend-store-uri", f"sqlite:///{tmp_path}/server/mlflow.db",
        "--artifacts-destination", str(artifacts),
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", "1",
    ]  # fmt: skip
    (tmp_path / "server").mkdir()
    started = time.perf_counter()
    # No GenAI job runner (8 extra processes): tracking and the registry do not use it.
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    server = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
    )
    uri = f"http://127.0.0.1:{port}"
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"mlflow server exited: {(tmp_path / 'server.log').read_text()[-3000:]}"
                )
            if time.perf_counter() - started > START_TIMEOUT:
                pytest.fail(f"mlflow server not healthy after {START_TIMEOUT} s")
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                    if answer.read() == b"OK":
                        break
            except OSError:
                time.sleep(0.25)
        print(f"\nmlflow server healthy after {time.perf_counter() - started:.1f} s")
        yield uri, artifacts
    finally:
        print(f"mlflow server and children stopped in {stop_group(server):.1f} s")
        log.close()
    assert not group_members(server.pid), "processes of the server outlived it"


@pytest.mark.slow
@pytest.mark.xdist_group("mlflow_server")
def test_the_pipeline_tracks_and_registers_on_a_live_server(
    mlflow_server, make_config, tmp_path, monkeypatch
):
    uri, artifacts = mlflow_server
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    config = make_config(tracking__uri=uri, tracking__artifact_location=None)
    result = run(config)

    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("test")
    assert experiment.artifact_location.startswith("mlflow-artifacts:")
    logged = client.get_run(result.run_id)
    assert logged.info.status == "FINISHED"
    assert logged.data.metrics["test_roc_auc"] > logged.data.metrics["baseline_test_roc_auc"]
    champion = client.get_model_version_by_alias("test-churn", "champion")
    assert champion.run_id == result.run_id
    assert champion.tags["mlcore.decision"] == "promoted"
    report = client.download_artifacts(result.run_id, "report/metrics.json", str(tmp_path))
    assert Path(report).read_text().startswith("{")

    mlflow.set_tracking_uri(uri)
    model = mlflow.pyfunc.load_model("models:/test-churn@champion")
    assert model.metadata.run_id == result.run_id
    assert any(artifacts.rglob("MLmodel")), "the model was not stored by the server"
    assert list(workdir.iterdir()) == [], "the client wrote artifacts locally"
    assert not (tmp_path / "mlartifacts").exists()
    assert not (tmp_path / "mlruns").exists()


def test_the_server_tracking_config_matches_the_local_one(monkeypatch):
    def compose(name: str) -> dict:
        project = OmegaConf.create({"project": {"slug": "churn-model"}, "paths": {"root": "/p"}})
        group = OmegaConf.load(TEMPLATE_CONF / "tracking" / f"{name}.yaml")
        merged = OmegaConf.merge(project, {"tracking": group})
        return OmegaConf.to_container(merged, resolve=True)["tracking"]

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    local, server = compose("local"), compose("server")
    assert server == {
        "uri": "http://127.0.0.1:5000",
        "artifact_location": None,
        "experiment": local["experiment"],
        "model_name": local["model_name"],
    }
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow.team:5000")
    assert compose("server")["uri"] == "http://mlflow.team:5000"
