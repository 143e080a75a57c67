"""Data snapshots: the exact input table of a run as Parquet, stored once per content.

A snapshot is named by the table's fingerprint (:func:`mlcore.track.fingerprint`, the sha256 the
run already tags as ``mlcore.data.raw.sha256``): ``<store>/<sha256>.parquet``. An unchanged table
is therefore stored once, whatever number of runs read it. The store is reached through MLflow's
artifact repositories, so it can be anything MLflow stores artifacts in: a local folder, an
``s3://`` bucket, or a team server's proxied store (``mlflow-artifacts:/...``), with the
credentials MLflow already uses. By default (``data.snapshot_store: null``) it is the folder
``snapshots/`` of the experiment's artifact location, next to the runs' own artifacts.

Example:
    >>> snapshot_name("ab" * 32)
    'abababababababababababababababababababababababababababababababab.parquet'
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from mlcore.errors import DataError

__all__ = ["default_store", "fetch_snapshot", "snapshot_name", "store_snapshot"]

log = logging.getLogger(__name__)


def snapshot_name(sha256: str) -> str:
    """The file name of the snapshot of a table with fingerprint ``sha256``."""
    return f"{sha256}.parquet"


def default_store(experiment_artifact_location: str) -> str:
    """The store next to an experiment's runs: ``<artifact location>/snapshots``.

    Example:
        >>> default_store("mlflow-artifacts:/3")
        'mlflow-artifacts:/3/snapshots'
    """
    return f"{experiment_artifact_location.rstrip('/')}/snapshots"


def _repository(store: str) -> Any:
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    return get_artifact_repository(store)


def store_snapshot(frame: Any, sha256: str, store: str) -> tuple[str, bool]:
    """Store ``frame`` (fingerprint ``sha256``) in ``store`` unless it is there already.

    Returns the snapshot's URI and whether it was written now. The Parquet file is read back and
    its fingerprint checked before it is stored, so a snapshot always restores the same table.

    Example (needs a reachable store)::

        uri, new = store_snapshot(frame, track.fingerprint(frame)["sha256"], "/srv/snapshots")
    """
    import pandas as pd

    from mlcore.track import fingerprint

    name = snapshot_name(sha256)
    uri = f"{store.rstrip('/')}/{name}"
    repository = _repository(store)
    if any(Path(f.path).name == name for f in repository.list_artifacts()):
        return uri, False
    import pyarrow

    with tempfile.TemporaryDirectory(prefix="mlcore-snapshot-") as folder:
        path = Path(folder) / name
        try:
            frame.to_parquet(path, index=False)
            if all(isinstance(c, str) for c in frame.columns) and len(frame.columns):
                restored = _parquet_sha256(path, list(frame.columns))
            else:
                restored = fingerprint(pd.read_parquet(path))["sha256"]
        except (pyarrow.ArrowException, ValueError, TypeError) as exc:
            restored = f"unwritable ({str(exc).splitlines()[0]})"
        if restored != sha256:
            raise DataError(
                f"the input table does not survive a Parquet round trip (sha256 {sha256[:12]}… "
                f"becomes {restored[:72]}), so it cannot be snapshotted; set data.snapshot: "
                "false to run without one"
            )
        repository.log_artifact(str(path))
    return uri, True


def _parquet_sha256(path: Path, columns: list[str]) -> str:
    """:func:`mlcore.track.fingerprint`'s sha256 of the table in the Parquet file ``path``,
    read back one column at a time: no second copy of the whole table to check it."""
    import pandas as pd
    from pandas.core.util.hashing import combine_hash_arrays

    from mlcore.track import content_sha256

    hashes = (
        pd.util.hash_pandas_object(pd.read_parquet(path, columns=[c])[c], index=False).to_numpy()
        for c in columns
    )
    return content_sha256(columns, combine_hash_arrays(hashes, len(columns)))  # as for a frame


def fetch_snapshot(uri: str, folder: Path) -> Path:
    """Download the snapshot at ``uri`` into ``folder``; a missing one is a :class:`DataError`.

    Example (needs a reachable store)::

        path = fetch_snapshot(run.data.tags["mlcore.data.snapshot"], Path("/tmp/restore"))
    """
    store, _, name = uri.rpartition("/")
    try:
        present = any(Path(f.path).name == name for f in _repository(store).list_artifacts())
    except Exception as exc:  # an unreachable or deleted store: the snapshot is gone either way
        raise DataError(f"the data snapshot {uri} cannot be read: {exc}") from None
    if not present:
        raise DataError(
            f"the data snapshot {uri} is gone (deleted from its store): this run's data cannot "
            "be restored"
        )
    folder.mkdir(parents=True, exist_ok=True)
    return Path(_repository(store).download_artifacts(name, str(folder)))
