"""REST serving of the champion with ``mlflow models serve`` on loopback: raw rows in (the model
computes their activity features), the same probabilities as the local pyfunc, and a warning in
the server's log for rows at a finer time grain than the model's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import mlflow
import numpy as np
import pytest

from mlcore.datasets import make_churn
from mlcore.pipeline import run
from tests._processes import free_port, group_members, stop_group
from tests.conftest import small_config

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("serve")]

STARTUP_SECONDS = 240  # a contended 2-core VM can take minutes to import MLflow and the model


def _wait_ready(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mlflow models serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(1)
    pytest.fail(f"mlflow models serve not ready after {STARTUP_SECONDS} s:\n{log.read_text()}")


def test_the_served_champion_returns_the_local_pyfunc_probabilities(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = small_config(tmp_path)
    run(config)
    uri, name = config["tracking"]["uri"], config["tracking"]["model_name"]
    frame = make_churn(n_customers=40, n_months=5, seed=3).drop(columns="churn")  # raw rows
    mlflow.set_tracking_uri(uri)
    expected = np.asarray(mlflow.pyfunc.load_model(f"models:/{name}@champion").predict(frame))

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    bin_dir = Path(sys.executable).parent  # the server execs `uvicorn` from PATH, as `uv run` does
    command = [
        str(bin_dir / "mlflow"),
        "models",
        "serve",
        "-m",
        f"models:/{name}@champion",
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "MLFLOW_TRACKING_URI": uri,
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    with log.open("w") as sink:
        server = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_ready(server, url, log)
        served = _invoke(url, frame)
        assert "finer time grain" not in log.read_text()
        daily = frame.iloc[[0, 0]].copy()  # one customer's month sent as two daily rows
        daily["snapshot_month"] += np.array([0, 1], dtype="timedelta64[D]")
        _invoke(url, daily)
    finally:
        stop_group(server)
    assert served.shape == (len(frame), 2)
    np.testing.assert_allclose(served, expected, rtol=1e-12, atol=0)
    assert "FinerGrainWarning" in log.read_text()  # the endpoint's log says what the rows are
    assert not group_members(server.pid)  # the whole process group is gone


def _invoke(url: str, frame) -> np.ndarray:
    split = json.loads(frame.to_json(orient="split", date_format="iso", index=False))
    body = json.dumps({"dataframe_split": split}).encode()
    request = urllib.request.Request(
        f"{url}/invocations", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return np.asarray(json.loads(response.read())["predictions"])
