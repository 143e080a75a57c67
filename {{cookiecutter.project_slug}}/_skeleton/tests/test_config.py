"""The project's config composes and is checked against mlcore's schema."""

import pytest
from mlcore.config import check_config
from mlcore.errors import ConfigError


def test_default_config_reads_a_file_and_runs_all_steps_with_no_example_assumptions(
    compose_config,
):
    cfg = check_config(compose_config())
    assert cfg["data"]["source"] == "file"
    assert cfg["data"]["date_col"] is None
    assert cfg["steps"] == ["validate", "split", "train", "evaluate", "register"]
    assert cfg["features"]["activity"] is None and cfg["features"]["extra"] == []
    evaluate = cfg["evaluate"]
    assert evaluate["heuristic"] is None and evaluate["fairness"] is None
    assert evaluate["profit"] is None


def test_smoke_preset_shrinks_the_model(compose_config):
    cfg = check_config(compose_config("experiment=smoke"))
    assert cfg["model"]["n_estimators"] == 40


def test_a_mistyped_new_key_is_rejected(compose_config):
    with pytest.raises(ConfigError, match="modle"):
        check_config(compose_config("+modle.n_estimators=5"))
