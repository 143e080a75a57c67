"""The steps' heavy libraries are imported in a background thread while a run loads its data;
a run that stops on its config imports none of them."""

import json
import subprocess
import sys
import textwrap
import threading

from mlcore.pipeline._preload import Preload, modules_for
from tests.conftest import REPO


def test_preload_imports_in_another_thread_and_skips_a_module_that_fails(monkeypatch):
    importers = {}

    def record(name):
        importers[name] = threading.current_thread().name
        if name == "no_such_module_for_preload":
            raise ImportError(name)

    monkeypatch.setattr("mlcore.pipeline._preload.importlib.import_module", record)
    preload = Preload(["json", "no_such_module_for_preload", "email.mime.text"])
    assert preload.wait() == ["json", "email.mime.text"]  # the failure is left to its step
    assert importers["json"] == importers["email.mime.text"] == "mlcore-preload"
    assert importers["pyarrow.parquet"] == threading.main_thread().name  # shared: imported first


def test_modules_follow_the_steps_of_the_run():
    everything = modules_for(["validate", "split", "train", "evaluate", "register"])
    assert "great_expectations" in everything and "skops.io" in everything
    assert not {"great_expectations", "skops.io"} & set(modules_for(["split", "train"]))
    assert modules_for(["split"])[0] == "mlflow"  # every run opens the MLflow store


def test_a_run_stopped_by_its_config_imports_no_heavy_library(tmp_path):
    code = textwrap.dedent(
        f"""
        import json, pathlib, sys
        from mlcore.errors import run_main
        from mlcore.pipeline import run
        from tests.conftest import small_config
        cfg = small_config(pathlib.Path({str(tmp_path)!r}))
        cfg["model"]["no_such_parameter"] = 1
        code, _ = run_main(lambda: run(cfg))
        print(json.dumps([code, [m for m in ("mlflow", "great_expectations", "skops") if m in sys.modules]]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert json.loads(done.stdout.splitlines()[-1]) == [1, []], done.stderr[-2000:]


def test_great_expectations_imported_ahead_logs_nothing_at_info():
    code = textwrap.dedent(
        """
        import logging
        logging.basicConfig(level=logging.INFO)  # as Hydra configures a project's run
        from mlcore.pipeline._preload import Preload
        print(Preload(["great_expectations"]).wait())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.strip() == "['great_expectations']"
    assert "great_expectations" not in done.stderr, done.stderr[-2000:]
