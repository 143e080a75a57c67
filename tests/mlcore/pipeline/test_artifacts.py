"""Persisted outputs are reused only when their provenance matches this run."""

import pytest

from mlcore.errors import DataError
from mlcore.pipeline import StaleArtifact
from mlcore.pipeline._artifacts import Provenance, Store


def _store(tmp_path):
    return Store({"reports": tmp_path / "reports", "interim": tmp_path, "models": tmp_path / "m"})


def _write(folder):
    (folder / "x.txt").write_text("x")
    return {"a": [folder / "x.txt"]}


def test_an_output_with_a_matching_record_is_read_back(tmp_path):
    store = _store(tmp_path)
    made = Provenance("run1", "a" * 64, {}, {"split": {"kind": "hash"}})
    assert store.save("splits", _write, made) == {"a": [tmp_path / "split" / "x.txt"]}
    value, saved = store.load("splits", lambda f: (f / "x.txt").read_text(), made)
    assert (value, saved.run_id) == ("x", "run1")


@pytest.mark.parametrize(
    ("expected", "why"),
    [
        (Provenance("", "b" * 64, {}, {"split": {"kind": "hash"}}), "made from other data"),
        (
            Provenance("", "a" * 64, {}, {"split": {"kind": "oot"}}),
            r"other settings of \['split'\]",
        ),
    ],
)
def test_an_output_of_other_data_or_settings_is_stale_and_named(tmp_path, expected, why):
    store = _store(tmp_path)
    store.save("splits", _write, Provenance("run1", "a" * 64, {}, {"split": {"kind": "hash"}}))
    with pytest.raises(
        StaleArtifact, match=f"stale splits in {tmp_path / 'split'} .run run1.: .*{why}"
    ):
        store.load("splits", lambda f: None, expected)


def test_models_trained_on_another_split_are_stale(tmp_path):
    store = _store(tmp_path)
    store.save("models", _write, Provenance("run2", "a" * 64, {"splits": "run1"}, {}))
    with pytest.raises(StaleArtifact, match="made from the splits of run run1, this run uses"):
        store.load("models", lambda f: None, Provenance("", "a" * 64, {"splits": "run3"}, {}))


def test_a_missing_output_names_the_step_to_run(tmp_path):
    with pytest.raises(DataError, match="no models on disk .*; run the 'train' step first"):
        _store(tmp_path).load("models", lambda f: None, Provenance("", "a" * 64))


def test_a_crash_while_writing_leaves_no_record_vouching_for_half_new_files(tmp_path):
    store = _store(tmp_path)
    store.save("splits", _write, Provenance("run1", "a" * 64))

    def crash(folder):
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.save("splits", crash, Provenance("run2", "a" * 64))
    with pytest.raises(DataError, match="no splits on disk"):
        store.load("splits", lambda f: None, Provenance("", "a" * 64))


def test_an_output_is_reusable_only_with_its_step_record_files_and_mlcore_version(tmp_path):
    store = _store(tmp_path)
    made = Provenance("run1", "a" * 64)
    store.save("splits", _write, made)
    assert store.reusable("splits", lambda f: "x", made, "1.0") is None  # no step record
    store.save("splits", _write, made, {"mlcore_version": "1.0", "result": {}})
    value, saved, step = store.reusable("splits", lambda f: "x", made, "1.0")
    assert (value, saved.run_id, step["files"]) == (
        "x",
        "run1",
        {"a": [str(tmp_path / "split" / "x.txt")]},
    )
    assert store.reusable("splits", lambda f: "x", made, "1.1") is None  # another mlcore
    assert store.reusable("splits", lambda f: "x", Provenance("", "b" * 64), "1.0") is None
    (tmp_path / "split" / "x.txt").unlink()
    assert store.reusable("splits", lambda f: "x", made, "1.0") is None  # a file it logged is gone
