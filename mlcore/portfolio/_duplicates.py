"""Where two groups build the same thing: projects whose target, data or features match.

Four kinds of match, each a group of two or more projects:

* ``project id``: the same id in two profiles (a copied project, or two teams' one project);
* ``target``: the same target definition (param ``data.target_definition``, compared without
  case, punctuation or extra spaces), or, when neither defines it, the same target column
  (param ``data.target``);
* ``data``: the same raw data fingerprint (run tag ``mlcore.data.raw.sha256``);
* ``features``: feature lists (the model signature's inputs, or the ``features.*`` params) that
  share at least ``overlap`` of their union (Jaccard index; 1.0 means the same list). Each pair
  is reported with its shared count.

Example:
    >>> from mlcore.portfolio._records import Project
    >>> a = Project("a", "a", "1", "x", fingerprints={"data_sha256": "f00d"})
    >>> b = Project("b", "b", "2", "x", fingerprints={"data_sha256": "f00d"})
    >>> [(m["kind"], m["projects"]) for m in find_duplicates([a, b])]
    [('data', ['a', 'b'])]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

from mlcore.portfolio._records import Project

__all__ = ["find_duplicates", "normalize"]


def normalize(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: how two definitions are compared.

    Example:
        >>> normalize("  Churn: no login in 3 MONTHS. ")
        'churn no login in 3 months'
    """
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _target_key(p: Project) -> tuple[str, str] | None:
    fp = p.fingerprints
    definition = normalize(str(fp.get("target_definition") or ""))
    if definition:
        return f"definition {definition!r}", definition
    column = str(fp.get("target") or "")
    return (f"column {column!r}", f"column:{column}") if column else None


def _data_key(p: Project) -> tuple[str, str] | None:
    sha = str(p.fingerprints.get("data_sha256") or "")
    return (f"raw data sha256 {sha[:12]}…", sha) if sha else None


def _id_key(p: Project) -> tuple[str, str] | None:
    ident = str(p.profile.get("id") or "")
    return (f"id {ident!r}", ident) if ident else None


def _groups(
    projects: Sequence[Project], kind: str, key: Callable[[Project], tuple[str, str] | None]
) -> list[dict[str, Any]]:
    found: dict[str, tuple[str, list[str]]] = {}
    for p in projects:
        keyed = key(p)
        if keyed is not None:
            found.setdefault(keyed[1], (keyed[0], []))[1].append(p.key)
    return [
        {"kind": kind, "detail": detail, "projects": sorted(keys)}
        for detail, keys in found.values()
        if len(keys) > 1
    ]


def _feature_pairs(projects: Sequence[Project], overlap: float) -> list[dict[str, Any]]:
    found = []
    lists = [(p.key, set(p.fingerprints.get("features") or ())) for p in projects]
    for (a, fa), (b, fb) in combinations([x for x in lists if x[1]], 2):
        shared = len(fa & fb)
        jaccard = shared / len(fa | fb)
        if jaccard >= overlap:
            same = "the same" if fa == fb else f"{shared} shared of {len(fa | fb)}"
            found.append(
                {
                    "kind": "features",
                    "detail": f"{same} features (Jaccard {jaccard:.2f})",
                    "projects": sorted([a, b]),
                    "jaccard": round(jaccard, 4),
                }
            )
    return found


def find_duplicates(projects: Sequence[Project], overlap: float = 0.8) -> list[dict[str, Any]]:
    """The matches between ``projects`` (see the module docstring), strongest kinds first.

    Example:
        >>> find_duplicates([])
        []
    """
    return [
        *_groups(projects, "project id", _id_key),
        *_groups(projects, "target", _target_key),
        *_groups(projects, "data", _data_key),
        *_feature_pairs(projects, overlap),
    ]
