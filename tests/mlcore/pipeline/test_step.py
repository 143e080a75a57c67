"""The Step contract: which step lists run, in which order, and what a step may hand on."""

import sys

import pytest

from mlcore.errors import ConfigError
from mlcore.pipeline import BUILTIN_STEPS, Step, StepContext, StepResult, step
from mlcore.pipeline._step import resolve_steps

AVAILABLE = ["raw", "table", "scores", "validation", "splits", "models", "evaluation"]


def _names(names):
    return [s.name for s in resolve_steps(names, BUILTIN_STEPS, AVAILABLE)]


def test_a_selection_of_built_in_steps_keeps_its_order():
    assert _names(["split", "train", "evaluate"]) == ["split", "train", "evaluate"]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["split", "validate"], r"out of order; the built-in steps run as \['validate', 'split'\]"),
        ([], "steps is empty"),
        (["train", "train"], r"\['train'\] listed more than once"),
        (["trian"], "unknown step 'trian'"),
        (["no_such_module.export"], "cannot import the project step 'no_such_module.export'"),
        (["os.path.join"], "'os.path.join' is not a step; declare it with @mlcore.pipeline.step"),
    ],
)
def test_a_wrong_step_list_is_a_config_error_before_any_work(names, message):
    with pytest.raises(ConfigError, match=message):
        resolve_steps(names, BUILTIN_STEPS, AVAILABLE)


def test_a_project_step_runs_where_it_is_listed_and_may_read_what_earlier_steps_wrote(
    tmp_path, monkeypatch
):
    (tmp_path / "my_steps.py").write_text(
        "from mlcore.pipeline import StepResult, step\n"
        "@step(reads=('models',), writes=('export',))\n"
        "def export(ctx):\n    return StepResult(values={'export': 1})\n"
        "@step(reads=('export',))\n"
        "def publish(ctx):\n    return None\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ["train", "my_steps.export", "evaluate", "my_steps.publish"]
    assert _names(names) == ["train", "export", "evaluate", "publish"]
    with pytest.raises(ConfigError, match=r"step 'publish' reads \['export'\], which no earlier"):
        _names(["train", "my_steps.publish", "my_steps.export"])
    sys.modules.pop("my_steps", None)


def test_a_step_may_only_hand_on_what_it_declares():
    @step(writes=("a",))
    def leaky(ctx):
        return StepResult(values={"a": 1, "b": 2})

    ctx = StepContext({}, None, {}, "run", None)
    with pytest.raises(TypeError, match=r"wrote \['b'\], not in its writes"):
        leaky(ctx)
    assert isinstance(leaky, Step) and leaky.writes == ("a",)


def test_a_step_sees_only_its_declared_inputs():
    ctx = StepContext({}, None, {"splits": "S"}, "run", None)
    assert ctx["splits"] == "S"
    with pytest.raises(KeyError, match="'models' is not among this step's declared reads"):
        ctx["models"]


def test_a_step_that_takes_an_input_leaves_the_context_without_it():
    ctx = StepContext({}, None, {"table": "T", "splits": "S"}, "run", None)
    assert ctx.take("table") == "T"
    assert dict(ctx.inputs) == {"splits": "S"}
    with pytest.raises(KeyError, match="'table' is not among this step's declared reads"):
        ctx.take("table")
