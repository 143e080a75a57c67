"""mlcore.plots: figures drawn from the evaluation tables, without pyplot."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from mlcore import plots
from mlcore.drift import DEFAULT_THRESHOLDS
from mlcore.errors import DataError
from mlcore.evaluate import best_cutoff, gains_curve, lift_table, profit_curve, reliability_table
from mlcore.plots import (
    calibration_figure,
    gains_figure,
    importance_figure,
    lift_figure,
    plot_distributions,
    plot_psi,
    profit_figure,
)

RNG = np.random.default_rng(0)
SCORES = RNG.random(500)
LABELS = (RNG.random(500) < SCORES).astype(int)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_lift_figure_draws_one_bar_per_bin_and_the_cumulative_lift():
    table = lift_table(LABELS, SCORES, 10)
    fig = lift_figure(table)
    ax = fig.axes[0]
    assert [p.get_height() for p in ax.patches] == pytest.approx(table["lift"].tolist())
    np.testing.assert_allclose(ax.lines[0].get_ydata(), table["cum_lift"])
    assert _png(fig).startswith(b"\x89PNG")


def test_gains_figure_draws_each_named_curve_with_random_and_perfect_references():
    curves = {"model": gains_curve(LABELS, SCORES), "prior": gains_curve(LABELS, np.ones(500))}
    fig = gains_figure(curves)
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["model", "prior", "perfect", "random"]
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), curves["model"]["gain"])
    assert fig.axes[0].lines[2].get_xdata()[1] == pytest.approx(LABELS.mean())
    assert _png(fig).startswith(b"\x89PNG")


def test_calibration_figure_skips_empty_bins():
    table = reliability_table(np.array([0, 1, 1]), np.array([0.05, 0.5, 0.95]), n_bins=10)
    fig = calibration_figure({"raw": table})
    top, bottom = fig.axes
    np.testing.assert_allclose(top.lines[1].get_xdata(), [0.05, 0.5, 0.95])
    assert bottom.lines[0].get_ydata().tolist() == [1, 1, 1]
    assert _png(fig).startswith(b"\x89PNG")


def test_profit_figure_marks_the_best_cutoff():
    curve = profit_curve(LABELS, SCORES, 1.0, 5.0, 0.5)
    best = best_cutoff(curve)
    fig = profit_figure(curve, best)
    marker = fig.axes[0].lines[-1]
    assert marker.get_xdata()[0] == pytest.approx(best["fraction"])
    assert "best: contact" in marker.get_label()
    assert _png(fig).startswith(b"\x89PNG")


def test_importance_figure_shows_the_top_features_largest_on_top():
    table = pd.DataFrame(
        {
            "feature": [f"f{i}" for i in range(30)],
            "importance_mean": np.linspace(0.3, 0.0, 30),
            "importance_std": 0.01,
        }
    )
    fig = importance_figure(table, top=5)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["f4", "f3", "f2", "f1", "f0"]
    assert _png(fig).startswith(b"\x89PNG")


def test_plots_name_a_missing_column_or_an_empty_mapping():
    with pytest.raises(KeyError, match=r"lift_figure: table lacks column\(s\) \['cum_lift'\]"):
        lift_figure(pd.DataFrame({"bin": [1], "lift": [1.0]}))
    with pytest.raises(ValueError, match="no table"):
        gains_figure({})


def test_mlcore_stays_light_and_plots_never_touch_pyplot():
    code = (
        "import sys\n"
        "import mlcore.features, mlcore.evaluate, mlcore.activity, mlcore.explain\n"
        "heavy = [m for m in ('lightgbm', 'matplotlib', 'mlflow', 'hydra') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "import pandas as pd\n"
        "from mlcore.plots import lift_figure\n"
        "lift_figure(pd.DataFrame({'bin': [1], 'lift': [1.0], 'cum_lift': [1.0]})).savefig("
        "__import__('io').BytesIO(), format='png')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_drift_plots_draw_the_default_psi_levels_of_mlcore_drift():
    # plots does not import mlcore.drift: its copy of the default PSI levels must match
    assert DEFAULT_THRESHOLDS["psi"] == plots._PSI_LEVELS
    table = pd.DataFrame({"feature": ["x"], "psi": [0.3], "severity": ["error"]})
    lines = plot_psi(table).axes[0].lines
    assert [line.get_xdata()[0] for line in lines] == [0.1, 0.25]
    lines = plot_psi(table, {"psi": {"error": 0.3}}).axes[0].lines
    assert [line.get_xdata()[0] for line in lines] == [0.1, 0.3]
    with pytest.raises(DataError, match=r"no binned distribution for \['x'\]"):
        plot_distributions({}, ["x"])
