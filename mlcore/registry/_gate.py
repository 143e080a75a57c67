"""The promotion gate: challenger vs baseline and the champion, fairly compared (see :mod:`mlcore.registry`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from mlcore.errors import ConfigError
from mlcore.registry._base import Decision, _beats, _champion, _client

__all__ = ["decide", "gate"]


def gate(
    challenger: float,
    baseline: float,
    champion: float | None,
    margin: float = 0.0,
    *,
    validation_passed: bool = True,
    validation_reason: str = "data validation did not pass in this run (failed or skipped)",
    higher_is_better: bool = True,
    metric: str = "roc_auc",
) -> Decision:
    """Promote when validation passed and ``challenger`` beats the baseline and the champion (if
    any) by more than ``margin`` (lower is better when ``higher_is_better`` is False).

    Example:
        >>> gate(challenger=0.70, baseline=0.50, champion=0.72).reason
        'roc_auc: challenger 0.7000 does not beat champion 0.7200 by more than margin 0'
    """
    metrics = {
        "metric": metric,
        "challenger": challenger,
        "baseline": baseline,
        "champion": champion,
        "margin": margin,
        "validation_passed": validation_passed,
    }
    if not validation_passed:
        return Decision(False, validation_reason, metrics)
    for name, other in (("baseline", baseline), ("champion", champion)):
        if other is not None and not _beats(challenger, other, margin, higher_is_better):
            return Decision(
                False,
                f"{metric}: challenger {challenger:.4f} does not beat {name} {other:.4f} "
                f"by more than margin {margin:g}",
                metrics,
            )
    against = "no champion yet" if champion is None else f"champion {champion:.4f}"
    return Decision(
        True, f"{metric}: challenger {challenger:.4f} beats baseline and {against}", metrics
    )


def _scores(client: Any, model_name: str, version: str, features: Any, task: Any) -> np.ndarray:
    import mlflow

    from mlcore.model import split_features

    model = mlflow.sklearn.load_model(client.get_model_version_download_uri(model_name, version))
    return task.score(split_features(model)[1], features)  # the rows have their features


def decide(
    model_name: str,
    features: Any,
    y_true: np.ndarray,
    challenger_scores: np.ndarray,
    baseline_scores: np.ndarray,
    *,
    validation_passed: bool,
    validation_reason: str | None = None,
    metric: str = "roc_auc",
    margin: float = 0.0,
    n_boot: int = 200,
    seed: int = 0,
    task: Any = None,
    unseen_by: Callable[[Mapping[str, str]], tuple[np.ndarray | None, str]] | None = None,
    min_rows: int = 100,
    replace_unscorable: bool = False,
    client: Any | None = None,
) -> Decision:
    """The promotion gate on the test rows: challenger vs baseline and vs the current champion.

    The champion is loaded from the registry and scored on ``features``, so all three models are
    compared on the same rows with the task's paired bootstrap (``task.compare``; binary by
    default: :func:`mlcore.evaluate.compare_models`). The
    decision uses the point difference and the margin; the CIs go into ``metrics`` and the reason
    (``n_boot`` replicates: the CI is reported, not gated on, so a few hundred are enough).
    A champion that cannot score these rows (e.g. a changed schema) is not beaten: refused.

    A fair comparison: ``unseen_by(champion version tags)`` gives the mask of the test rows the
    champion did not train on (None: all of them) and a sentence naming them; the champion is
    compared on those rows only, and the gate refuses when fewer than ``min_rows`` remain (or a
    single class). The rows compared are in the reason and ``metrics["compared_on"]``. A
    champion that cannot score the rows refuses the challenger, unless ``replace_unscorable``
    (the champion's inputs are gone for good): then the baseline alone decides, and says so.

    Example (needs a configured store)::

        decision = decide("churn-model", x_test, y_test, model_scores, dummy_scores,
                          validation_passed=True, margin=0.001)
    """
    from mlcore.task import get_task

    task = task or get_task("binary")
    if metric not in task.gate_metrics:
        raise ConfigError(
            f"promotion metric: unknown {metric!r}; use one of {sorted(task.gate_metrics)} "
            f"(task {task.name!r})"
        )
    client = _client(client)
    found = _champion(client, model_name)
    version = None if found is None else str(found.version)
    options = {"metric": metric, "n_boot": n_boot, "seed": seed, "margin": margin}
    vs_baseline = task.compare(y_true, baseline_scores, challenger_scores, **options).iloc[0]
    vs_champion, rows, compared_on = None, None, "all test rows"
    if version is not None:
        if unseen_by is not None:
            rows, compared_on = unseen_by(found.tags)
        y_c, x_c, s_c = y_true, features, challenger_scores
        if rows is not None:
            y_c, x_c, s_c = np.asarray(y_true)[rows], features[rows], challenger_scores[rows]
            one_class = task.is_classifier and len(np.unique(y_c)) < 2
            if len(y_c) < min_rows or one_class:
                reason = (
                    f"champion v{version} compared on {compared_on}: too few to decide (need "
                    f"at least {min_rows}{' with both classes' if task.is_classifier else ''}); "
                    "retrain with the champion's split, or lower evaluate.min_compare_rows"
                )
                metrics = {"metric": metric, "compared_on": compared_on, "compared_rows": len(y_c)}
                return Decision(False, reason, metrics, version)
        try:
            scores = _scores(client, model_name, version, x_c, task)
            vs_champion = task.compare(y_c, scores, s_c, **options).iloc[0]
        except Exception as exc:  # any failure to score means "not beaten"
            unscorable = f"champion v{version} could not be scored on the test rows: {exc}"
            if not replace_unscorable:
                metrics = {"metric": metric, "validation_passed": validation_passed}
                reason = (
                    f"{unscorable}; if its inputs are gone for good, set "
                    "evaluate.replace_unscorable_champion=true to decide on the baseline alone"
                )
                return Decision(False, reason, metrics, version)
            compared_on = f"the baseline alone ({unscorable})"
    higher_is_better = bool(vs_baseline["higher_is_better"])
    decision = gate(
        challenger=float(vs_baseline["challenger"]),
        baseline=float(vs_baseline["champion"]),
        champion=None
        if vs_champion is None or rows is not None
        else float(vs_champion["champion"]),
        margin=margin,
        validation_passed=validation_passed,
        **({"validation_reason": validation_reason} if validation_reason else {}),
        higher_is_better=higher_is_better,
        metric=metric,
    )
    if version is not None and vs_champion is None:  # an unscorable champion, replaced
        decision = replace(decision, reason=f"{decision.reason}; decided on {compared_on}")
    elif decision.promote and rows is not None:  # the champion, on the rows neither trained on
        mine, theirs = float(vs_champion["challenger"]), float(vs_champion["champion"])
        beaten = _beats(mine, theirs, margin, higher_is_better)
        verdict = "beats" if beaten else f"does not beat (by more than margin {margin:g})"
        decision = replace(
            decision,
            promote=beaten,
            reason=f"{metric}: on {compared_on}, challenger {mine:.4f} {verdict} champion {theirs:.4f}",
        )
    metrics = dict(
        decision.metrics,
        champion_version=version,
        rows=len(challenger_scores),
        compared_on=compared_on,
        compared_rows=len(challenger_scores) if rows is None else int(np.sum(rows)),
    )
    notes = []
    for name, row in (("baseline", vs_baseline), ("champion", vs_champion)):
        if row is not None:
            interval = [float(row["ci_low"]), float(row["ci_high"])]
            metrics[f"diff_vs_{name}"] = float(row["diff"])
            metrics[f"ci_vs_{name}"] = interval
            notes.append(
                f"vs {name} {row['diff']:+.4f} "
                f"({row['confidence']:.0%} CI [{interval[0]:+.4f}, {interval[1]:+.4f}])"
            )
    return replace(
        decision,
        reason=f"{decision.reason}; {', '.join(notes)}",
        metrics=metrics,
        champion_version=version,
    )
