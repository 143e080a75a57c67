"""The pipeline entry runs: one tracked MLflow run with the configured steps."""

import subprocess
import sys

import mlflow


def test_the_pipeline_entry_runs_and_tracks_the_run(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "{{ cookiecutter.module_name }}.pipeline",
            "tracking=local",
            f"paths.root={tmp_path}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "MLflow run:" in done.stdout

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{tmp_path}/mlflow.db")
    experiment = client.get_experiment_by_name("{{ cookiecutter.project_slug }}")
    (logged,) = client.search_runs([experiment.experiment_id])
    assert logged.info.status == "FINISHED"
    assert logged.data.tags["mlcore.steps"] == "validate"
