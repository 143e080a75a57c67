"""The heavy libraries a run's steps import, imported in a background thread while it loads data.

MLflow, Great Expectations, skops and matplotlib take seconds to import, and the steps import
them lazily (``import mlcore`` stays fast). The runner starts :class:`Preload` once the config is
checked, and :meth:`Preload.wait` before the first of them is used (the MLflow store), so loading
and checking the data (pandas and numpy, mostly one core) overlaps the imports. Only imports run
in the thread: nothing is written, no global state of mlcore is touched, and an import that fails
there is left for the step that needs it to raise as it would have.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Iterable

__all__ = ["Preload", "modules_for"]

# step -> the modules it imports (besides those every run imports)
_BY_STEP = {
    "validate": ("great_expectations", "great_expectations.expectations"),
    "evaluate": ("matplotlib.backends.backend_agg",),
    "register": ("skops.io", "mlflow.sklearn", "mlflow.pyfunc"),
}
_ALWAYS = ("mlflow", "mlflow.store.tracking.sqlalchemy_store")
# Loggers quieted before their package is imported, as the step that imports it does
# (mlcore.validate): Great Expectations logs dozens of INFO lines while it imports.
_QUIET = ("great_expectations",)
# Imported here, before the thread starts: the data loading imports them too, and two threads
# importing the same package at once can deadlock on its import locks.
_SHARED = ("pyarrow.parquet", "pandas.io.parquet")


def modules_for(steps: Iterable[str]) -> list[str]:
    """The modules to preload for a run of ``steps``, in import order.

    Example:
        >>> modules_for(["split", "validate"])[2:]
        ['great_expectations', 'great_expectations.expectations']
    """
    names = list(_ALWAYS)
    for step in steps:
        names += _BY_STEP.get(step, ())
    return list(dict.fromkeys(names))


class Preload:
    """Import ``modules`` in a daemon thread; :meth:`wait` joins it (call it before using them).

    Example:
        >>> preload = Preload(["json"])
        >>> preload.wait()
        ['json']
    """

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = list(modules)
        for name in _SHARED if self.modules else ():
            importlib.import_module(name)
        for name in _QUIET:
            if any(m.split(".")[0] == name for m in self.modules):
                logging.getLogger(name).setLevel(logging.WARNING)
        self.imported: list[str] = []
        self._thread = threading.Thread(target=self._run, name="mlcore-preload", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for name in self.modules:
            try:
                importlib.import_module(name)
            except Exception:  # the step that imports it raises it, where it should
                continue
            self.imported.append(name)

    def wait(self) -> list[str]:
        """Block until the imports are done; return the modules imported."""
        self._thread.join()
        return self.imported
