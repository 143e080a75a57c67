"""Build the documentation site: mlcore's API reference and the guide pages, into build/docs.

``make docs`` runs it (``python docs/build.py [--output DIR]``). The API reference is pdoc's, from
the docstrings of every public module of mlcore; the guide pages are the markdown files beside
this script, rendered with pdoc's markdown and styles, ``index.md`` as the front page. Nothing
is fetched: it builds offline.

The build fails (exit 1, one line per problem) on any warning (pdoc's, or one raised while
importing mlcore), on a public module, function or class of mlcore without a docstring, on a
markdown file missing from :data:`GUIDES`, and on a guide's link to a page that does not exist.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import sys
import time
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
TEMPLATES = DOCS / "_templates"
DEFAULT_OUTPUT = DOCS.parent / "build" / "docs"
# The guide pages in navigation order: (file, title).
GUIDES = (
    ("index.md", "Overview"),
    ("generating-a-project.md", "Generating a project"),
    ("bring-your-own-table.md", "Bringing your own table"),
    ("pipeline.md", "The pipeline"),
    ("registry-gate.md", "The registry gate"),
    ("drift.md", "Drift"),
    ("reproducing-a-run.md", "Reproducing a run"),
    ("hooks.md", "The hooks' rules"),
    ("portfolio.md", "The team's portfolio"),
)


def public_modules(package: str = "mlcore") -> list[str]:
    """``package`` and its submodules with no private (``_``) part in their name."""
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            names.append(info.name)
    return sorted(names)


def _own_docstring(obj: object) -> str:
    """The docstring ``obj`` defines itself (not a dataclass's generated signature)."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
    doc = (doc or "").strip()
    if (
        inspect.isclass(obj)
        and dataclasses.is_dataclass(obj)
        and doc.startswith(f"{obj.__name__}(")
    ):
        return ""  # dataclasses write "Name(field: type, ...)" when a class has none
    return doc


def public_api(module_name: str) -> list[tuple[str, object]]:
    """The public functions and classes of a module: its ``__all__``, or else the public names
    it defines itself."""
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_") and getattr(obj, "__module__", None) == module_name
        ]
    found = []
    for name in names:
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            found.append((f"{module_name}.{name}", obj))
    return found


def missing_docstrings(modules: list[str]) -> list[str]:
    """The public modules, functions and classes of ``modules`` that have no docstring."""
    missing = []
    for name in modules:
        if not (importlib.import_module(name).__doc__ or "").strip():
            missing.append(f"{name}: module without a docstring")
        for qualified, obj in public_api(name):
            if getattr(obj, "__module__", "").startswith("mlcore") and not _own_docstring(obj):
                kind = "class" if inspect.isclass(obj) else "function"
                missing.append(f"{qualified}: public {kind} without a docstring")
    return sorted(set(missing))


def _render_guides(output: Path, modules: list[str]) -> list[str]:
    """Write the guide pages; return the problems (unlisted pages, broken links)."""
    from pdoc import render
    from pdoc.render_helpers import to_html

    problems = [
        f"docs/{path.name}: not in GUIDES (docs/build.py)"
        for path in sorted(DOCS.glob("*.md"))
        if path.name not in {name for name, _ in GUIDES}
    ]
    nav = [{"href": name.replace(".md", ".html"), "title": title} for name, title in GUIDES]
    template = render.env.get_template("guide.html.jinja2")
    bodies = {}
    for (name, title), page in zip(GUIDES, nav, strict=True):
        source = DOCS / name
        if not source.is_file():
            problems.append(f"docs/{name}: listed in GUIDES but missing")
            continue
        body = to_html(source.read_text(encoding="utf-8"))
        bodies[name] = re.sub(r'href="([^":#]+)\.md(#[^"]*)?"', r'href="\1.html\2"', str(body))
        html = template.render(
            title=title, body=bodies[name], guides=nav, current=page["href"], modules=modules
        )
        (output / page["href"]).write_text(html, encoding="utf-8")
    for name, body in bodies.items():  # every page is written: check the links between them
        for link in re.findall(r'href="([^"#]*)', body):
            if link and not re.match(r"^[a-z]+:", link) and not (output / link).is_file():
                problems.append(f"docs/{name}: link to {link}, which the site does not have")
    return problems


def build(output: Path = DEFAULT_OUTPUT) -> list[str]:
    """Build the site into ``output`` (emptied first); return the problems (``[]``: success)."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    import pdoc
    from pdoc import render

    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        modules = public_modules()
        problems = missing_docstrings(modules)
        render.configure(
            docformat="google",
            show_source=False,
            search=True,
            math=False,  # MathJax and Mermaid would load scripts from a CDN
            mermaid=False,
            template_directory=TEMPLATES,
            footer_text="mlcore API reference",
        )
        pdoc.pdoc(*modules, output_directory=output)
        problems += _render_guides(output, modules)
    problems += [
        f"warning: {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})" for w in caught
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Build the site; print where it is and how long it took, or every problem (exit 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="site folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    problems = build(args.output)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        return 1
    pages = sum(1 for _ in args.output.rglob("*.html"))
    seconds = time.perf_counter() - started
    print(f"docs: {pages} pages in {args.output / 'index.html'} ({seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
