"""The promotion gate, audit tags, rollback and the registry CLI, on a real SQLite MLflow store
with real LightGBM models (no MLflow mocks)."""

import json
import shutil
from datetime import UTC, datetime

import mlflow
import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from mlcore import registry, track
from mlcore._estimator import build_estimator
from mlcore._model_io import log_sklearn_model
from mlcore.cli import main as cli
from mlcore.datasets import make_churn
from mlcore.features import build_preprocessor
from mlcore.model import build_pipeline

NAME = "test-churn"
WEAK = {"n_estimators": 1, "num_leaves": 2, "n_jobs": 2}
STRONG = {"n_estimators": 40, "n_jobs": 2}


@pytest.fixture(scope="module")
def data():
    """Train and test rows, split by customer so both sets hold different customers."""
    frame = make_churn(n_customers=2000, n_months=6, seed=7)
    test = frame["customer_id"].to_numpy() % 4 == 0
    x = frame.drop(columns="churn")
    y = frame["churn"].to_numpy()
    return x[~test], y[~test], x[test], y[test]


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory):
    """An empty SQLite store with MLflow's tables created once (migrations take seconds)."""
    path = tmp_path_factory.mktemp("store") / "mlflow.db"
    mlflow.MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def store(empty_db, tmp_path, monkeypatch):
    """A fresh store (a copy of ``empty_db``) in the test's tmp dir; returns its client."""
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(empty_db, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    track.configure(uri, "test", str(tmp_path / "mlartifacts"))
    return mlflow.MlflowClient(tracking_uri=uri)


def _fit(data, params):
    x_train, y_train, _, _ = data
    features = {"drop": ["customer_id", "snapshot_month"]}
    estimator = build_estimator({"_target_": "lightgbm.LGBMClassifier", **params}, seed=7)
    return build_pipeline(build_preprocessor(x_train, features), estimator).fit(x_train, y_train)


def _register(data, params, client, validation_passed=True):
    """Train, log and register a model, run the gate and apply it: (version, decision)."""
    x_train, y_train, x_test, y_test = data
    model = _fit(data, params)
    baseline = DummyClassifier(strategy="prior").fit(x_train, y_train)
    with mlflow.start_run() as run:
        info = log_sklearn_model(model, x_test, NAME)
        decision = registry.decide(
            NAME,
            x_test,
            y_test,
            model.predict_proba(x_test)[:, 1],
            baseline.predict_proba(x_test)[:, 1],
            validation_passed=validation_passed,
            n_boot=200,
            client=client,
        )
    version = str(info.registered_model_version)
    return version, registry.promote_if_better(NAME, version, decision, run.info.run_id, client)


def _alias(client, alias):
    return str(client.get_model_version_by_alias(NAME, alias).version)


def test_gate_decides_on_the_point_difference_and_the_margin():
    assert registry.gate(0.80, 0.50, None).promote
    assert not registry.gate(0.80, 0.50, 0.79, margin=0.02).promote
    refused = registry.gate(0.55, 0.60, None)
    assert "does not beat baseline 0.6000" in refused.reason
    losses = registry.gate(0.20, 0.25, 0.21, higher_is_better=False, metric="brier")
    assert losses.promote and losses.reason.startswith("brier:")
    failed = registry.gate(0.90, 0.50, 0.60, validation_passed=False)
    assert not failed.promote and "validation did not pass" in failed.reason


def test_better_is_promoted_worse_is_not_and_rollback_walks_back(data, store):
    first, decision = _register(data, WEAK, store)
    assert decision.promote and "no champion yet" in decision.reason
    second, decision = _register(data, STRONG, store)
    assert decision.promote, decision.reason
    assert _alias(store, "champion") == second
    assert store.get_model_version(NAME, second).tags["mlcore.previous_champion"] == first

    third, decision = _register(data, WEAK, store)
    assert not decision.promote
    assert "does not beat champion" in decision.reason and "95% CI [" in decision.reason
    assert _alias(store, "champion") == second  # unchanged
    assert _alias(store, "challenger") == third  # registered, as challenger

    assert registry.rollback(NAME, store, reason="bad week") == (second, first)
    assert _alias(store, "champion") == first
    demoted = store.get_model_version(NAME, second).tags
    assert demoted["mlcore.rolled_back_to"] == first
    assert demoted["mlcore.rollback_reason"] == "bad week"
    restored = store.get_model_version(NAME, first).tags
    assert restored["mlcore.restored_from"] == second
    assert restored["mlcore.champion_since"] == restored["mlcore.restored_at"]

    with pytest.raises(registry.RegistryError, match=f"champion v{first} has no previous champion"):
        registry.rollback(NAME, store)
    assert _alias(store, "champion") == first


def test_every_decision_writes_who_when_why_and_metrics(data, store, monkeypatch):
    monkeypatch.setenv("MLCORE_USER", "ci-bot")
    version, decision = _register(data, STRONG, store)
    tags = store.get_model_version(NAME, version).tags
    assert tags["mlcore.decision"] == "promoted"
    assert tags["mlcore.decided_by"] == "ci-bot"
    when = datetime.fromisoformat(tags["mlcore.decided_at"])
    assert abs((datetime.now(UTC) - when).total_seconds()) < 600
    assert tags["mlcore.reason"] == decision.reason
    assert tags["mlcore.run_id"] == store.get_model_version(NAME, version).run_id
    metrics = json.loads(tags["mlcore.gate_metrics"])
    assert metrics["metric"] == "roc_auc" and metrics["champion"] is None
    assert metrics["challenger"] > metrics["baseline"] == 0.5
    low, high = metrics["ci_vs_baseline"]
    assert low <= metrics["diff_vs_baseline"] <= high
    assert metrics["rows"] == len(data[3])

    _, refused = _register(data, STRONG, store)  # the same model again: not better
    tags = store.get_model_version(NAME, "2").tags
    assert tags["mlcore.decision"] == "refused" and tags["mlcore.reason"] == refused.reason
    assert json.loads(tags["mlcore.gate_metrics"])["champion_version"] == version
    assert "mlcore.previous_champion" not in tags


def test_failed_validation_is_never_promoted(data, store):
    _register(data, WEAK, store)
    version, decision = _register(data, STRONG, store, validation_passed=False)
    assert not decision.promote and "validation did not pass" in decision.reason
    assert _alias(store, "champion") == "1"
    assert _alias(store, "challenger") == version


def test_a_champion_that_moved_during_the_run_is_not_overwritten(data, store):
    _register(data, WEAK, store)
    stale = registry.Decision(True, "was better", {}, champion_version=None)
    applied = registry.promote_if_better(NAME, "1", stale, client=store)
    assert not applied.promote and "champion changed from none to v1" in applied.reason


def test_a_champion_that_cannot_score_the_test_rows_is_not_beaten(data, store):
    _register(data, WEAK, store)
    x_train, y_train, x_test, y_test = data
    fewer = x_test.drop(columns=["plan", "contract"])
    decision = registry.decide(
        NAME, fewer, y_test, np.full(len(y_test), 0.9), np.full(len(y_test), 0.2),
        validation_passed=True, client=store,
    )  # fmt: skip
    assert not decision.promote
    assert decision.reason.startswith("champion v1 could not be scored on the test rows")


def test_an_unknown_promotion_metric_is_a_clear_error(data, store):
    y = data[3]
    with pytest.raises(ValueError, match="promotion metric: unknown 'f1'; use one of"):
        registry.decide(NAME, data[2], y, y * 1.0, y * 0.0, validation_passed=True, metric="f1")


def test_rollback_without_a_champion_or_a_model_is_a_clear_error(store):
    with pytest.raises(registry.RegistryError, match="'test-churn' has no champion"):
        registry.rollback(NAME, store)
    with pytest.raises(registry.RegistryError, match="no registered model 'test-churn'"):
        registry.versions(NAME, store)


def test_cli_show_and_rollback(data, store, tmp_path, capsys):
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    _register(data, WEAK, store)
    assert cli(["registry", "rollback", NAME, "--tracking-uri", uri]) == 1
    assert "has no previous champion" in capsys.readouterr().err
    _register(data, STRONG, store)

    assert cli(["registry", "show", NAME, "--tracking-uri", uri]) == 0
    out = capsys.readouterr().out
    assert "v2 @challenger @champion" in out and "mlcore.previous_champion: 1" in out
    assert cli(["registry", "rollback", NAME, "--tracking-uri", uri, "--reason", "drift"]) == 0
    assert "champion moved back from v2 to v1" in capsys.readouterr().out
    assert _alias(store, "champion") == "1"

    assert cli(["registry", "show", "nope", "--tracking-uri", uri]) == 1
    assert capsys.readouterr().err.startswith("ERROR: no registered model 'nope'")
    missing = f"sqlite:///{tmp_path}/missing.db"
    assert cli(["registry", "show", NAME, "--tracking-uri", missing]) == 1
    assert "no MLflow store at" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()


def test_an_unscorable_champion_says_how_to_unblock_and_can_give_way_to_the_baseline_gate(
    data, store
):
    _register(data, WEAK, store)
    x_train, y_train, x_test, y_test = data
    fewer = x_test.drop(columns=["plan", "contract"])
    scores = np.where(y_test == 1, 0.9, 0.1), np.full(len(y_test), 0.2)
    blocked = registry.decide(NAME, fewer, y_test, *scores, validation_passed=True, client=store)
    assert "evaluate.replace_unscorable_champion=true" in blocked.reason
    replaced = registry.decide(
        NAME, fewer, y_test, *scores, validation_passed=True, replace_unscorable=True, client=store
    )
    assert replaced.promote
    assert "decided on the baseline alone (champion v1 could not be scored" in replaced.reason
