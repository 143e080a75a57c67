"""The generated CI file: valid against its public schema, git-flow triggers, the same make targets
on every provider, and those targets green when run locally in a baked project."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import NETGUARD
from tests.template.conftest import UV, bake, make, outer_env

CHECK_JSONSCHEMA = Path(sys.executable).with_name("check-jsonschema")
# provider -> (file in the generated project, check-jsonschema's vendored schema)
PROVIDERS = {
    "github": (".github/workflows/ci.yml", "vendor.github-workflows"),
    "gitlab": (".gitlab-ci.yml", "vendor.gitlab-ci"),
    "bitbucket": ("bitbucket-pipelines.yml", "vendor.bitbucket-pipelines"),
}
CHECKS = ["precommit", "test", "validate", "smoke"]  # every git-flow branch and pull request
ON_MAIN = ["run"]  # then, on main only
GITLAB_KEYWORDS = {"workflow", "stages", "default", "variables", "include", "image", "cache"}
SETUP = "pip install uv"  # the only command that is not a make target: CI machines lack uv


def ci_commands(provider: str, path: Path) -> tuple[list[str], list[str], list[str]]:
    """(commands run on every branch, extra commands run on main, branch triggers) of a CI file."""
    doc = yaml.safe_load(path.read_text())
    if provider == "github":
        checks = [s["run"] for s in doc["jobs"]["checks"]["steps"] if "run" in s]
        main_job = doc["jobs"]["pipeline"]
        assert main_job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
        assert main_job["needs"] == "checks"
        on_main = [s["run"] for s in main_job["steps"] if "run" in s]
        # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as "on".
        triggers = doc[True]["push"]["branches"]
    elif provider == "gitlab":
        setup = doc["default"]["before_script"]
        jobs = {k: v for k, v in doc.items() if k not in GITLAB_KEYWORDS}
        assert set(jobs) == {"checks", "pipeline"}
        checks = setup + jobs["checks"]["script"]
        assert jobs["pipeline"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "main"'}]
        on_main = setup + jobs["pipeline"]["script"]
        triggers = [rule["if"] for rule in doc["workflow"]["rules"]]
    else:
        branches = doc["pipelines"]["branches"]
        steps = {name: [s["step"]["script"] for s in entries] for name, entries in branches.items()}
        (checks,) = steps["develop"]
        assert all(scripts == [checks] for name, scripts in steps.items() if name != "main")
        assert steps["main"][0] == checks
        (on_main,) = steps["main"][1:]
        assert doc["pipelines"]["pull-requests"]["**"] == [{"step": branches["develop"][0]["step"]}]
        triggers = list(branches)
    return checks, on_main, triggers


def make_targets(commands: list[str]) -> list[str]:
    """The make targets of CI commands; anything else must be the uv set-up line."""
    targets = []
    for command in commands:
        words = shlex.split(command)
        if words[0] == "make":
            targets += words[1:]
        else:
            assert command == SETUP, f"unexpected CI command {command!r}"
    return targets


@pytest.fixture(scope="module")
def baked(tmp_path_factory) -> dict[str, Path]:
    """One project per CI provider, baked with the real cookiecutter CLI."""
    projects = {}
    for provider in PROVIDERS:
        out = tmp_path_factory.mktemp(provider)
        done = bake(out, f"ci_provider={provider}")
        assert done.returncode == 0, done.stderr
        projects[provider] = out / "churn-model"
    return projects


def check_schema(path: Path, schema: str, netlog: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(NETGUARD), "NETGUARD_LOG": str(netlog)}
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_ci_file_is_valid_against_its_public_schema_offline(baked, provider, tmp_path):
    relative, schema = PROVIDERS[provider]
    netlog = tmp_path / "network.log"
    done = check_schema(baked[provider] / relative, schema, netlog)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout
    assert not netlog.exists(), f"the vendored schema needed the network:\n{netlog.read_text()}"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_broken_ci_file_is_rejected_by_the_same_check(baked, provider, tmp_path):
    relative, schema = PROVIDERS[provider]
    broken = tmp_path / Path(relative).name
    doc = yaml.safe_load((baked[provider] / relative).read_text())
    if provider == "github":
        del doc["jobs"]["checks"]["runs-on"]
    elif provider == "gitlab":
        doc["checks"]["script"] = {"not": "a script"}
    else:
        doc["pipelines"]["branches"]["develop"] = "not a list of steps"
    broken.write_text(yaml.safe_dump(doc).replace("true:", "on:"))
    done = check_schema(broken, schema, tmp_path / "network.log")
    assert done.returncode == 1, done.stdout


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_provider_runs_the_same_targets_on_git_flow_branches(baked, provider):
    checks, on_main, triggers = ci_commands(provider, baked[provider] / PROVIDERS[provider][0])
    assert make_targets(checks) == CHECKS
    assert make_targets(on_main) == ON_MAIN
    for branch in ("main", "develop", "feature", "release", "hotfix"):
        assert any(branch in trigger for trigger in triggers), (branch, triggers)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_every_ci_target_installs_from_the_lock_with_uv_sync_locked(baked, provider):
    project = baked[provider]
    checks, on_main, _ = ci_commands(provider, project / PROVIDERS[provider][0])
    for target in make_targets(checks + on_main):
        plan = subprocess.run(
            ["make", "--no-print-directory", "-n", target],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "UV": "uv"},
        ).stdout
        syncs = [line for line in plan.splitlines() if " sync " in f"{line} "]
        assert syncs and all(" --locked" in f"{line} " for line in syncs), (target, syncs)


def test_only_the_chosen_provider_file_is_generated(baked, tmp_path):
    for provider, project in baked.items():
        present = {p for p, (relative, _) in PROVIDERS.items() if (project / relative).exists()}
        assert present == {provider}
    done = bake(tmp_path, "ci_provider=none")
    assert done.returncode == 0, done.stderr
    project = tmp_path / "churn-model"
    assert not any((project / relative).exists() for relative, _ in PROVIDERS.values())
    assert not (project / ".github").exists()


@pytest.mark.slow
@pytest.mark.xdist_group("ci_commands")
def test_the_commands_the_ci_file_runs_pass_locally(default_project):
    """Run, in order, the make targets of the CI file (checks, then the main-only pipeline), in
    an installed default project (GitHub is the default provider): its first target's
    ``make install`` is then the no-op of an environment already synced from the same lock."""
    assert UV, "uv is needed to install the generated project (make test provides it)"
    project = default_project
    assert (
        json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]["ci_provider"]
        == "github"
    )
    checks, on_main, _ = ci_commands("github", project / PROVIDERS["github"][0])
    env = outer_env(UV=UV)
    for target in make_targets(checks) + make_targets(on_main):
        done = make(project, target, env)
    assert "Registered model:  models:/churn-model/" in done.stdout  # make run registered
