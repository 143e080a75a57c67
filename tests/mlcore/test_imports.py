"""Start-up stays light: the package, the CLI and ``--help`` never import the heavy libraries.

Each case runs a fresh interpreter with ``-X importtime`` and reads the imported module names from
its report (no timings are asserted: only which modules were imported).
"""

import subprocess
import sys

import pytest

HEAVY = ("mlflow", "great_expectations", "lightgbm")


def imported_modules(*args: str) -> set[str]:
    """Top-level names of every module a fresh ``python -X importtime *args`` imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, check=True
    )
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    names = {line.rsplit("|", 1)[-1].strip() for line in lines[1:]}  # [0] is the header
    assert "mlcore" in names, done.stderr[-2000:]
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize(
    "args",
    [("-c", "import mlcore"), ("-c", "import mlcore.cli"), ("-m", "mlcore.cli", "--help")],
    ids=["import mlcore", "import mlcore.cli", "mlcore --help"],
)
def test_start_up_imports_no_heavy_library(args: tuple[str, ...]) -> None:
    assert imported_modules(*args).isdisjoint(HEAVY)


def test_pipeline_import_defers_mlflow_and_great_expectations() -> None:
    assert imported_modules("-c", "import mlcore.pipeline").isdisjoint(HEAVY[:2])
