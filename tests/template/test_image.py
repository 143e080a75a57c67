"""The locked project through its life: `make install` syncs the committed lock and leaves the tree
clean, `make image` builds the production image with the real podman, the image scores exactly as
`make predict` does, and `make template-update` still works after all of it.

One project is generated from a template clone at revision 1 (as in test_update), installed with
`make install`, built into an image, trained with `make run ARGS=experiment=smoke`, scored locally
and inside the image, then updated to revision 2. No container registry is reachable here, so the
base image is built from Debian's packages with mmdebstrap and kept in podman's store between
runs (`podman image exists`). Without podman, mmdebstrap or a working container runtime the
image test says why and skips; .ci/run installs them.
"""

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.template.conftest import (
    NEW_SECTION,
    REPO,
    UV,
    bake_from,
    git,
    make,
    run,
    template_history,
    update_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("image")]

BASE = "localhost/ml-template-test/python:3-bookworm"
IMAGE = "ml-template-test/churn-model"  # not a user's churn-model image (podman's store is shared)
# The slim base: Debian's Python (3.11 on bookworm), venv for pip, CA certificates, LightGBM's OpenMP.
BASE_PACKAGES = "python3,python3-venv,ca-certificates,libgomp1"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# podman 4.3 from Debian's packages runs containers here only with these settings (no /etc change).
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def debian_mirror() -> tuple[str, str]:
    """(suite, mirror URL) of this machine's apt sources: the base is built from the same."""
    release = Path("/etc/os-release").read_text()
    suite = re.search(r"^VERSION_CODENAME=(\S+)", release, re.M)
    sources = " ".join(
        p.read_text() for p in Path("/etc/apt").rglob("*") if p.suffix in {".sources", ".list"}
    )
    mirror = re.search(r"(?:URIs:|deb)\s+(https?://\S+/debian)\b", sources)
    if not suite or not mirror:
        pytest.skip("no Debian apt source on this machine: cannot build the base image")
    return suite[1], mirror[1]


@pytest.fixture(scope="module")
def podman_env(tmp_path_factory) -> dict:
    """The environment podman needs here, after checking that it can run a container at all."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install podman runc): cannot build images")
    conf = tmp_path_factory.mktemp("containers") / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    env = {**os.environ, "CONTAINERS_CONF": str(conf)}
    info = run("podman", "info", cwd=conf.parent, env=env)
    if info.returncode != 0:
        pytest.skip(f"podman cannot run here: {info.stderr.strip().splitlines()[-1:]}")
    return env


@pytest.fixture(scope="module")
def base_image(podman_env, tmp_path_factory) -> str:
    """The local base image, built once from Debian's packages and kept in podman's store."""
    cwd = tmp_path_factory.mktemp("base")
    if run("podman", "image", "exists", BASE, cwd=cwd, env=podman_env).returncode != 0:
        if shutil.which("mmdebstrap") is None:
            pytest.skip("mmdebstrap is not installed (apt-get install mmdebstrap): no base image")
        suite, mirror = debian_mirror()
        tar = cwd / "base.tar"
        built = run(
            *("mmdebstrap", "--variant=apt", f"--include={BASE_PACKAGES}", "--quiet"),
            *(f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale")),
            *(suite, str(tar), mirror),
            cwd=cwd,
            env=podman_env,
        )
        assert built.returncode == 0, built.stderr[-3000:]
        imported = run("podman", "import", str(tar), BASE, cwd=cwd, env=podman_env)
        assert imported.returncode == 0, imported.stderr
        tar.unlink()
    started = run("podman", "run", "--rm", BASE, "python3", "--version", cwd=cwd, env=podman_env)
    if started.returncode != 0:
        pytest.skip(f"containers cannot run here: {started.stderr.strip()[-500:]}")
    return BASE


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory) -> dict:
    """The project generated from revision 1 of a template clone, and what the tests share."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    root = tmp_path_factory.mktemp("lifecycle")
    clone, rev1, rev2 = template_history(root)
    (root / "home").mkdir()
    (root / "out").mkdir()
    env = update_env(root / "home", MLFLOW_DISABLE_TELEMETRY="true", OMP_NUM_THREADS="1")
    project = bake_from(clone, rev1, root / "out", env)
    return {"project": project, "env": env, "rev2": rev2}


def test_make_install_syncs_the_committed_lock_and_leaves_the_tree_clean(lifecycle):
    project, env = lifecycle["project"], lifecycle["env"]
    lock = (project / "uv.lock").read_bytes()
    assert "uv.lock" in git(project, "show", "--name-only", "--format=", "main").split()
    make(project, "install", env)
    assert git(project, "status", "--porcelain") == ""
    assert (project / "uv.lock").read_bytes() == lock

    # A dependency changed without `make lock`: install refuses and changes nothing.
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace('"hydra-core>=', '"tabulate>=0.9",\n    "hydra-core>='))
    refused = run("make", "--no-print-directory", "install", cwd=project, env=env)
    pyproject.write_text(text)
    assert refused.returncode != 0
    assert "--locked" in refused.stderr, refused.stderr
    assert (project / "uv.lock").read_bytes() == lock


def _newest_predictions(project: Path, before: set[Path]):
    import pandas as pd

    (new,) = set((project / "data" / "processed" / "predictions").glob("*.parquet")) - before
    return pd.read_parquet(new)


def test_scores_from_inside_the_image_equal_local_make_predict_scores(
    lifecycle, podman_env, base_image
):
    project = lifecycle["project"]
    env = {**lifecycle["env"], "CONTAINERS_CONF": podman_env["CONTAINERS_CONF"]}
    env.update(ENGINE="podman", IMAGE=IMAGE, BASE_IMAGE=base_image, CA_BUNDLE=str(HOST_CA_BUNDLE))
    make(project, "image", env)
    record = json.loads((project / "models" / "image.json").read_text())
    lock = hashlib.sha256((project / "uv.lock").read_bytes()).hexdigest()
    assert record["lock_sha256"] == lock and record["image"] == f"{IMAGE}:lock-{lock[:12]}"
    assert record["base_image"] == base_image and record["base_id"].startswith("sha256:")
    assert record["mlcore_source"] == {"directory": str(REPO)}
    image = record["image"]
    inspect = run("podman", "image", "inspect", "--format", "{{.Config.User}}", image, cwd=project)
    assert inspect.stdout.strip() == "app"
    probe = "import importlib.util as u, getpass; print(getpass.getuser(), u.find_spec('pytest'))"
    inside = run("podman", "run", "--rm", image, "python", "-c", probe, cwd=project, env=env)
    assert inside.stdout.split() == ["app", "None"], inside.stderr  # non-root, no dev tools

    # Trained after the build: the registered version's card names the image and the lock.
    env["ARGS"] = "experiment=smoke"
    make(project, "run", env)
    card = (project / "reports" / "model_card.md").read_text()
    assert f"| uv.lock sha256 | {lock} |" in card
    assert record["id"] in card and record["base_digest"] in card

    predictions = project / "data" / "processed" / "predictions"
    before = set(predictions.glob("*.parquet"))
    make(project, "predict", env)
    local = _newest_predictions(project, before)
    before = set(predictions.glob("*.parquet"))
    make(project, "image-predict", env)
    contained = _newest_predictions(project, before)

    assert len(local) > 1000
    keys = ["customer_id", "snapshot_month", "model_version", "run_id"]
    assert contained[keys].equals(local[keys])
    assert contained["score"].equals(local["score"])  # bit for bit, same rows


def test_make_template_update_works_after_install_a_run_and_an_image_build(lifecycle):
    project, env = lifecycle["project"], lifecycle["env"]
    if not (project / "mlflow.db").exists():  # the image test ran none (it skipped)
        make(project, "run", {**env, "ARGS": "experiment=smoke steps=[split,train]"})
    assert git(project, "status", "--porcelain") == ""  # run outputs, models/, .image/: ignored
    lock = (project / "uv.lock").read_bytes()
    update = make(project, "template-update", env)
    assert "Good work!" in update.stdout, update.stdout + update.stderr
    assert (project / "README.md").read_text().endswith(NEW_SECTION)
    assert json.loads((project / ".cruft.json").read_text())["commit"] == lifecycle["rev2"]
    assert git(project, "diff", "--cached", "--name-only").split() == [
        "CONTRIBUTING.md",
        "README.md",
    ]
    assert (project / "uv.lock").read_bytes() == lock
