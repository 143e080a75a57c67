"""A ColumnTransformer that fits without building its output and transforms in row chunks.

scikit-learn's ``ColumnTransformer.fit`` is ``fit_transform``: every branch's float64 output,
then their horizontal stack, for all the training rows at once (about twice the training matrix
in float64 at its peak). :class:`ChunkedColumnTransformer` learns the same statistics (each
branch fitted on all the rows) and writes its output ``chunk_rows`` rows at a time into one
preallocated float32 matrix, half the size, which LightGBM takes without a copy. Every output,
at training and at scoring, is float32 whatever the chunk size, so a fitted model scores the
same rows the same in chunks or at once.

Example:
    >>> import pandas as pd
    >>> from sklearn.impute import SimpleImputer
    >>> X = pd.DataFrame({"x": [1.0, None, 3.0, 4.0]})
    >>> ct = ChunkedColumnTransformer([("num", SimpleImputer(strategy="median"), ["x"])], chunk_rows=2)
    >>> ct.fit_transform(X).ravel().tolist()
    [1.0, 3.0, 3.0, 4.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import TargetEncoder
from sklearn.utils import _safe_indexing

__all__ = ["ChunkedColumnTransformer"]


def _cross_fitted(transformer: Any) -> bool:
    """Whether ``fit_transform`` gives the training rows other values than ``fit().transform``
    (out-of-fold target encoding): those branches keep their own training output."""
    last = transformer.steps[-1][1] if isinstance(transformer, Pipeline) else transformer
    return isinstance(last, TargetEncoder)


class ChunkedColumnTransformer(ColumnTransformer):
    """:class:`~sklearn.compose.ColumnTransformer` with a float32 output built ``chunk_rows``
    rows at a time (``None``: all at once); the other parameters are ColumnTransformer's.

    ``fit`` fits each branch on all the rows without transforming them (the column layout is
    taken from the first chunk), so the fitted statistics are those of ``ColumnTransformer``.
    Output must be dense (no sparse branches).
    """

    def __init__(
        self,
        transformers: list[tuple[str, Any, Any]],
        *,
        remainder: Any = "drop",
        sparse_threshold: float = 0.3,
        n_jobs: int | None = None,
        transformer_weights: dict | None = None,
        verbose: bool = False,
        verbose_feature_names_out: bool = True,
        chunk_rows: int | None = 100_000,
    ):
        super().__init__(
            transformers,
            remainder=remainder,
            sparse_threshold=sparse_threshold,
            n_jobs=n_jobs,
            transformer_weights=transformer_weights,
            verbose=verbose,
            verbose_feature_names_out=verbose_feature_names_out,
        )
        self.chunk_rows = chunk_rows

    def _chunks(self, n_rows: int) -> list[slice]:
        step = n_rows if not self.chunk_rows else max(int(self.chunk_rows), 1)
        return [slice(start, min(start + step, n_rows)) for start in range(0, n_rows, step)]

    def fit(self, X: Any, y: Any = None, **params: Any) -> ChunkedColumnTransformer:
        """Fit every branch on all of ``X`` (and ``y``) without building the output."""
        self._fit(X, y, **params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> np.ndarray:
        """Fit, then the training rows' output (float32, in chunks)."""
        trained = self._fit(X, y, **params)
        if trained is not None:  # all rows in one chunk: the output of ColumnTransformer's fit
            return trained
        out = self.transform(X)
        for name, trans, columns, _ in self._branches():
            if _cross_fitted(trans):  # the out-of-fold encoding of the training rows
                out[:, self.output_indices_[name]] = trans.fit_transform(
                    _safe_indexing(X, columns, axis=1), y
                )
        return out

    def transform(self, X: Any, **params: Any) -> np.ndarray:
        """``X`` transformed ``chunk_rows`` rows at a time into one float32 matrix."""
        chunks = self._chunks(len(X))
        if len(chunks) <= 1:
            return np.asarray(super().transform(X, **params), dtype=np.float32)
        first = super().transform(_safe_indexing(X, chunks[0]), **params)
        out = np.empty((len(X), first.shape[1]), dtype=np.float32)
        out[chunks[0]] = first
        for rows in chunks[1:]:
            out[rows] = super().transform(_safe_indexing(X, rows), **params)
        return out

    def _branches(self) -> list[tuple[str, Any, Any, Any]]:
        return list(
            self._iter(fitted=True, column_as_labels=True, skip_drop=True, skip_empty_columns=True)
        )

    def _fit(self, X: Any, y: Any, **params: Any) -> np.ndarray | None:
        """Fit; the training output when ``X`` is one chunk (None otherwise)."""
        chunks = self._chunks(len(X))
        if len(chunks) <= 1:
            return np.asarray(super().fit_transform(X, y, **params), dtype=np.float32)
        head = _safe_indexing(X, chunks[0])
        y_head = None if y is None else _safe_indexing(y, chunks[0])
        super().fit_transform(head, y_head, **params)  # the layout: columns, branches, names
        sample = _safe_indexing(head, slice(0, 1))
        widths = []
        for _, trans, columns, _ in self._branches():
            if not isinstance(trans, str):  # "passthrough" learns nothing
                trans.fit(_safe_indexing(X, columns, axis=1), y)
            widths.append(trans.transform(_safe_indexing(sample, columns, axis=1)))
        self._record_output_indices(widths)  # branch widths can depend on the rows (indicators)
        return None
