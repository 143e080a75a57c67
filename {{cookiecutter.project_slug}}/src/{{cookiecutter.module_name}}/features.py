"""Your feature code: scikit-learn transformers that the pipeline fits inside the logged model.

List them under ``extra`` in ``conf/features/default.yaml``, Hydra style::

    extra:
      - _target_: {{ cookiecutter.module_name }}.features.RatioFeatures
        pairs: [[minutes_used, logins]]

They run first in the model's Pipeline, on the table's columns, before mlcore's preprocessing:
training, ``make predict``, ``make serve`` and ``mlflow.pyfunc.load_model`` anywhere apply them
the same way, because the registered model carries this package. A transformer takes and returns
a DataFrame (named columns) and learns in ``fit`` only what it needs at scoring time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted


class RatioFeatures(TransformerMixin, BaseEstimator):
    """Append ``<numerator>_per_<denominator>`` for each pair of columns (NaN where it is 0).

    Example:
        >>> frame = pd.DataFrame({"minutes": [10.0, 5.0], "logins": [2, 0]})
        >>> RatioFeatures(pairs=[("minutes", "logins")]).fit_transform(frame)["minutes_per_logins"].tolist()
        [5.0, nan]
    """

    def __init__(self, pairs: Sequence[Sequence[str]] = ()):
        self.pairs = pairs

    def fit(self, X: pd.DataFrame, y: object = None) -> RatioFeatures:
        """Check that every named column is in ``X`` and remember the input columns."""
        if not isinstance(X, pd.DataFrame):
            raise TypeError(f"RatioFeatures expects a DataFrame, got {type(X).__name__}")
        named = [column for pair in self.pairs for column in pair]
        missing = sorted(set(named) - set(X.columns))
        if missing:
            raise ValueError(
                f"features.extra RatioFeatures: column(s) {missing} are not in the data"
            )
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` with one ratio column appended per pair."""
        check_is_fitted(self, "n_features_in_")
        out = X.copy(deep=False)  # new columns only: X's own columns are shared, not copied
        for numerator, denominator in self.pairs:
            below = pd.to_numeric(X[denominator], errors="coerce")
            out[f"{numerator}_per_{denominator}"] = pd.to_numeric(
                X[numerator], errors="coerce"
            ) / below.where(below != 0)
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The input columns and the ratio columns, in output order."""
        check_is_fitted(self, "n_features_in_")
        added = [f"{n}_per_{d}" for n, d in self.pairs]
        return np.asarray([*self.feature_names_in_, *added], dtype=object)
