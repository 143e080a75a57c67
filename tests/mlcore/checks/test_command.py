"""``mlcore check …``: one line per finding and exit 1, silence and exit 0 when clean."""

import os
import subprocess
import sys
from pathlib import Path

MLCORE = Path(sys.executable).with_name("mlcore")


def _mlcore(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MLCORE), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _write(root: Path, path: str, content: str | bytes) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        file.write_bytes(content)
    else:
        file.write_text(content)


def test_the_cli_registers_the_checks_without_importing_their_libraries():
    probe = (
        "import sys; from mlcore.cli import _parser; _parser();"
        "print(sorted(m for m in ('hydra', 'omegaconf', 'yaml', 'mlcore.checks') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    helped = subprocess.run([str(MLCORE), "check", "--help"], capture_output=True, text=True)
    for check in ("notebooks", "data-files", "hyperparams", "configs", "branch"):
        assert check in helped.stdout


def test_a_finding_is_one_line_and_exit_1_clean_is_silent_and_exit_0(tmp_path):
    _write(tmp_path, "src/pkg/train.py", "fit(n_estimators=500)\nfit(random_state=1)\n")
    _write(tmp_path, "src/pkg/ok.py", "fit(n_estimators=cfg.n)\n")
    done = _mlcore(tmp_path, "check", "hyperparams", "src/pkg/train.py", "src/pkg/ok.py")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "src/pkg/train.py:1: MLC301 hard-coded hyperparameter n_estimators=500; move it to conf/ "
        "(or add '# mlcore: allow-literal')",
        "src/pkg/train.py:2: MLC301 hard-coded hyperparameter random_state=1; move it to conf/ "
        "(or add '# mlcore: allow-literal')",
    ]
    clean = _mlcore(tmp_path, "check", "hyperparams", "src/pkg/ok.py")
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_absolute_file_names_are_reported_relative_to_the_working_directory(tmp_path):
    _write(tmp_path, "notebooks/EDA.ipynb", '{"cells": []}')
    done = _mlcore(tmp_path, "check", "notebooks", str(tmp_path / "notebooks" / "EDA.ipynb"))
    assert done.returncode == 1
    assert done.stdout.startswith("notebooks/EDA.ipynb: MLC102 ")


def test_without_files_every_file_git_would_commit_is_checked(tmp_path):
    subprocess.run(["git", "init", "--quiet"], cwd=tmp_path, check=True)
    _write(tmp_path, ".gitignore", "data/\n")
    _write(tmp_path, "data/raw/churn.csv", "a,b\n")
    _write(tmp_path, "exports/scores.csv", "a,b\n")
    done = _mlcore(tmp_path, "check", "data-files")
    assert done.returncode == 1
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == ["exports/scores.csv"]


def test_data_files_size_limit_and_allow_list_are_options(tmp_path):
    _write(tmp_path, "docs/sample.csv", b"x" * 3_000)
    assert _mlcore(tmp_path, "check", "data-files", "docs/sample.csv").returncode == 1
    allowed = _mlcore(tmp_path, "check", "data-files", "--allow", "docs/*", "docs/sample.csv")
    assert allowed.returncode == 0
    limited = _mlcore(
        tmp_path, "check", "data-files", "--allow", "docs/*", "--max-kb", "2", "docs/sample.csv"
    )
    assert limited.returncode == 1
    assert "MLC202 file is 0.0 MB, over the 0.002 MB limit" in limited.stdout


def test_branch_checks_the_pushed_branch_or_the_named_one(tmp_path):
    rejected = _mlcore(tmp_path, "check", "branch", "wip")
    assert rejected.returncode == 1
    assert rejected.stdout.startswith("MLC501 branch 'wip' does not follow git-flow")
    pushed = _mlcore(tmp_path, "check", "branch", PRE_COMMIT_REMOTE_BRANCH="refs/heads/feature/x")
    assert pushed.returncode == 0


def test_configs_checks_a_project_root(baked):
    done = _mlcore(baked, "check", "configs")
    assert (done.returncode, done.stdout) == (0, "")


def test_the_hook_manifest_and_the_generated_config_are_valid_and_agree():
    import yaml

    from tests.template.conftest import REPO

    manifest = REPO / ".pre-commit-hooks.yaml"
    config = REPO / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml"
    pre_commit = Path(sys.executable).with_name("pre-commit")
    for command, file in (("validate-manifest", manifest), ("validate-config", config)):
        done = subprocess.run([str(pre_commit), command, str(file)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    exposed = {hook["id"]: hook for hook in yaml.safe_load(manifest.read_text())}
    (local,) = yaml.safe_load(config.read_text())["repos"]
    generated = {hook["id"]: hook for hook in local["hooks"]}
    assert local["repo"] == "local", "the generated project must not depend on a code host"
    assert set(exposed) == {
        "mlcore-notebooks",
        "mlcore-data-files",
        "mlcore-hyperparams",
        "mlcore-configs",
        "mlcore-branch",
    }
    for hook_id, hook in exposed.items():
        twin = generated[hook_id]
        assert twin["entry"] == f".venv/bin/{hook['entry']}"
        assert twin["language"] == "system", "mlcore is not on the package index under that name"
        for key in (
            "name",
            "files",
            "types",
            "pass_filenames",
            "always_run",
            "stages",
            "require_serial",
        ):
            assert twin.get(key) == hook.get(key), (hook_id, key)
    for hook in generated.values():
        for requirement in hook.get("additional_dependencies", []):
            assert "==" in requirement and not requirement.startswith("mlcore"), requirement
