"""LightGBM trained data-parallel on a ``dask.distributed`` cluster (the ``dask`` extra).

Dask is imported only when such a model is fitted.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["LOCAL_WORKERS", "DaskLightGBMClassifier", "dask_client"]

LOCAL_WORKERS = 2  # workers of the LocalCluster started when ``cluster`` is None


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

    ``params`` are ``LGBMClassifier``'s keyword arguments. ``fit`` partitions the rows across the
    cluster's workers, trains with ``lightgbm.DaskLGBMClassifier`` and keeps the fitted local
    ``LGBMClassifier`` (:meth:`to_local`): no cluster is needed to score, save or load the model.
    ``cluster`` is a scheduler address such as ``tcp://scheduler:8786``, or None for a local
    cluster of :data:`LOCAL_WORKERS` worker processes (loopback only, no dashboard).

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
