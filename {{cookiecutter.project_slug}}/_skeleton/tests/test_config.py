"""The project's config composes and is checked against mlcore's schema."""

import pytest
from mlcore.config import check_config
from mlcore.errors import ConfigError


def test_default_config_reads_a_file_and_runs_validation_only(compose_config):
    cfg = check_config(compose_config())
    assert cfg["data"]["source"] == "file"
    assert cfg["steps"] == ["validate"]


def test_smoke_preset_shrinks_the_model(compose_config):
    cfg = check_config(compose_config("experiment=smoke"))
    assert cfg["model"]["params"]["n_estimators"] == 40


def test_a_mistyped_new_key_is_rejected(compose_config):
    with pytest.raises(ConfigError, match="modle"):
        check_config(compose_config("+modle.params.n_estimators=5"))
