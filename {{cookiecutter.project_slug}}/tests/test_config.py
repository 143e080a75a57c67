"""The project's config composes and is checked against mlcore's schema."""

import pytest
from mlcore.config import check_config
from mlcore.errors import ConfigError


def test_default_config_composes_and_passes_the_schema(compose_config):
    cfg = check_config(compose_config())
    assert cfg["steps"] == ["validate", "split", "train", "evaluate", "register"]
    assert cfg["tracking"]["uri"].startswith("sqlite:////"), "the store must be one absolute path"


def test_smoke_preset_shrinks_the_data(compose_config):
    cfg = check_config(compose_config("experiment=smoke"))
    assert cfg["data"]["synthetic"]["n_customers"] < 10_000


def test_a_mistyped_new_key_is_rejected(compose_config):
    with pytest.raises(ConfigError, match="modle"):
        check_config(compose_config("+modle.params.n_estimators=5"))
