"""Batch scoring with the champion: ``python -m {{ cookiecutter.module_name }}.predict [overrides]``.

Thin glue: Hydra composes ``conf/``, mlcore scores ``predict.input`` with
``models:/{{ cookiecutter.project_slug }}@champion`` into ``data/processed/predictions/``.
"""

import sys

import hydra
from mlcore.predict import main as score
from omegaconf import DictConfig

from {{ cookiecutter.module_name }} import CONFIG_DIR


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Score the configured table; exit non-zero on any error (nothing is written then)."""
    exit_code = score(cfg)
    if exit_code:
        sys.exit(exit_code)


if __name__ == "__main__":
    main()
