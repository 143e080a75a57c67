"""Every combination of the choice answers bakes into a consistent, ruff-clean project; a covering
set of them is installed and passes its own tests and pre-commit, and the example pipelines run
`experiment=smoke`.

All 64 combinations (ci_provider x include_example_pipeline x tracking kind x license) are baked
with the real cookiecutter CLI (cheap). Installing is not (uv sync, pre-commit environments), and
only two answers change what an installed project does: the example pipeline and the tracking
kind. The covering set is their 4 combinations, with the 4 CI providers and the 4 licenses spread
over them, so every value of every answer is installed and tested once.
"""

import itertools
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlcore.project import validate_profile
from tests.template.conftest import REPO, UV, bake, git, make
from tests.template.test_ci import PROVIDERS

CHOICES = {
    "ci_provider": ["github", "gitlab", "bitbucket", "none"],
    "include_example_pipeline": ["yes", "no"],
    "tracking": ["local", "http://mlflow.internal:5000"],
    "open_source_license": ["MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"],
}
COMBINATIONS = [
    dict(zip(CHOICES, values, strict=True)) for values in itertools.product(*CHOICES.values())
]
COVERING = [
    {
        "ci_provider": CHOICES["ci_provider"][i],
        "include_example_pipeline": example,
        "tracking": tracking,
        "open_source_license": CHOICES["open_source_license"][i],
    }
    for i, (example, tracking) in enumerate(
        itertools.product(CHOICES["include_example_pipeline"], CHOICES["tracking"])
    )
]
LICENSE_TITLES = {
    "MIT": "MIT License",
    "Apache-2.0": "Apache License",
    "BSD-3-Clause": "BSD 3-Clause",
}
RUFF = Path(sys.executable).with_name("ruff")


def label(answers: dict) -> str:
    kind = "local" if answers["tracking"] == "local" else "server"
    example = "example" if answers["include_example_pipeline"] == "yes" else "skeleton"
    return f"{answers['ci_provider']}-{example}-{kind}-{answers['open_source_license']}"


def bake_project(tmp_path: Path, answers: dict) -> Path:
    done = bake(tmp_path, *(f"{key}={value}" for key, value in answers.items()))
    assert done.returncode == 0, done.stderr
    return tmp_path / "churn-model"


def test_the_matrix_covers_every_choice_of_cookiecutter_json():
    declared = json.loads((REPO / "cookiecutter.json").read_text())
    for key in ("ci_provider", "include_example_pipeline", "open_source_license"):
        assert CHOICES[key] == declared[key], key
    assert declared["tracking"] == CHOICES["tracking"][0]
    for key, values in CHOICES.items():
        assert {answers[key] for answers in COVERING} == set(values), key


@pytest.mark.parametrize("answers", COMBINATIONS, ids=label)
def test_every_combination_bakes_a_consistent_ruff_clean_project(tmp_path, answers):
    project = bake_project(tmp_path, answers)
    files = {str(p.relative_to(project)) for p in project.rglob("*") if ".git" not in p.parts}

    # Only the chosen CI file; no template internals left behind; a clean git-flow repository.
    ci = {p for p, (relative, _) in PROVIDERS.items() if relative in files}
    assert ci == ({answers["ci_provider"]} - {"none"})
    assert not any(f.startswith(("_skeleton", "_licenses")) for f in files)
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "branch", "--show-current") == "develop"

    # License file and package metadata agree.
    spdx = answers["open_source_license"]
    license_field = tomllib.loads((project / "pyproject.toml").read_text())["project"]["license"]
    if spdx == "Proprietary":
        assert "LICENSE" not in files and license_field == "LicenseRef-Proprietary"
    else:
        assert (project / "LICENSE").read_text().lstrip().startswith(LICENSE_TITLES[spdx])
        assert license_field == spdx

    # Tracking default, and the example pipeline or the skeleton.
    config = (project / "conf" / "config.yaml").read_text()
    if answers["tracking"] == "local":
        assert "  - tracking: local\n" in config and "conf/tracking/remote.yaml" not in files
    else:
        assert "  - tracking: remote\n" in config
        remote = (project / "conf" / "tracking" / "remote.yaml").read_text()
        assert f"uri: ${{oc.env:MLFLOW_TRACKING_URI,{answers['tracking']}}}\n" in remote
    example = answers["include_example_pipeline"] == "yes"
    assert ("  - data: synthetic\n" in config) is example
    assert ("conf/data/synthetic.yaml" in files) is example
    assert any(f.endswith(".ipynb") for f in files) is example
    if not example:
        assert "steps: [validate]\n" in config and "conf/validation/default.yaml" in files
        assert {f for f in files if f.startswith("tests/test_")} == {
            "tests/test_config.py",
            "tests/test_pipeline.py",
        }

    # The profile validates; the update record holds exactly these answers.
    assert validate_profile(project / "project.yaml") == []
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert {key: recorded[key] for key in answers} == answers

    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([str(RUFF), *command], cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers",
    [
        pytest.param(answers, marks=pytest.mark.xdist_group(f"matrix-{i % 2}"))
        for i, answers in enumerate(COVERING)
    ],
    ids=label,
)
def test_the_covering_set_installs_and_passes_tests_pre_commit_and_smoke(tmp_path, answers):
    """The same make targets CI runs: pre-commit on all files, the tests, the smoke pipeline."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    project = bake_project(tmp_path, answers)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(UV=UV, UV_COMPILE_BYTECODE="1", MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    make(project, "precommit", env)
    tests = make(project, "test", env)
    assert " passed" in tests.stdout and " failed" not in tests.stdout
    env["ARGS"] = (
        "tracking=local"  # pipeline runs use the project's own store, whatever the default
    )
    if answers["include_example_pipeline"] == "yes":
        assert "models:/churn-model-churn@champion" in make(project, "smoke", env).stdout
    else:  # the skeleton's entry point runs its configured steps as one tracked run
        assert "MLflow run:" in make(project, "run", env).stdout
    # Nothing tracked was changed by the targets; uv.lock is new (uv sync wrote it: commit it).
    assert git(project, "status", "--porcelain") == "?? uv.lock"
