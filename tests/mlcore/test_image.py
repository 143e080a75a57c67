"""mlcore.image without a container engine: the lock's hash, the record the model card shows only
for the lock it was built from, and the errors raised before any build starts. (The real podman
build is tests/template/test_image.py.)"""

import hashlib
import json

import pytest

from mlcore.errors import ConfigError
from mlcore.image import build_image, card_rows, find_engine, image_record, lock_sha256

LOCK = 'version = 1\n\n[[package]]\nname = "mlcore"\nsource = { directory = "/src/ml-template" }\n'


@pytest.fixture
def project(tmp_path):
    (tmp_path / "uv.lock").write_text(LOCK)
    (tmp_path / "Dockerfile").write_text("ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n")
    return tmp_path


def record_for(project, lock: str) -> dict:
    record = {
        "image": f"churn-model:lock-{lock[:12]}",
        "id": "sha256:" + "1" * 64,
        "digest": "sha256:" + "2" * 64,
        "base_image": "python:3.11-slim",
        "base_id": "sha256:" + "3" * 64,
        "base_digest": "sha256:" + "4" * 64,
        "lock_sha256": lock,
    }
    (project / "models").mkdir(exist_ok=True)
    (project / "models" / "image.json").write_text(json.dumps(record))
    return record


def test_the_lock_hash_is_the_sha256_of_uv_lock_and_a_missing_lock_names_make_lock(project):
    assert lock_sha256(project) == hashlib.sha256(LOCK.encode()).hexdigest()
    (project / "uv.lock").unlink()
    with pytest.raises(ConfigError, match=r"uv.lock is missing: run `make lock`"):
        lock_sha256(project)
    assert card_rows(project) == []


def test_the_card_lists_the_image_built_from_the_runs_lock(project):
    record = record_for(project, lock_sha256(project))
    assert image_record(project) == record
    rows = {row[""]: row["value"] for row in card_rows(project)}
    assert rows["uv.lock sha256"] == lock_sha256(project)
    assert (
        record["image"] in rows["Container image"] and record["digest"] in rows["Container image"]
    )
    assert rows["Base image"].startswith("python:3.11-slim (id sha256:333")


def test_an_image_of_another_lock_is_not_claimed(project):
    record_for(project, "f" * 64)
    assert image_record(project) is None
    rows = {row[""]: row["value"] for row in card_rows(project)}
    assert rows["Container image"] == "none built from this lock (make image)"


def test_a_missing_engine_or_ca_bundle_fails_before_building_and_writes_nothing(project, tmp_path):
    with pytest.raises(ConfigError, match="no container engine: no-such-engine is not on PATH"):
        find_engine("no-such-engine")
    with pytest.raises(ConfigError, match="CA_BUNDLE .*/missing.pem: no such file"):
        build_image(project, name="churn-model", ca_bundle=tmp_path / "missing.pem")
    assert not (project / "models").exists() and not (project / ".image").exists()
