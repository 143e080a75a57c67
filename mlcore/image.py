"""Container images of a generated project: built from its ``Dockerfile`` and ``uv.lock``.

:func:`build_image` builds the image with podman (else docker), then writes
``models/image.json``: the image's id and digest, its base and the base's digest, and the sha256
of the ``uv.lock`` it installs. The model card of the next registered version shows that record
when its lock is the run's (:func:`image_record`).

mlcore itself is a direct reference of the project: a git URL (uv fetches it in the build, with
git installed there) or a path outside the build context. A path source is staged into
``.image/mlcore/`` as its source distribution and moved in the build to the very path uv.lock
names, so ``uv sync --locked`` installs exactly what was locked.

Example:
    >>> image_record("/nonexistent/project") is None
    True
    >>> card_rows("/nonexistent/project")
    []
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlcore._files import file_sha256, write_atomic
from mlcore.errors import ConfigError, MlcoreError

__all__ = ["build_image", "card_rows", "find_engine", "image_record", "lock_sha256"]

RECORD = Path("models") / "image.json"
STAGE = Path(".image")


def lock_sha256(project: str | Path) -> str:
    """The sha256 of ``project/uv.lock``; ``ConfigError`` when the project has no lock."""
    lock = Path(project) / "uv.lock"
    digest = file_sha256(lock)
    if digest is None:
        raise ConfigError(f"{lock} is missing: run `make lock` and commit uv.lock")
    return digest


def find_engine(preferred: str | None = None) -> str:
    """The container engine on PATH: ``preferred``, else podman, else docker."""
    for name in [preferred] if preferred else ["podman", "docker"]:
        path = shutil.which(name)
        if path:
            return path
    wanted = preferred or "podman or docker"
    raise ConfigError(f"no container engine: {wanted} is not on PATH (ENGINE=)")


def _mlcore_source(project: Path) -> dict[str, str]:
    """uv.lock's source of mlcore: ``{"directory": path}`` or ``{"git": url}``."""
    lock = tomllib.loads((project / "uv.lock").read_text())
    for package in lock.get("package", []):
        if package["name"] == "mlcore":
            return package["source"]
    raise ConfigError(f"{project / 'uv.lock'}: no mlcore package; run `make lock`")


def _run(args: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess:
    done = subprocess.run(args, check=False, stdin=subprocess.DEVNULL, **kwargs)
    if done.returncode != 0:
        detail = (done.stderr or "").strip().splitlines()[-1:] if kwargs.get("text") else []
        raise MlcoreError(
            f"{what} failed (exit {done.returncode}){': ' + detail[0] if detail else ''}"
        )
    return done


def _stage_mlcore(project: Path, source: dict[str, str], uv: str) -> None:
    """Fill ``.image/`` with mlcore's sdist tree when uv.lock has it from a path."""
    stage = project / STAGE
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir()
    if "directory" not in source:
        return
    directory = (project / source["directory"]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        for offline in (["--offline"], []):  # hatchling from uv's cache when it is there
            built = subprocess.run(
                [uv, "build", "--quiet", "--sdist", *offline, "--out-dir", tmp, str(directory)],
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
            )
            if built.returncode == 0:
                break
        else:
            raise ConfigError(f"uv build --sdist {directory} failed: {built.stderr.strip()}")
        (sdist,) = Path(tmp).glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp, filter="data")
        (tree,) = (p for p in Path(tmp).iterdir() if p.is_dir())
        tree.rename(stage / "mlcore")


def _inspect(engine: str, image: str) -> dict[str, Any]:
    done = _run(
        [engine, "image", "inspect", image],
        f"{engine} image inspect {image}",
        capture_output=True,
        text=True,
    )
    (info,) = json.loads(done.stdout)
    digests = info.get("RepoDigests") or []
    digest = info.get("Digest") or (digests[0].split("@")[-1] if digests else None)
    return {
        "id": info["Id"] if info["Id"].startswith("sha256:") else f"sha256:{info['Id']}",
        "digest": digest,
    }


def _default_base(project: Path) -> str:
    match = re.search(r"^ARG BASE_IMAGE=(\S+)", (project / "Dockerfile").read_text(), re.M)
    if not match:
        raise ConfigError(f"{project / 'Dockerfile'}: no `ARG BASE_IMAGE=` default")
    return match[1]


def build_image(
    project: str | Path,
    *,
    name: str,
    base_image: str | None = None,
    ca_bundle: str | Path | None = None,
    engine: str | None = None,
) -> dict[str, Any]:
    """Build ``name:lock-<sha12>`` (and ``name:latest``) from ``project``; return and write the
    record ``models/image.json``. Nothing is written when the build fails.

    ``ca_bundle``: a CA bundle file given to the build as the secret ``ca_bundle`` (for a
    TLS-intercepting proxy). Example: ``build_image(".", name="churn-model")``.
    """
    project = Path(project).resolve()
    lock = lock_sha256(project)
    if ca_bundle is not None and not Path(ca_bundle).is_file():
        raise ConfigError(f"CA_BUNDLE {ca_bundle}: no such file")
    tool = find_engine(engine)
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise ConfigError("uv is not installed (PATH, $UV): it stages mlcore for the build")
    base = base_image or _default_base(project)
    source = _mlcore_source(project)
    _stage_mlcore(project, source, uv)
    uv_version = _run([uv, "--version"], "uv --version", capture_output=True, text=True)
    tag = f"{name}:lock-{lock[:12]}"
    args = [tool, "build", "--file", str(project / "Dockerfile"), "--tag", tag]
    args += ["--tag", f"{name}:latest", "--build-arg", f"BASE_IMAGE={base}"]
    args += ["--build-arg", f"UV_VERSION={uv_version.stdout.split()[1]}"]
    if "directory" in source:
        args += ["--build-arg", f"MLCORE_DIR={(project / source['directory']).resolve()}"]
    else:
        args += ["--build-arg", "BUILD_PACKAGES=git"]
    if ca_bundle is not None:
        args += ["--secret", f"id=ca_bundle,src={Path(ca_bundle).resolve()}"]
    _run(
        [*args, str(project)],
        f"{Path(tool).name} build",
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    record = {
        "image": tag,
        **_inspect(tool, tag),
        "engine": Path(tool).name,
        "base_image": base,
        **{f"base_{key}": value for key, value in _inspect(tool, base).items()},
        "lock_sha256": lock,
        "mlcore_source": source,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_atomic(project / RECORD, json.dumps(record, indent=2) + "\n")
    return record


def image_record(project: str | Path) -> dict[str, Any] | None:
    """``models/image.json`` of ``project`` if it was built from the project's current uv.lock."""
    path = Path(project) / RECORD
    if not path.is_file() or not (Path(project) / "uv.lock").is_file():
        return None
    record = json.loads(path.read_text())
    return record if record.get("lock_sha256") == lock_sha256(project) else None


def card_rows(project: str | Path) -> list[dict[str, str]]:
    """The model card's environment rows: the lock's sha256 and the image built from it (if any).

    No lock, no rows. Example: ``card_rows(".")`` (see the module docstring).
    """
    if not (Path(project) / "uv.lock").is_file():
        return []
    rows = [{"": "uv.lock sha256", "value": lock_sha256(project)}]
    record = image_record(project)
    if record is None:
        rows.append({"": "Container image", "value": "none built from this lock (make image)"})
        return rows
    rows.append(
        {
            "": "Container image",
            "value": f"{record['image']} (id {record['id']}, digest {record['digest']})",
        }
    )
    rows.append(
        {
            "": "Base image",
            "value": f"{record['base_image']} (id {record['base_id']}, digest {record['base_digest']})",
        }
    )
    return rows
