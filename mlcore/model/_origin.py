"""Where the code of a class or function comes from: an installed library, or the project itself.

A logged model needs both: the pip requirement of every library its steps come from, and the
source folder of code that no index serves (the generated project's own package, installed
editable or only on ``sys.path``). The answer is found from the object's top-level module with
``importlib.metadata.packages_distributions()``, never from a list of known names.

Example:
    >>> from sklearn.linear_model import Ridge
    >>> origin = origin_of(Ridge)
    >>> origin.module, origin.requirements[0].startswith("scikit-learn=="), origin.local_path
    ('sklearn', True, None)
    >>> origin_of(len) is None  # the standard library: nothing to install
    True
"""

from __future__ import annotations

import inspect
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["Origin", "origin_of"]


@dataclass(frozen=True)
class Origin:
    """The top-level ``module`` of some code, and how a fresh environment gets it.

    ``requirements`` are pip requirements (``name==version``, or ``name @ url`` for a
    distribution installed from a URL or a local build); ``local_path`` is the package folder (or
    single-file module) when the code is the project's own: installed editable or not installed.
    """

    module: str
    requirements: tuple[str, ...] = ()
    local_path: Path | None = None


@lru_cache(maxsize=1)
def _distributions_by_module() -> dict[str, tuple[str, ...]]:
    found = metadata.packages_distributions()
    return {top: tuple(dict.fromkeys(names)) for top, names in found.items()}


def _defining_module(obj: Any) -> str | None:
    """The module that defines ``obj`` (a class or function), or the class of an instance."""
    if not (inspect.isclass(obj) or inspect.isroutine(obj)):
        obj = type(obj)
    module = getattr(obj, "__module__", None)
    return module if isinstance(module, str) else None


def _direct_url(dist: metadata.Distribution) -> dict[str, Any] | None:
    text = dist.read_text("direct_url.json")
    return json.loads(text) if text else None


def _requirement(dist: metadata.Distribution) -> str | None:
    """``name==version`` (from an index), ``name @ url`` (from a URL), None when editable."""
    name = dist.metadata["Name"]
    direct = _direct_url(dist)
    if direct is None:
        return f"{name}=={dist.version}"
    if direct.get("dir_info", {}).get("editable"):
        return None
    vcs = direct.get("vcs_info")
    if vcs:
        return f"{name} @ {vcs['vcs']}+{direct['url']}@{vcs['commit_id']}"
    return f"{name} @ {direct['url']}"


def _owners(names: tuple[str, ...], module: str) -> list[metadata.Distribution]:
    """The distributions of ``names`` that hold ``module``'s file (all of them if none does)."""
    dists = [metadata.distribution(name) for name in names]
    if len(dists) < 2:
        return dists
    source = getattr(sys.modules.get(module), "__file__", None)
    if source is None:
        return dists
    holding = [
        dist
        for dist in dists
        if any(Path(str(dist.locate_file(f))) == Path(source) for f in dist.files or ())
    ]
    return holding or dists


def _source_path(top: str) -> Path | None:
    module = sys.modules.get(top)
    paths = list(getattr(module, "__path__", None) or [])
    if paths:
        return Path(paths[0])
    source = getattr(module, "__file__", None)
    return Path(source) if source else None


def origin_of(obj: Any) -> Origin | None:
    """Where the class or function ``obj`` (or the class of the instance ``obj``) comes from.

    None for the standard library and built-ins. An installed distribution gives its pip
    requirement(s); an editable install or a module that no distribution holds gives its source
    folder (``local_path``) instead.
    """
    module = _defining_module(obj)
    if module is None:
        return None
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top in ("builtins", "__main__"):
        return None
    names = _distributions_by_module().get(top, ())
    requirements = []
    for dist in _owners(names, module):
        requirement = _requirement(dist)
        if requirement is None:  # installed editable: the project's own code
            return Origin(top, local_path=_source_path(top))
        requirements.append(requirement)
    if not requirements:
        return Origin(top, local_path=_source_path(top))
    return Origin(top, tuple(requirements))
