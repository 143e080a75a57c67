"""Every Hydra config of a generated project composes (real Hydra) and passes the schema."""

import shutil
from pathlib import Path

import pytest

from mlcore.checks.configs import check_configs, check_yaml


@pytest.fixture
def project(baked, tmp_path) -> Path:
    """A copy of the generated project's conf/ and project.yaml that a test may break."""
    shutil.copytree(baked / "conf", tmp_path / "conf")
    if (baked / "project.yaml").exists():
        shutil.copy(baked / "project.yaml", tmp_path / "project.yaml")
    return tmp_path


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def test_the_generated_configs_compose_and_pass_the_schema(project):
    assert (project / "conf" / "experiment" / "smoke.yaml").is_file()
    assert check_configs(project) == []


def test_broken_yaml_is_reported_with_its_file_and_line(project):
    (project / "conf" / "model" / "broken.yaml").write_text("params:\n  num_leaves: [31, 63\n")
    (finding,) = check_configs(project)
    assert str(finding).startswith("conf/model/broken.yaml:3: MLC401 invalid YAML: ")


def test_a_missing_group_option_is_reported_against_the_default_config(project):
    _edit(project / "conf" / "config.yaml", "model: lightgbm", "model: xgboost")
    findings = check_configs(project)
    assert findings
    assert {(f.file, f.rule) for f in findings} == {("conf/config.yaml", "MLC402")}
    assert "Could not find 'model/xgboost'" in findings[0].message
    assert "Available options in 'model': hist_gradient_boosting lightgbm" in findings[0].message


def test_a_preset_that_does_not_compose_is_reported_against_its_file(project):
    bad = project / "conf" / "experiment" / "bad.yaml"
    bad.write_text("# @package _global_\ndefaults:\n  - override /split: nope\n")
    (finding,) = check_configs(project)
    assert (finding.file, finding.rule) == ("conf/experiment/bad.yaml", "MLC402")
    assert "(experiment=bad)" in finding.message
    assert "split/nope" in finding.message


def test_a_preset_with_a_mistyped_key_fails_the_schema_mlc403(project):
    typo = project / "conf" / "experiment" / "typo.yaml"
    typo.write_text("# @package _global_\nmodle:\n  params:\n    n_estimators: 5\n")
    (finding,) = check_configs(project)
    assert (finding.file, finding.rule) == ("conf/experiment/typo.yaml", "MLC403")
    assert "modle" in finding.message
    assert check_configs(project, schema=False) == []


def test_an_invalid_project_profile_is_reported_mlc404(project):
    pytest.importorskip("mlcore.project")
    (project / "project.yaml").write_text("topic: Churn\nstatus: someday\n")
    findings = check_configs(project)
    assert findings
    assert all((f.file, f.rule) == ("project.yaml", "MLC404") for f in findings)
    assert any("'status'" in f.message for f in findings)
    assert not any(str(project) in f.message for f in findings)


def test_a_project_without_conf_has_nothing_to_check(tmp_path):
    assert check_configs(tmp_path) == []


def test_check_yaml_names_the_line_of_the_problem():
    assert check_yaml("conf/a.yaml", "a: 1\nb: [2, 3]\n") == []
    (finding,) = check_yaml("conf/a.yaml", "a: 1\nb: c: d\n")
    assert (finding.line, finding.rule) == (2, "MLC401")
