"""Logging a fitted scikit-learn pipeline to MLflow as a registered model, the safe way.

* saved with skops (not pickle), trusting exactly the types this pipeline holds;
* ``predict`` of the pyfunc flavour is ``predict_fn`` of the model (``predict_proba`` by
  default, probabilities; ``predict`` for a regressor);
* pinned requirements written out, never inferred (inference is slow and picks up test tools):
  the base libraries, the library of every step (the estimator's adapter names its own, see
  :func:`mlcore.model.adapter_for`), and mlcore by the exact URL it was installed from: a model
  must never pull the unrelated ``mlcore`` package from the public index;
* the source of steps that no index serves (the project's own transformers, from its package
  installed editable or on ``sys.path``) logged with the model as ``code_paths``, so it loads in
  a fresh environment.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from mlcore._signature import model_signature
from mlcore.model import adapter_for, origin_of

__all__ = ["log_sklearn_model", "model_code", "model_requirements"]

log = logging.getLogger(__name__)

_PINNED = ("scikit-learn", "pandas", "numpy", "scipy", "skops")
_SCALARS = (str, bytes, int, float, complex, bool, type(None))


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


def _parts(obj: Any, seen: set[int] | None = None) -> Iterator[Any]:
    """``obj`` and everything its params hold, recursively: the steps of Pipelines and
    ColumnTransformers, the estimators of meta-estimators, functions and classes passed as
    params (a ``FunctionTransformer``'s ``func``)."""
    seen = set() if seen is None else seen
    if isinstance(obj, _SCALARS) or id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, (list, tuple, set, frozenset)):
        children = list(obj)
    elif isinstance(obj, dict):
        children = list(obj.values())
    elif hasattr(obj, "get_params") and not isinstance(obj, type):
        children = list(obj.get_params(deep=False).values())
    else:
        return
    for child in children:
        yield from _parts(child, seen)


def model_code(model: Any) -> tuple[list[str], list[Path]]:
    """The pip requirements of the libraries ``model``'s parts come from, and the source folders
    of the parts that no installed distribution serves (mlcore itself excluded: see
    :func:`model_requirements`).

    Example:
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from sklearn.linear_model import LogisticRegression
        >>> reqs, paths = model_code(make_pipeline(StandardScaler(), LogisticRegression()))
        >>> [r.split("==")[0] for r in reqs], paths
        (['scikit-learn'], [])
    """
    requirements: list[str] = []
    paths: list[Path] = []
    for part in _parts(model):
        origin = origin_of(part)
        if origin is None or origin.module == "mlcore":
            continue
        if origin.local_path is not None:
            paths.append(origin.local_path)
        elif hasattr(part, "get_params") and not isinstance(part, type):
            requirements += adapter_for(part).requirements(part)
        else:
            requirements += origin.requirements
    return list(dict.fromkeys(requirements)), list(dict.fromkeys(paths))


def model_requirements(model: Any = None) -> list[str]:
    """Exact versions of the libraries the model needs, plus mlcore by its install URL.

    The base libraries of every model, then those of ``model``'s steps (see :func:`model_code`).

    Example:
        >>> any(r.startswith("scikit-learn==") for r in model_requirements())
        True
    """
    reqs = [f"{name}=={metadata.version(name)}" for name in _PINNED]
    if model is not None:
        estimator = model[-1] if hasattr(model, "steps") else model
        reqs += adapter_for(estimator).requirements(estimator)
        reqs += model_code(model)[0]
    mlcore_req = _mlcore_requirement()
    if mlcore_req is None:
        log.warning("mlcore has no install URL record; the model's requirements do not name it")
    else:
        reqs.append(mlcore_req)
    return list(dict.fromkeys(reqs))


def log_sklearn_model(
    model: Any, example: pd.DataFrame, registered_name: str, *, predict_fn: str = "predict_proba"
) -> Any:
    """Log ``model`` under the active run as ``model`` and register it as ``registered_name``.

    ``predict_fn`` is the method the pyfunc flavour's ``predict`` calls (``"predict"`` for a
    regressor); the signature is inferred from its output on the first rows of ``example``.
    Returns MLflow's ``ModelInfo`` (``registered_model_version`` is the new version).
    """
    import mlflow
    import skops.io

    sample = example.head(100)
    signature = model_signature(sample, getattr(model, predict_fn)(sample))
    trusted = skops.io.get_untrusted_types(data=skops.io.dumps(model))
    code_paths = [str(path) for path in model_code(model)[1]]
    if code_paths:
        log.info("logging the model with the source of its project code: %s", code_paths)
    return mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=sample.head(5),
        registered_model_name=registered_name,
        pyfunc_predict_fn=predict_fn,
        skops_trusted_types=trusted,
        pip_requirements=model_requirements(model),
        code_paths=code_paths or None,
    )
