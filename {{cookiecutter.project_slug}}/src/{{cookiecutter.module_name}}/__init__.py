"""{{ cookiecutter.project_name }}: {{ cookiecutter.description }}

The entry points (``pipeline``, ``predict``, ``drift``) are Hydra apps on the configs in ``conf/``;
importing the package registers the ``${project_root:}`` and ``${run_id:}`` resolvers they use.
"""

from pathlib import Path

from mlcore.config import register_resolvers

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = PROJECT_ROOT / "conf"
register_resolvers(PROJECT_ROOT)
