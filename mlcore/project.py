"""The project profile (``project.yaml``): what the project is for, who runs it, where it stands.

The profile follows the project card of the team's tracking practice: topic, business target,
domain, type, id, lifecycle status, customer, departments and people. :func:`validate_profile`
checks a file against the schema and returns one message per problem, each naming the key.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "project.yaml"
    >>> _ = path.write_text("topic: Churn\\nstatus: rnd\\n")
    >>> validate_profile(path)[0]  # doctest: +ELLIPSIS
    "...project.yaml: missing key 'business_target'"
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from mlcore.errors import ConfigError

__all__ = ["STAGES", "Departments", "ProjectProfile", "load_profile", "validate_profile"]

# The lifecycle, in order: business request -> pre-study -> data -> method & design -> R&D ->
# testing & validation -> pilot -> service deploy.
STAGES = (
    "business_request",
    "pre_study",
    "data",
    "method_design",
    "r_and_d",
    "testing_validation",
    "pilot",
    "service_deploy",
)


@dataclass(frozen=True)
class Departments:
    """Who asked for the project, who uses its result, and who delivers it."""

    initiator: str = ""
    recipient: str = ""
    in_charge: str = ""


@dataclass(frozen=True)
class ProjectProfile:
    """The schema of ``project.yaml``; the fields without a default are required and non-empty."""

    topic: str
    business_target: str
    id: str
    status: str
    team_lead: str
    domain: str = ""
    type: str = ""
    customer: str = ""
    directorate: str = ""
    area: str = ""
    departments: Departments = field(default_factory=Departments)
    analysts: list[str] = field(default_factory=list)
    data_scientists: list[str] = field(default_factory=list)


def _check_fields(
    cls: type, data: Mapping[str, Any], where: str, prefix: str = ""
) -> tuple[dict[str, Any], list[str]]:
    """Check ``data`` against dataclass ``cls``; return the kwargs to build it and the errors."""
    errors = [
        f"{where}: unknown key '{prefix}{key}'; allowed: {', '.join(f.name for f in dataclasses.fields(cls))}"
        for key in data
        if key not in {f.name for f in dataclasses.fields(cls)}
    ]
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):
        key, hint = f"{prefix}{spec.name}", hints[spec.name]
        required = (
            spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        )
        if spec.name not in data:
            if required:
                errors.append(f"{where}: missing key '{key}'")
            continue
        value = data[spec.name]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, Mapping):
                errors.append(f"{where}: key '{key}' must be a mapping, got {value!r}")
                continue
            kwargs, nested = _check_fields(hint, value, where, f"{key}.")
            errors += nested
            values[spec.name] = hint(**kwargs)
        elif hint == list[str]:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(f"{where}: key '{key}' must be a list of names, got {value!r}")
            else:
                values[spec.name] = value
        elif not isinstance(value, str) or (required and not value.strip()):
            kind = "a non-empty string" if required else "a string"
            errors.append(f"{where}: key '{key}' must be {kind}, got {value!r}")
        else:
            values[spec.name] = value
    return values, errors


def _parse(path: Path) -> tuple[ProjectProfile | None, list[str]]:
    import yaml

    where = str(path)
    if not path.is_file():
        return None, [f"{where}: no such file"]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        return None, [f"{where}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"]
    if not isinstance(data, Mapping):
        return None, [f"{where}: the profile must be a mapping of keys, got {type(data).__name__}"]
    values, errors = _check_fields(ProjectProfile, data, where)
    status = data.get("status")
    if isinstance(status, str) and status not in STAGES:
        errors.append(
            f"{where}: key 'status' is {status!r}, not a lifecycle stage; use one of {', '.join(STAGES)}"
        )
    return (None if errors else ProjectProfile(**values)), errors


def validate_profile(path: str | Path) -> list[str]:
    """Check ``project.yaml`` against :class:`ProjectProfile`; ``[]`` when it is valid.

    Example:
        >>> validate_profile("/nonexistent/project.yaml")
        ['/nonexistent/project.yaml: no such file']
    """
    return _parse(Path(path))[1]


def load_profile(path: str | Path) -> ProjectProfile:
    """Read and validate ``project.yaml``; raise :class:`ConfigError` listing every problem.

    Example:
        >>> load_profile("/nonexistent/project.yaml")
        Traceback (most recent call last):
        ...
        mlcore.errors.ConfigError: invalid project profile: /nonexistent/project.yaml: no such file
    """
    profile, errors = _parse(Path(path))
    if profile is None:
        raise ConfigError("invalid project profile: " + "; ".join(errors))
    return profile
