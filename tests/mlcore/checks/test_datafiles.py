"""No data or model files in git, by extension outside the fixtures and by size everywhere."""

import pytest

from mlcore.checks.datafiles import MAX_BYTES, check_file, check_files


@pytest.mark.parametrize(
    "path",
    [
        "customers.csv",
        "src/pkg/lookup.parquet",
        "notebooks/scores.feather",
        "models/model.pkl",
        "model.joblib",
        "export/model.onnx",
        "model.skops",
        "weights.h5",
        "data.csv.gz",
        "UPPER.CSV",
    ],
)
def test_data_and_model_files_are_flagged_mlc201_whatever_their_size(path):
    (finding,) = check_file(path, 10)
    assert str(finding).startswith(f"{path}: MLC201 data/model file (")
    assert "tests/fixtures/" in finding.message


def test_code_config_and_docs_pass():
    for path in ("src/pkg/pipeline.py", "conf/config.yaml", "README.md", "notebooks/01-ds-x.ipynb"):
        assert check_file(path, 50_000) == []


def test_small_fixtures_and_allowed_globs_pass():
    assert check_file("tests/fixtures/tiny.csv", 2_000) == []
    assert check_file("tests/fixtures/nested/model.pkl", 2_000) == []
    assert [f.rule for f in check_file("docs/sample.csv", 2_000)] == ["MLC201"]
    assert check_file("docs/sample.csv", 2_000, allowed=["docs/*.csv"]) == []


def test_files_over_the_size_limit_are_flagged_mlc202_even_as_fixtures():
    assert check_file("docs/diagram.png", MAX_BYTES) == []
    (finding,) = check_file("docs/diagram.png", 5_000_000)
    assert finding.rule == "MLC202"
    assert "5.0 MB, over the 1 MB limit" in finding.message
    assert [f.rule for f in check_file("tests/fixtures/big.csv", 2_000_000)] == ["MLC202"]
    assert [f.rule for f in check_file("big.csv", 2_000_000)] == ["MLC201", "MLC202"]
    assert check_file("docs/diagram.png", 5_000_000, max_bytes=10_000_000) == []


def test_check_files_uses_sizes_on_disk_and_skips_deleted_files(tmp_path):
    (tmp_path / "blob.bin").write_bytes(b"\0" * 1_500_000)
    (tmp_path / "small.txt").write_text("hi")
    findings = check_files(["blob.bin", "small.txt", "deleted.csv"], tmp_path)
    assert [(f.file, f.rule) for f in findings] == [("blob.bin", "MLC202")]
