"""Benchmark: start-up of ``import mlcore`` and ``mlcore --help`` against a 0.3 s budget.

Each is a fresh interpreter of this environment (installed with bytecode compiled), timed from
the parent, best of ``--repeat``; ``-X importtime`` gives the import's own share. For scale, the
same is timed for MLflow (``import mlflow``, ``mlflow --help``), the CLI a team would otherwise
reach for. mlcore keeps pandas, scikit-learn, MLflow and Great Expectations out of its start-up:
they load in the commands and steps that use them.

Usage:
    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from _harness import Row, add_json_argument, best_of, machine_line, write_rows

BUDGET = 0.3  # seconds, for `import mlcore` and `mlcore --help`
BIN = Path(sys.executable).parent
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def _wall(command: list[str], repeat: int) -> float:
    """Best wall time of ``command`` (output discarded; it must succeed)."""
    return best_of(
        lambda: subprocess.run(command, check=True, capture_output=True, env=ENV), repeat
    )[0]


def import_seconds(module: str) -> float:
    """The cumulative ``-X importtime`` of ``module`` in a fresh interpreter, in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
        env=ENV,
    )
    last = [line for line in done.stderr.splitlines() if re.search(rf"\|\s+{module}$", line)]
    return int(last[-1].split("|")[1]) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "startup.md"
    )
    add_json_argument(parser)
    args = parser.parse_args()
    python = [sys.executable, "-c"]
    ours = {
        "import": _wall([*python, "import mlcore"], args.repeat),
        "help": _wall([str(BIN / "mlcore"), "--help"], args.repeat),
        "importtime": import_seconds("mlcore"),
    }
    peer = {
        "import": _wall([*python, "import mlflow"], args.repeat),
        "help": _wall([str(BIN / "mlflow"), "--help"], args.repeat),
        "importtime": import_seconds("mlflow"),
    }
    bare = _wall([*python, "pass"], args.repeat)
    text = "\n".join(
        [
            "# Start-up: `import mlcore` and `mlcore --help`",
            "",
            f"{machine_line()}. Fresh interpreters, best of {args.repeat}; budget {BUDGET} s.",
            "",
            "| command | wall (s) | `-X importtime` of the import (s) |",
            "|---|---:|---:|",
            f"| `python -c pass` (the interpreter alone) | {bare:.3f} | |",
            f"| `python -c 'import mlcore'` | {ours['import']:.3f} | {ours['importtime']:.3f} |",
            f"| `mlcore --help` | {ours['help']:.3f} | |",
            f"| `python -c 'import mlflow'` | {peer['import']:.3f} | {peer['importtime']:.3f} |",
            f"| `mlflow --help` | {peer['help']:.3f} | |",
            "",
        ]
    )
    print(text)
    args.out.write_text(text)
    rows = [
        Row(
            f"start-up: {what}",
            f"`{command}`",
            ours[key],
            "budget",
            BUDGET,
            target=1.0,
            target_op="<=",
            overhead=True,
            note=f"`{peer_command}` {peer[key]:.2f} s; interpreter alone {bare:.3f} s",
        )
        for what, key, command, peer_command in (
            ("import", "import", "import mlcore", "import mlflow"),
            ("CLI help", "help", "mlcore --help", "mlflow --help"),
        )
    ]
    write_rows(rows, args.json)


if __name__ == "__main__":
    main()
