"""Drift check of a new batch: ``python -m {{ cookiecutter.module_name }}.drift [overrides]``.

Thin glue: Hydra composes ``conf/``, mlcore compares the batch with the champion's training profile,
writes a report to ``reports/drift/`` and logs it as an MLflow run. Exit code 0: no alert,
1: a drift threshold was crossed (gate a retraining job on it), 2: an error.
"""

import sys

import hydra
from mlcore.monitor import main as check_drift
from omegaconf import DictConfig

from {{ cookiecutter.module_name }} import CONFIG_DIR


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> None:
    """Check the configured batch for drift; exit 1 on a drift alert, 2 on an error."""
    exit_code = check_drift(cfg)
    if exit_code:
        sys.exit(exit_code)


if __name__ == "__main__":
    main()
