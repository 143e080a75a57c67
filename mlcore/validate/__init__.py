"""Data validation with Great Expectations, declared in plain config.

Expectations are short mappings (usually a Hydra YAML list) translated to Great Expectations 1.x
classes and run with an ephemeral context: no GX folder, analytics and progress bars off, nothing
written to disk and nothing sent anywhere. Great Expectations is imported only when a validation
runs, so ``import mlcore.validate`` stays light.

Supported ``type`` values and their keys (every one also takes ``severity``: ``error``, the
default, fails the validation; ``warning`` only reports. ``mostly`` is the share of rows that must
pass, where it applies):

=====================  ==========================================================
``column_exists``      ``column``
``columns_match``      ``columns`` (exact set)
``dtype``              ``column``, ``dtype`` (pandas dtype name: ``int64``, ``float64``,
                       ``str`` (pandas 3 strings), ``object``, ``datetime64[us]``, ``bool``)
``not_null``           ``column``, ``mostly``
``null_share_at_most`` ``column``, ``max_share``
``unique``             ``column``, or ``columns`` for a compound key
``between``            ``column``, ``min``, ``max`` (either may be null), ``mostly``
``in_set``             ``column``, ``values``, ``mostly``
``row_count_between``  ``min``, ``max`` (either may be null)
=====================  ==========================================================

:func:`profile_expectations` drafts such a list from a trusted snapshot and
:func:`dump_expectations_yaml` writes it for a human to review and commit. A run returns a
:class:`ValidationResult`: pass/fail plus one row per expectation (observed value, unexpected
count and share, a sample of the offending rows), which writes itself as JSON or HTML.

Example:
    >>> import pandas as pd
    >>> from mlcore.validate import validate_frame
    >>> res = validate_frame(pd.DataFrame({"id": [1, 2]}), [{"type": "not_null", "column": "id"}])
    >>> res.success
    True
"""

from mlcore.validate._gx import validate_frame
from mlcore.validate._profile import dump_expectations_yaml, profile_expectations
from mlcore.validate._result import TABLE_COLUMNS, ValidationFailed, ValidationResult
from mlcore.validate._spec import EXPECTATION_TYPES, check_expectations

__all__ = [
    "EXPECTATION_TYPES",
    "TABLE_COLUMNS",
    "ValidationFailed",
    "ValidationResult",
    "check_expectations",
    "dump_expectations_yaml",
    "profile_expectations",
    "validate_frame",
]
