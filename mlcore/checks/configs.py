"""Every Hydra config composes: the default config and each ``conf/experiment/*.yaml`` preset.

Composition runs in-process with Hydra's compose API, exactly as the pipeline would, and each
composed config is checked against mlcore's schema (:func:`mlcore.config.check_config`). A
``project.yaml`` profile at the project root is validated when ``mlcore.project`` is available.

Rules:
    MLC401  a YAML file under ``conf/`` that does not parse (file and line)
    MLC402  the default config or a preset that does not compose (missing group option, bad override)
    MLC403  a composed config that fails mlcore's config schema
    MLC404  a ``project.yaml`` that fails its schema

Example:
    >>> check_configs(Path("/no/such/project"))
    []
"""

from __future__ import annotations

import re
from pathlib import Path

from mlcore.checks import Finding

__all__ = ["check_configs", "check_yaml"]

PRESET_GROUP = "experiment"


def check_yaml(path: str, text: str) -> list[Finding]:
    """MLC401 if ``text`` (the content of ``path``) is not valid YAML.

    Example:
        >>> print(*check_yaml("conf/model/x.yaml", "params: [1, 2"))
        conf/model/x.yaml:1: MLC401 invalid YAML: expected ',' or ']', but got '<stream end>'
    """
    import yaml

    try:
        yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [
            Finding(path, mark.line + 1 if mark else None, "MLC401", f"invalid YAML: {problem}")
        ]
    return []


def check_configs(
    root: Path, *, conf_dir: str = "conf", config_name: str = "config", schema: bool = True
) -> list[Finding]:
    """Findings for the Hydra configs under ``root/conf_dir`` and for ``root/project.yaml``.

    The YAML files are parsed first; composition runs only if they all parse. With ``schema``,
    each composed config must also pass :func:`mlcore.config.check_config`.

    Example:
        >>> check_configs(Path("my-project"), schema=False)  # doctest: +SKIP
        []
    """
    root = root.resolve()
    conf = root / conf_dir
    findings = []
    if conf.is_dir():
        files = sorted(p for p in conf.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        for file in files:
            findings += check_yaml(_relative(file, root), file.read_text(encoding="utf-8"))
        if not findings:
            findings += _compose_all(root, conf, config_name, schema)
    return findings + _check_profile(root)


def _compose_all(root: Path, conf: Path, config_name: str, schema: bool) -> list[Finding]:
    """MLC402/MLC403 for the default config, then (if it composes) each preset of :data:`PRESET_GROUP`."""
    from hydra import compose, initialize_config_dir

    from mlcore.config import check_config, register_resolvers
    from mlcore.errors import ConfigError

    primary = conf / f"{config_name}.yaml"
    if not primary.is_file():
        return [Finding(_relative(primary, root), None, "MLC402", "the default config is missing")]
    register_resolvers(root)  # check_config resolves ${project_root:} and ${run_id:}
    runs = [(primary, [])] + [
        (preset, [f"{PRESET_GROUP}={preset.stem}"])
        for preset in sorted((conf / PRESET_GROUP).glob("*.yaml"))
    ]
    findings = []
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        for file, overrides in runs:
            what = f"({' '.join(overrides) or 'default'})"
            try:
                config = compose(config_name=config_name, overrides=overrides)
            except Exception as exc:  # Hydra and OmegaConf raise many unrelated types
                message = f"config does not compose {what}: {_one_line(exc)}"
                findings.append(Finding(_relative(file, root), None, "MLC402", message))
                if not overrides:  # every preset builds on the default: its errors would repeat
                    break
                continue
            if schema:
                try:
                    check_config(config)
                except ConfigError as exc:
                    message = f"composed config fails the schema {what}: {exc}"
                    findings.append(Finding(_relative(file, root), None, "MLC403", message))
    return findings


def _check_profile(root: Path) -> list[Finding]:
    """MLC404 for each problem of ``project.yaml``, if mlcore ships a profile schema."""
    profile = root / "project.yaml"
    if not profile.is_file():
        return []
    try:
        from mlcore.project import validate_profile
    except ImportError:  # an mlcore without project profiles
        return []
    findings = []
    for problem in validate_profile(profile):
        # validate_profile names the file (and the line of a YAML error) first: keep only the rest.
        named = re.match(rf"{re.escape(str(profile))}(?::(\d+))?: ", problem)
        line = int(named[1]) if named and named[1] else None
        message = problem[named.end() :] if named else problem
        findings.append(
            Finding("project.yaml", line, "MLC404", f"invalid project profile: {message}")
        )
    return findings


def _one_line(exc: Exception) -> str:
    """Hydra's multi-line message up to its config search path, on one line."""
    text = str(exc).split("Config search path:")[0]
    return (
        " ".join(line.strip() for line in text.splitlines() if line.strip()) or type(exc).__name__
    )


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
