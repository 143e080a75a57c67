"""Literal model/split/seed arguments in src/ are flagged; values read from the config are not."""

import ast

import pytest

from mlcore.checks.hyperparams import ALLOW_COMMENT, check_files, check_source


def test_a_literal_keyword_argument_is_flagged_with_file_line_rule_and_fix():
    text = "from lightgbm import LGBMClassifier\n\nmodel = LGBMClassifier(n_estimators=500)\n"
    (finding,) = check_source("src/pkg/pipeline.py", text)
    assert str(finding) == (
        "src/pkg/pipeline.py:3: MLC301 hard-coded hyperparameter n_estimators=500; move it to "
        "conf/ (or add '# mlcore: allow-literal')"
    )


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("train_test_split(X, y, test_size=0.2, random_state=42)", "test_size=0.2"),
        ("np.random.default_rng(seed=7)", "seed=7"),
        ("LogisticRegression(C=0.5)", "C=0.5"),
        ("model.set_params(learning_rate=1e-3)", "learning_rate=0.001"),
        ("MLPClassifier(hidden_layer_sizes=(64, 32))", "hidden_layer_sizes=(64, 32)"),
        ("LGBMClassifier(max_depth=-1)", "max_depth=-1"),
        ('params = {"num_leaves": 31}', "num_leaves=31"),
    ],
)
def test_literal_model_split_and_seed_values_are_flagged_mlc301(source, shown):
    findings = check_source("src/pkg/train.py", source)
    assert findings
    assert all(f.rule == "MLC301" and f.line == 1 for f in findings)
    assert any(shown in f.message for f in findings)


@pytest.mark.parametrize(
    "source",
    [
        "LGBMClassifier(n_estimators=cfg.model.params.n_estimators)",
        "LGBMClassifier(**cfg['model']['params'])",
        "train_test_split(X, test_size=fractions['test'])",
        "LGBMClassifier(n_jobs=2, verbose=-1)",
        "DecisionTreeClassifier(max_depth=None)",
        "load(path, seed=SEED)",
        "Ridge(alpha=True)",
        'params = {"n_estimators": n_trees, **defaults}',
    ],
)
def test_values_from_config_variables_and_non_hyperparameters_pass(source):
    assert check_source("src/pkg/train.py", source) == []


def test_the_allow_comment_exempts_only_its_own_line():
    allowed = f"fit(\n    n_estimators=500,  {ALLOW_COMMENT}\n    learning_rate=0.1,\n)\n"
    (finding,) = check_source("src/pkg/train.py", allowed)
    assert finding.line == 3
    assert "learning_rate=0.1" in finding.message


def test_a_file_that_does_not_parse_is_left_to_the_linter():
    assert check_source("src/pkg/train.py", "fit(n_estimators=500") == []


def test_check_files_looks_only_at_python_modules_under_src(tmp_path):
    for path in ("src/pkg/train.py", "tests/test_train.py", "scripts/bench.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("fit(n_estimators=500)\n")
    paths = ["src/pkg/train.py", "tests/test_train.py", "scripts/bench.py"]
    assert [f.file for f in check_files(paths, tmp_path)] == ["src/pkg/train.py"]


def test_the_generated_pipeline_code_has_no_hard_coded_hyperparameters(baked):
    modules = [p.relative_to(baked).as_posix() for p in (baked / "src").rglob("*.py")]
    assert "src/churn_model/pipeline.py" in modules
    for module in modules:
        ast.parse((baked / module).read_text(encoding="utf-8"))  # a file that parses is checked
    assert check_files(modules, baked) == []
