"""Your own pipeline steps, next to the built-in ones (validate, split, train, evaluate, register).

A step declares what it reads and writes and returns a ``StepResult``; the runner records its
metrics, tables and files with the run (no MLflow calls here). Add it to ``steps`` in
``conf/config.yaml`` by import path, after the steps whose outputs it reads::

    steps: [validate, split, train, evaluate, {{ cookiecutter.module_name }}.steps.export_top_scores, register]

What a step may read: ``raw`` (the input table), ``table`` (with derived features), ``validation``,
``splits`` (``.train``/``.validation``/``.test``), ``models`` (``.model``, ``.baseline``),
``scores`` (``scores("model", "test")``), ``evaluation`` (``.metrics``), and what earlier project
steps wrote. A step's own settings go under ``step_params.<step name>`` in ``conf/config.yaml``
and arrive as ``ctx.params``.
"""

from __future__ import annotations

from mlcore.pipeline import StepContext, StepResult, step


@step(reads=("splits", "scores"), writes=("top_scores",))
def export_top_scores(ctx: StepContext) -> StepResult:
    """Write the test rows with the highest model scores to ``reports/export_top_scores/``.

    A business export: the ``fraction`` of test rows with the highest scores
    (``step_params.export_top_scores.fraction``), entity id and score, as CSV logged with the run.
    """
    data = ctx.cfg["data"]
    test = ctx["splits"].test
    scores = ctx["scores"]("model", "test")
    if scores.ndim != 1:  # multiclass: the probability of the most likely class
        scores = scores.max(axis=1)
    top = max(1, round(len(test) * float(ctx.params["fraction"])))
    export = (
        test[[data["entity_col"]]]
        .assign(score=scores)
        .sort_values("score", ascending=False, kind="stable")
        .head(top)
    )
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.output_dir / "top_scores.csv"
    export.to_csv(path, index=False)
    return StepResult(
        values={"top_scores": path},
        metrics={"export_rows": float(len(export))},
        files={"export": [path]},
    )
