"""Every combination of the choice answers bakes into a consistent, ruff-clean project that passes
pre-commit; its own tests and `experiment=smoke` (the skeleton: its entry point) pass too.

All 64 combinations (ci_provider x include_example_pipeline x tracking kind x license) are baked
with the real cookiecutter CLI and checked: the chosen CI file, license, tracking and example or
skeleton, the profile and update record, ruff. Each is then installed and runs `make precommit`
(every hook on all files, the CI file and license included).

Running each project's own tests and pipeline 64 times would cost ~35 min on 2 workers (75-90 s
per example combination), beyond the suite's 25-minute budget. Only two answers change what the
tests and the pipeline read (the example pipeline and the tracking kind): the CI provider and the
license change the CI file, LICENSE, the README's CI and license paragraphs, the `license` line
of pyproject.toml and the answers in .cruft.json, none of which a test or the pipeline reads. So each combination is
also checked to be byte-identical, outside exactly those, to the representative of its class;
the 4 representatives (`COVERING`: every value of every answer, spread over them) run
`make test` and `make smoke` (the skeleton: `make run`) for their 16 combinations each.

Installing each project from scratch (uv sync with bytecode compiled, ~50 s) is not repeated: each
xdist worker copies its installed default project once (`installed_default`, shared with the other
template tests), and every combination it runs links its `.venv` to that copy's;
its `make` targets then run `uv sync --locked` there from the project's own committed lock, which
only swaps in that project's editable install. A worker runs one test at a time, so no
environment is used by two combinations at once. pre-commit's hook environments live in one shared
PRE_COMMIT_HOME (pre-commit locks its store). Each combination is baked once per worker and
shared by its two tests (`baked`; both in the combination's xdist group): the consistency test
reads the generated tree, the install test runs its targets in a copy of it.
"""

import itertools
import json
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from mlcore.project import validate_profile
from tests.template.conftest import (
    PRE_COMMIT_HOME,
    REPO,
    UV,
    bake,
    copy_installed,
    git,
    make,
    outer_env,
)
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
# The representative of each (example, tracking) class, with the CI providers and licenses spread.
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
# What the CI provider and license answers may change: whole files, and lines of one more.
VARYING_FILES = {
    ".cruft.json",
    # Resolved at each bake from uv's cache, which other tests may grow meanwhile (a newer
    # version of some package): read by uv, never by the tests or the pipeline.
    "uv.lock",
    "LICENSE",
    "README.md",  # its CI and license paragraphs
    *(relative for relative, _ in PROVIDERS.values()),
}
VARYING_LINES = {"pyproject.toml": "license = "}
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


@pytest.fixture(scope="session")
def baked(tmp_path_factory):
    """``baked(answers)``: that combination baked once per worker, shared by its two tests (both
    in one xdist group). The tree is read as generated; the test that runs targets copies it."""
    projects: dict[str, Path] = {}

    def get(answers: dict) -> Path:
        key = label(answers)
        if key not in projects:
            projects[key] = bake_project(tmp_path_factory.mktemp(key), answers)
        return projects[key]

    return get


def group(i: int):
    """The xdist group of the i-th combination (two groups: one per worker)."""
    return pytest.mark.xdist_group(f"matrix-{i % 2}")


def test_the_matrix_covers_every_choice_of_cookiecutter_json():
    declared = json.loads((REPO / "cookiecutter.json").read_text())
    for key in ("ci_provider", "include_example_pipeline", "open_source_license"):
        assert CHOICES[key] == declared["_choices"][key], key
        assert declared[key] == CHOICES[key][0], key  # the default is the first value
    assert declared["tracking"] == CHOICES["tracking"][0]
    assert len(COMBINATIONS) == len({label(answers) for answers in COMBINATIONS}) == 64
    for key, values in CHOICES.items():
        assert {answers[key] for answers in COVERING} == set(values), key


def representative(answers: dict) -> dict:
    """The COVERING member with the same example-pipeline and tracking answers."""
    keys = ("include_example_pipeline", "tracking")
    return next(c for c in COVERING if all(c[k] == answers[k] for k in keys))


@pytest.fixture(scope="session")
def baked_representatives(tmp_path_factory) -> dict[str, Path]:
    """The 4 representatives, baked once per worker, by label."""
    root = tmp_path_factory.mktemp("representatives")
    return {label(c): bake_project(root / label(c), c) for c in COVERING}


def tree(project: Path) -> dict[str, bytes]:
    """Every file the baked project's first commit tracks, by relative path."""
    return {
        relative: (project / relative).read_bytes() for relative in git(project, "ls-files").split()
    }


def assert_same_outside_the_ci_and_license_answers(project: Path, other: Path) -> None:
    mine, theirs = tree(project), tree(other)
    for relative in sorted((set(mine) | set(theirs)) - VARYING_FILES):
        a, b = mine.get(relative), theirs.get(relative)
        if a == b:
            continue
        assert relative in VARYING_LINES and a is not None and b is not None, relative
        lines = set(a.decode().splitlines()) ^ set(b.decode().splitlines())
        assert all(line.startswith(VARYING_LINES[relative]) for line in lines), (relative, lines)


@pytest.mark.parametrize(
    "answers",
    [pytest.param(answers, marks=group(i)) for i, answers in enumerate(COMBINATIONS)],
    ids=label,
)
def test_every_combination_bakes_a_consistent_ruff_clean_project(
    answers, baked, baked_representatives
):
    project = baked(answers)
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
    assert ("  - target: churn\n" in config) is example and "conf/target/given.yaml" in files
    assert any(f.endswith(".ipynb") for f in files) is example
    if not example:
        assert "steps: [validate, split, train, evaluate, register]\n" in config
        assert "limitations: []\n" in config and "conf/validation/default.yaml" in files
        assert {f for f in files if f.startswith("tests/test_")} == {
            "tests/test_config.py",
            "tests/test_features.py",
            "tests/test_pipeline.py",
        }

    # The profile validates; the update record holds exactly these answers.
    assert validate_profile(project / "project.yaml") == []
    recorded = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert {key: recorded[key] for key in answers} == answers

    for command in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run([str(RUFF), *command], cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    # What the tests and the pipeline read is the representative's, byte for byte.
    rep = baked_representatives[label(representative(answers))]
    assert_same_outside_the_ci_and_license_answers(project, rep)


def write_user_table(path: Path) -> None:
    """A small binary table as the skeleton expects it: ``id``, ``target``, mixed features."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=400, n_features=5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)]).assign(
        id=np.arange(len(y)), segment=np.where(X[:, 0] > 0, "a", "b"), target=y
    )
    frame.to_parquet(path)


def matrix_env() -> dict:
    """The environment of the make targets: no outer virtualenv, no telemetry, shared hook envs."""
    return outer_env(
        UV=UV,
        UV_COMPILE_BYTECODE="1",
        MLFLOW_DISABLE_TELEMETRY="true",
        DO_NOT_TRACK="true",
        PRE_COMMIT_HOME=str(PRE_COMMIT_HOME),
    )


@pytest.fixture(scope="session")
def worker_venv(installed_default, tmp_path_factory) -> Path:
    """This xdist worker's installed environment: a copy of the worker's installed default
    project (synced once, bytecode compiled), so its combinations never touch the original.

    Session scope is per worker process, and a worker runs its tests one at a time.
    """
    seed = copy_installed(installed_default, tmp_path_factory.mktemp("matrix-env") / "churn-model")
    return seed / ".venv"


def link_venv(project: Path, venv: Path) -> None:
    """Point ``project/.venv`` at the shared environment.

    The link is this test's doing, not the targets': git ignores ``.venv/`` directories only, so it
    is excluded locally (``.git/info/exclude``), which changes no tracked file. Each project keeps
    its own committed lock; ``uv sync --locked`` then swaps in its editable install.
    """
    (project / ".venv").symlink_to(venv, target_is_directory=True)
    exclude = project / ".git" / "info" / "exclude"
    exclude.parent.mkdir(exist_ok=True)
    with exclude.open("a") as file:
        file.write("/.venv\n")


def timed_make(
    project: Path, target: str, env: dict, record_property
) -> subprocess.CompletedProcess:
    start = time.monotonic()
    done = make(project, target, env)
    record_property(f"seconds_{target}", round(time.monotonic() - start, 1))
    return done


@pytest.mark.slow
@pytest.mark.parametrize(
    "answers",
    [pytest.param(answers, marks=group(i)) for i, answers in enumerate(COMBINATIONS)],
    ids=label,
)
def test_every_combination_installs_and_passes_pre_commit_and_its_class_tests_and_smoke(
    tmp_path, answers, baked, worker_venv, record_property
):
    """The make targets CI runs: pre-commit on all files in each; tests and smoke per class."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    project = tmp_path / "churn-model"  # a copy of the generated tree (its git repository too)
    shutil.copytree(baked(answers), project, symlinks=True)
    link_venv(project, worker_venv)
    env = matrix_env()
    timed_make(project, "precommit", env, record_property)
    if answers in COVERING:  # the tests and pipeline runs of its 16 combinations (see above)
        tests = timed_make(project, "test", env, record_property)
        assert " passed" in tests.stdout and " failed" not in tests.stdout
        env["ARGS"] = "tracking=local"  # pipeline runs use the project's own store
        if answers["include_example_pipeline"] == "yes":
            smoke = timed_make(project, "smoke", env, record_property)
            assert "models:/churn-model@champion" in smoke.stdout
        else:  # the skeleton runs its five steps on a table of the user's (made here)
            write_user_table(project / "data" / "raw" / "table.parquet")
            assert "Registered model:" in timed_make(project, "run", env, record_property).stdout
    # Nothing tracked was changed by the targets, the committed lock included.
    assert git(project, "status", "--porcelain") == ""
