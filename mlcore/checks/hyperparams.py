"""No hard-coded hyperparameters in pipeline code: model, split and seed values belong in ``conf/``.

Rules:
    MLC301  a literal number passed for a model/split/seed argument (``n_estimators=500``) or set
            for such a key in a dict literal (``{"learning_rate": 0.05}``)

A ``# mlcore: allow-literal`` comment on the line of the argument exempts it.

Example:
    >>> check_source("src/m/train.py", "model.fit(X, y, n_estimators=500)  # mlcore: allow-literal")
    []
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from mlcore.checks import Finding

__all__ = ["ALLOW_COMMENT", "HYPERPARAMETERS", "check_files", "check_source"]

ALLOW_COMMENT = "# mlcore: allow-literal"
HYPERPARAMETERS = frozenset(
    {
        # gradient boosting and trees
        "n_estimators", "num_boost_round", "num_iterations", "learning_rate", "eta",
        "num_leaves", "max_depth", "max_leaf_nodes", "max_bin", "min_child_samples",
        "min_child_weight", "min_data_in_leaf", "min_samples_split", "min_samples_leaf",
        "max_features", "subsample", "colsample_bytree", "feature_fraction", "bagging_fraction",
        "bagging_freq", "reg_alpha", "reg_lambda", "lambda_l1", "lambda_l2", "gamma",
        "early_stopping_rounds", "scale_pos_weight",
        # linear models, kernels, neighbours, networks
        "C", "alpha", "l1_ratio", "tol", "max_iter", "n_neighbors", "hidden_layer_sizes",
        "dropout", "epochs", "batch_size", "n_iter",
        # split and seeds
        "test_size", "train_size", "n_splits", "random_state", "seed", "random_seed",
    }
)  # fmt: skip


def check_source(path: str, text: str) -> list[Finding]:
    """MLC301 findings for the Python module at ``path`` whose source is ``text``.

    A file that does not parse is left to the linter.

    Example:
        >>> print(*check_source("src/m/split.py", "train_test_split(df, test_size=0.2)"))
        src/m/split.py:1: MLC301 hard-coded hyperparameter test_size=0.2; move it to conf/ (or add '# mlcore: allow-literal')
    """
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    lines = text.splitlines()
    findings = []
    for name, value in _assignments(tree):
        if name in HYPERPARAMETERS and _is_literal(value):
            span = lines[value.lineno - 1 : value.end_lineno]
            if not any(ALLOW_COMMENT in line for line in span):
                findings.append(
                    Finding(
                        path,
                        value.lineno,
                        "MLC301",
                        f"hard-coded hyperparameter {name}={ast.unparse(value)}; move it to conf/ "
                        f"(or add '{ALLOW_COMMENT}')",
                    )
                )
    return sorted(findings)


def _assignments(tree: ast.AST) -> Iterable[tuple[str, ast.expr]]:
    """(name, value) of every keyword argument and every string-keyed dict literal entry."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield from ((kw.arg, kw.value) for kw in node.keywords if kw.arg)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    yield key.value, value


def _is_literal(node: ast.expr) -> bool:
    """A number (``500``, ``-1``, ``1e-3``) or a tuple/list of numbers (``(64, 32)``)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    if isinstance(node, ast.Tuple | ast.List):
        return bool(node.elts) and all(_is_literal(element) for element in node.elts)
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def check_files(paths: Iterable[str], root: Path) -> list[Finding]:
    """:func:`check_source` for each Python module under ``src/`` in ``paths`` (relative to ``root``).

    Example:
        >>> check_files(["tests/test_x.py"], Path("."))
        []
    """
    findings = []
    for path in paths:
        if path.endswith(".py") and PurePosixPath(path).parts[0] == "src":
            findings += check_source(path, (root / path).read_text(encoding="utf-8"))
    return findings
