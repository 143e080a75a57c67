"""The one-button pipeline: ``python -m {{ cookiecutter.module_name }}.pipeline [overrides]``.

Thin glue: Hydra composes ``conf/``, mlcore runs validate -> split -> train -> evaluate -> register.
"""

import hydra
from mlcore.pipeline import main as run_pipeline
from omegaconf import DictConfig

from {{ cookiecutter.module_name }} import CONFIG_DIR


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> float | None:
    """Run the configured steps as one MLflow run; exit non-zero on any error.

    Returns the config's `optimized_metric` for Hydra sweepers (make sweep).
    """
    return run_pipeline(cfg)


if __name__ == "__main__":
    main()
