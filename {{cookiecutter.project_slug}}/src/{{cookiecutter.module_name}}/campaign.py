"""Campaigns after the model: ``python -m {{ cookiecutter.module_name }}.campaign campaign.action=assign|evaluate``.

Thin glue: Hydra composes ``conf/``, mlcore splits the newest scored batch into treatment,
control, random and others and logs a campaign run (``assign``, make campaign-assign), or measures
the finished campaign from ``campaign.outcomes`` into a report logged to that run (``evaluate``,
make campaign-evaluate). One entry point for both: they share one config group and one run.
"""

import sys

import hydra
from mlcore.campaign import main as campaign
from omegaconf import DictConfig

from {{ cookiecutter.module_name }} import CONFIG_DIR


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Run ``campaign.action``; exit non-zero on any error (one ERROR line)."""
    exit_code = campaign(cfg)
    if exit_code:
        sys.exit(exit_code)


if __name__ == "__main__":
    main()
