"""Logging a fitted scikit-learn pipeline to MLflow as a registered model, the safe way.

* saved with skops (not pickle), trusting exactly the types this pipeline holds;
* ``predict`` of the pyfunc flavour returns probabilities (``predict_proba``);
* pinned requirements written out, never inferred (inference is slow and picks up test tools),
  with mlcore named by the exact URL it was installed from: a model must never pull the unrelated
  ``mlcore`` package from the public index.
"""

from __future__ import annotations

import json
import logging
from importlib import metadata
from typing import Any

import pandas as pd

__all__ = ["log_sklearn_model", "model_requirements"]

log = logging.getLogger(__name__)

_PINNED = ("scikit-learn", "lightgbm", "pandas", "numpy", "scipy", "skops")


def _mlcore_requirement() -> str | None:
    try:
        direct = metadata.distribution("mlcore").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not direct:
        return None
    info = json.loads(direct)
    vcs = info.get("vcs_info")
    if vcs:
        return f"mlcore @ {vcs['vcs']}+{info['url']}@{vcs['commit_id']}"
    return f"mlcore @ {info['url']}"


def model_requirements() -> list[str]:
    """Exact versions of the libraries the model needs, plus mlcore by its install URL.

    Example:
        >>> any(r.startswith("scikit-learn==") for r in model_requirements())
        True
    """
    reqs = [f"{name}=={metadata.version(name)}" for name in _PINNED]
    mlcore_req = _mlcore_requirement()
    if mlcore_req is None:
        log.warning("mlcore has no install URL record; the model's requirements do not name it")
    else:
        reqs.append(mlcore_req)
    return reqs


def log_sklearn_model(model: Any, example: pd.DataFrame, registered_name: str) -> Any:
    """Log ``model`` under the active run as ``model`` and register it as ``registered_name``.

    Returns MLflow's ``ModelInfo`` (``registered_model_version`` is the new version).
    """
    import mlflow
    import skops.io
    from mlflow.models import infer_signature

    sample = example.head(100)
    signature = infer_signature(sample, model.predict_proba(sample))
    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    return mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=sample.head(5),
        registered_model_name=registered_name,
        pyfunc_predict_fn="predict_proba",
        skops_trusted_types=trusted,
        pip_requirements=model_requirements(),
    )
