"""Estimators named by the ``model`` config, wrapped with the preprocessing into one pipeline.

LightGBM is imported only when a LightGBM model is built, and Dask only when a
``lightgbm_dask`` model is fitted.

Example:
    >>> from mlcore.model import build_estimator
    >>> type(build_estimator({"kind": "dummy", "params": {}}, seed=0)).__name__
    'DummyClassifier'
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from mlcore._progress import Progress
from mlcore._schema import choice
from mlcore.errors import ConfigError

__all__ = [
    "MODEL_KINDS",
    "DaskLightGBMClassifier",
    "boosting_progress",
    "build_estimator",
    "build_pipeline",
    "fit_params",
]

MODEL_KINDS = ("lightgbm", "lightgbm_dask", "dummy")
LOCAL_WORKERS = 2  # workers of the LocalCluster started when ``model.cluster`` is null


def _lightgbm_params(params: Mapping[str, Any], seed: int) -> dict[str, Any]:
    """``params`` plus the seed and the settings that make LightGBM reproducible."""
    params = dict(params)
    params.setdefault("random_state", seed)
    params.setdefault("deterministic", True)
    params.setdefault("force_row_wise", True)
    params.setdefault("verbose", -1)
    return params


def build_estimator(config: Mapping[str, Any], seed: int) -> ClassifierMixin:
    """A classifier of ``config["kind"]`` with ``config["params"]``; the seed comes from config.

    LightGBM gets ``random_state=seed`` unless the params set it, and ``deterministic`` with
    ``force_row_wise`` so the same data and thread count give the same model. ``lightgbm_dask``
    trains the same model through a ``dask.distributed`` cluster: ``config["cluster"]`` is a
    scheduler address, or null for a local 2-worker cluster (see :class:`DaskLightGBMClassifier`).
    """
    kind = choice(config.get("kind"), "model.kind", MODEL_KINDS)
    params = dict(config.get("params") or {})
    if kind == "dummy":
        return DummyClassifier(strategy=params.pop("strategy", "prior"), **params)
    from lightgbm import LGBMClassifier

    params = _lightgbm_params(params, seed)
    try:
        local = LGBMClassifier(**params)  # checks the params for both kinds
    except TypeError as exc:
        raise ConfigError(f"model.params: {exc}") from None
    if kind == "lightgbm":
        return local
    params.pop("n_jobs", None)  # each Dask worker trains with its own thread count
    return DaskLightGBMClassifier(params=params, cluster=config.get("cluster"))


def build_pipeline(preprocessor: Any, estimator: ClassifierMixin) -> Pipeline:
    """The model that is logged: preprocessing and estimator fitted and saved together."""
    return Pipeline([("preprocess", preprocessor), ("model", estimator)])


def fit_params(config: Mapping[str, Any], label: str, **options: Any) -> dict[str, Any]:
    """Keyword arguments for fitting ``build_pipeline``'s pipeline of the ``model`` config.

    A ``lightgbm`` model logs its progress (see :func:`boosting_progress`); other kinds get none.

    Example:
        >>> fit_params({"kind": "dummy", "params": {}}, "train")
        {}
    """
    if config["kind"] != "lightgbm":
        return {}
    return {"model__callbacks": [boosting_progress(label, **options)]}


def boosting_progress(label: str, **options: Any) -> Callable[[Any], None]:
    """A LightGBM callback that logs trees built, elapsed time and ETA (see ``Progress``).

    Example:
        >>> import numpy as np
        >>> from lightgbm import LGBMClassifier
        >>> X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
        >>> callback = boosting_progress("fit 20 rows")
        >>> LGBMClassifier(n_estimators=3, verbose=-1).fit(X, y, callbacks=[callback]).n_estimators
        3
    """
    progress: Progress | None = None

    def callback(env: Any) -> None:
        nonlocal progress
        if progress is None:  # starts the clock at the first tree
            total = env.end_iteration - env.begin_iteration
            progress = Progress(label, total, unit="trees", **options)
        progress.update(1)
        if env.iteration + 1 == env.end_iteration:
            progress.finish()

    return callback


@contextmanager
def dask_client(cluster: str | None, n_workers: int = LOCAL_WORKERS) -> Iterator[Any]:
    """A ``dask.distributed`` client of ``cluster`` (an address), or of a new local cluster.

    The local cluster has ``n_workers`` single-threaded worker processes on the loopback
    interface and no dashboard; it is shut down on exit. A remote cluster is only disconnected.

    Example (needs the ``dask`` extra)::

        with dask_client(None) as client:
            print(client.nthreads())
    """
    from distributed import Client, LocalCluster

    if cluster:
        with Client(cluster, set_as_default=False) as client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            worker_dashboard_address=None,
            # The scheduler's health/metrics HTTP server: loopback, any free port (never 8787).
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as local,
        Client(local, set_as_default=False) as client,
    ):
        yield client


class DaskLightGBMClassifier(ClassifierMixin, BaseEstimator):
    """LightGBM trained data-parallel on a Dask cluster; scores locally like ``LGBMClassifier``.

    ``fit`` partitions the rows across the cluster's workers, trains with
    ``lightgbm.DaskLGBMClassifier`` and keeps the fitted local ``LGBMClassifier``
    (:meth:`to_local`): no cluster is needed to score, save or load the model. ``cluster`` is a
    scheduler address such as ``tcp://scheduler:8786``, or None for a local cluster of
    :data:`LOCAL_WORKERS` worker processes (loopback only, no dashboard).

    Example (needs the ``dask`` extra)::

        model = DaskLightGBMClassifier({"n_estimators": 50}).fit(X, y)
        model.to_local().predict_proba(X)
    """

    def __init__(self, params: Mapping[str, Any] | None = None, cluster: str | None = None):
        self.params = params
        self.cluster = cluster

    def fit(self, X: Any, y: Any) -> DaskLightGBMClassifier:
        """Train on the cluster; ``X`` and ``y`` are in-memory arrays or frames."""
        import dask.array as da
        from lightgbm import DaskLGBMClassifier

        features = np.asarray(X, dtype=np.float64)
        labels = np.asarray(y)
        with dask_client(self.cluster) as client:
            workers = max(1, len(client.scheduler_info()["workers"]))
            rows = math.ceil(len(features) / workers)
            dask_x = da.from_array(features, chunks=(rows, features.shape[1]))
            dask_y = da.from_array(labels, chunks=rows)
            trained = DaskLGBMClassifier(client=client, **dict(self.params or {}))
            with client.as_current(), warnings.catch_warnings():  # LightGBM uses the default client
                # n_jobs is always None here (each worker uses its own threads); LightGBM still warns
                warnings.filterwarnings("ignore", "Parameter n_jobs will be ignored", UserWarning)
                self.model_ = trained.fit(dask_x, dask_y).to_local()
        self.classes_ = self.model_.classes_
        self.n_features_in_ = features.shape[1]
        return self

    def to_local(self) -> Any:
        """The fitted ``lightgbm.LGBMClassifier`` (plain scikit-learn, no Dask needed)."""
        check_is_fitted(self, "model_")
        return self.model_

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities from the local model."""
        return self.to_local().predict_proba(np.asarray(X, dtype=np.float64))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted classes from the local model."""
        return self.to_local().predict(np.asarray(X, dtype=np.float64))
