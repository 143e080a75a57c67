"""The one-button pipeline: validate → split → train → evaluate → register, and a project's steps.

Each run of :func:`run` is one MLflow run. Steps follow one contract (:class:`Step`: a name, what
it reads, what it writes) and exchange typed values; the built-in ones persist theirs
(``data/interim/split/``, ``models/``, ``reports/``) with a provenance record, so a selection
such as ``steps=[train, evaluate]`` picks up where an earlier run left off on the same data and
config, and stops naming the stale file otherwise. Everything the run records goes through one
hook around the steps. A failed step marks the run FAILED and never moves the ``champion`` alias.

A project step (``steps: [validate, split, train, evaluate, my_project.steps.export, register]``)::

    from mlcore.pipeline import StepResult, step

    @step(reads=("splits", "scores"), writes=("export",))
    def export(ctx):
        path = ctx.output_dir / "top_customers.csv"
        ...
        return StepResult(values={"export": path}, files={"export": [path]})

Example (inside a generated project, through Hydra)::

    python -m my_project.pipeline experiment=smoke
    python -m my_project.pipeline steps=[train,evaluate]
"""

from mlcore.pipeline._artifacts import StaleArtifact
from mlcore.pipeline._builtin import BUILTIN_STEPS
from mlcore.pipeline._runner import PipelineResult, main, run
from mlcore.pipeline._step import BUILTIN_ORDER, Step, StepContext, StepResult, step
from mlcore.pipeline._values import Evaluated, Models, Registration, Scores, Splits, Verdict

__all__ = [
    "BUILTIN_ORDER",
    "BUILTIN_STEPS",
    "Evaluated",
    "Models",
    "PipelineResult",
    "Registration",
    "Scores",
    "Splits",
    "StaleArtifact",
    "Step",
    "StepContext",
    "StepResult",
    "Verdict",
    "main",
    "run",
    "step",
]
