"""A default project baked with the real cookiecutter CLI (not installed): the checks' real inputs."""

from pathlib import Path

import pytest

from tests.template.conftest import bake


@pytest.fixture(scope="session")
def baked(tmp_path_factory) -> Path:
    """The generated ``churn-model`` folder; tests copy what they modify."""
    out = tmp_path_factory.mktemp("checks-baked")
    done = bake(out)
    assert done.returncode == 0, done.stderr
    return out / "churn-model"
