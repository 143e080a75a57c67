"""``tracking=server``: the pipeline against a real ``mlflow server`` on loopback, over HTTP.

The server runs with a SQLite backend and serves artifacts itself (``--artifacts-destination``),
so the client needs no artifact folder: the experiment gets ``artifact_location: null``.
"""

from pathlib import Path

import mlflow
import pytest
from omegaconf import OmegaConf

from mlcore.pipeline import run
from mlcore.track import run_metrics
from tests._processes import mlflow_server as running_server

TEMPLATE_CONF = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_slug}}" / "conf"


@pytest.fixture
def mlflow_server(tmp_path):
    """A real ``mlflow server`` on a free loopback port: yields (uri, artifact folder)."""
    with running_server(tmp_path / "server") as uri:
        yield uri, tmp_path / "server" / "artifacts"


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
    assert run_metrics(logged)["test_roc_auc"] > run_metrics(logged)["baseline_test_roc_auc"]
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
