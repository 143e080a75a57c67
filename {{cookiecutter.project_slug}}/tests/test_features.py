"""The project's transformers behave as scikit-learn expects, inside and outside a Pipeline."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from {{ cookiecutter.module_name }}.features import RatioFeatures


def _frame():
    return pd.DataFrame({"amount": [10.0, 6.0, 3.0], "items": [2, 0, 3], "kind": ["a", "b", "a"]})


def test_ratio_features_append_one_ratio_per_pair_and_keep_the_input_columns():
    out = RatioFeatures(pairs=[("amount", "items")]).fit_transform(_frame())
    assert out.columns.tolist() == ["amount", "items", "kind", "amount_per_items"]
    np.testing.assert_array_equal(out["amount_per_items"], [5.0, np.nan, 1.0])  # 0 -> NaN


def test_ratio_features_leave_the_input_frame_as_it_was():
    frame = _frame()
    RatioFeatures(pairs=[("amount", "items")]).fit_transform(frame)
    pd.testing.assert_frame_equal(frame, _frame())


def test_ratio_features_name_their_output_columns():
    fitted = RatioFeatures(pairs=[("amount", "items")]).fit(_frame())
    assert fitted.get_feature_names_out().tolist() == [
        "amount",
        "items",
        "kind",
        "amount_per_items",
    ]


def test_a_column_missing_from_the_data_is_a_clear_error():
    with pytest.raises(ValueError, match=r"column\(s\) \['price'\] are not in the data"):
        RatioFeatures(pairs=[("price", "items")]).fit(_frame())


def test_ratio_features_clone_with_their_parameters():
    original = RatioFeatures(pairs=[("amount", "items")])
    assert clone(original).get_params() == original.get_params()
