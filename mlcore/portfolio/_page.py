"""The portfolio as one self-contained HTML page, as markdown and as JSON.

The page holds its CSS and a small script inline and loads nothing (no external URL): it can be
mailed, attached to a wiki or opened from disk. The script sorts the table by any column
(click its header) and filters it by text, stage, open alerts and staleness; without the script
the table is still complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from mlcore.portfolio._assets import CSS, SCRIPT
from mlcore.portfolio._records import Portfolio, Project
from mlcore.project import STAGES

__all__ = ["render_html", "render_json", "render_markdown"]

_COLUMNS = (  # header, width (%), what the column sorts by
    ("Project", 16, "text"),
    ("Stage", 10, "number"),
    ("Champion and gate", 18, "number"),
    ("Test metric vs baseline", 11, "number"),
    ("Runs", 12, "text"),
    ("Drift", 10, "text"),
    ("Open alerts", 12, "number"),
    ("Template · mlcore", 11, "number"),
)


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _when(stamp: str | None) -> str:
    """``2026-12-01T09:18:03+00:00`` → ``2026-12-01 09:18 UTC``."""
    return "never" if not stamp else f"{stamp[:10]} {stamp[11:16]} UTC"


def _num(value: Any, signed: bool = False) -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{value:+.4f}" if signed else f"{value:.4g}"


def _interval(ci: Sequence[float] | None) -> str:
    return "" if not ci else f"[{_num(ci[0], True)}, {_num(ci[1], True)}]"


def _stage_label(stage: str) -> str:
    return {"r_and_d": "R&D"}.get(stage, stage.replace("_", " ")) or "unknown"


def _stage(p: Project) -> tuple[str, str]:
    index = STAGES.index(p.status) if p.status in STAGES else -1
    bar = "".join(f'<i class="{"on" if i <= index else ""}"></i>' for i in range(len(STAGES)))
    label = f"{index + 1}/{len(STAGES)}" if index >= 0 else ""
    html = f'{_e(_stage_label(p.status))} <small>{label}</small><div class="stages">{bar}</div>'
    return str(index), html


def _ago(days: float | None) -> str:
    if days is None:
        return ""
    if days < 1 / 24:
        return f"{days * 1440:.0f} min ago"
    return f"{days * 24:.0f} h ago" if days < 1 else f"{days:.0f} days ago"


def _verdict(version: dict[str, Any], role: str, since: str = "") -> str:
    decision = version.get("decision") or "no verdict"
    css = {"promoted": "ok", "refused": "bad", "aborted": "warn"}.get(decision, "none")
    lines = [f"<b>v{_e(version['version'])}</b> <small>{role}</small> "]
    lines.append(f'<span class="badge {css}">{_e(decision)}</span>')
    for name in ("baseline", "champion"):
        diff = version.get(f"diff_vs_{name}")
        if diff is not None:
            ci = _interval(version.get(f"ci_vs_{name}"))
            lines.append(f"<br><small>vs {name} {_num(diff, True)} {ci}</small>")
    if since:
        lines.append(f"<br><small>since {_e(_when(since))}</small>")
    if version.get("reason"):
        lines.append(
            f"<details><summary>reason</summary><small>{_e(version['reason'])}</small></details>"
        )
    return "".join(lines)


def _champion(p: Project) -> tuple[str, str]:
    parts = []
    if p.champion:
        parts.append(_verdict(p.champion, "champion", p.champion.get("since") or ""))
    else:
        parts.append('<span class="badge none">no champion</span>')
    if p.latest:
        parts.append("<hr>" + _verdict(p.latest, "newest"))
    sort = p.champion["version"] if p.champion else "0"
    return sort, "".join(parts)


def _metric(p: Project) -> tuple[str, str]:
    m = p.test_metric
    if not m:
        return "0", '<span class="muted">no test metric</span>'
    value, baseline = m["value"], m.get("baseline")
    html = f"<b>{_e(m['metric'])}</b> {_num(value)}<br><small>baseline {_num(baseline)}</small>"
    if isinstance(baseline, int | float):
        gain = (value - baseline) * (1 if m["higher_is_better"] else -1)
        css = "ok" if gain > 0 else "bad"
        word = "better" if gain > 0 else "not better"
        html += f'<br><span class="badge {css}">{word} by {abs(value - baseline):.4g}</span>'
    return _e(value), html


def _runs(p: Project) -> tuple[str, str]:
    last, success = p.last_run, p.last_success
    if last is None:
        return "", '<span class="muted">no training run</span>'
    css = {"FINISHED": "ok", "RUNNING": "warn"}.get(last["status"], "bad")
    status = _e(last["status"].lower())
    html = (
        f'last {_e(_when(last["start"]))} <span class="badge {css}">{status}</span>'
        f"<br><small>{_ago(p.days_since_run)}</small>"
        f"<br><small>last success {_e(_when((success or {}).get('start')))}</small>"
    )
    return _e(last["start"]), html


def _drift(p: Project) -> tuple[str, str]:
    d = p.drift
    if not d:
        return "", '<span class="muted">never checked</span>'
    css, word = ("bad", "alert") if d["alert"] else ("ok", "no alert")
    html = f'<span class="badge {css}">{word}</span> {_e(_when(d["start"]))}'
    html += f"<br><small>on v{_e(d['model_version'])}"
    if d.get("features_error") is not None:
        html += f", {d['features_error']:.0f} feature(s) at error"
    if d.get("max_psi") is not None:
        html += f", max PSI {d['max_psi']:.3g}"
    return _e(d["start"]), html + "</small>"


def _alerts(p: Project) -> tuple[str, str]:
    if not p.alerts:
        return "0", '<span class="badge ok">none</span>'
    items = "".join(f"<li>{_e(a)}</li>" for a in p.alerts)
    return str(len(p.alerts)), f'<ul class="alerts">{items}</ul>'


def _lag(behind: int | None, newest: str, short: int) -> str:
    if behind is None:
        return '<span class="badge none">unknown</span>'
    if behind == 0:
        return '<span class="badge ok">newest</span>'
    newest = _e(newest[:short])
    return f'<span class="badge warn">{behind} behind</span> <small>newest {newest}</small>'


def _versions(p: Project) -> tuple[str, str]:
    t, m = p.template_lag, p.mlcore_lag
    commit = _e(p.template_commit[:10]) if p.template_commit else "–"
    html = (
        f"template <code>{commit}</code> {_lag(t.get('behind'), t.get('newest', ''), 10)}"
        f"<br>mlcore {_e(p.mlcore_version or '–')} "
        f"{_lag(m.get('behind'), m.get('newest', ''), 20)}"
    )
    return str((t.get("behind") or 0) + (m.get("behind") or 0)), html


def _project(p: Project) -> tuple[str, str]:
    profile = p.profile
    who = " · ".join(x for x in (profile.get("team_lead"), p.task, p.experiment) if x)
    details = "".join(
        f"<br><b>{_e(k.replace('_', ' '))}</b>: {_e(', '.join(v) if isinstance(v, list) else v)}"
        for k, v in _profile_lines(profile)
    )
    html = f"<b>{_e(p.id)}</b> {_e(profile.get('topic', ''))}<br><small>{_e(who)}</small>"
    if details:
        html += f"<details><summary>profile</summary><small>{details[4:]}</small></details>"
    return _e(p.id), html


def _profile_lines(profile: dict[str, Any]) -> Iterable[tuple[str, Any]]:
    skip = {"id", "topic", "team_lead", "status", "departments"}
    for key, value in profile.items():
        if key not in skip and value:
            yield key, value
    for key, value in (profile.get("departments") or {}).items():
        if value:
            yield f"department {key}", value


def _row(p: Project) -> str:
    cells = [_project(p), _stage(p), _champion(p), _metric(p), _runs(p), _drift(p)]
    cells += [_alerts(p), _versions(p)]
    tds = "".join(f'<td data-sort="{_e(sort)}">{html}</td>' for sort, html in cells)
    data = f'data-stage="{_e(p.status)}" data-alerts="{len(p.alerts)}" data-stale="{int(p.stale)}"'
    return f'<tr id="{_e(p.key)}" {data}>{tds}</tr>'


def _summary(portfolio: Portfolio) -> list[str]:
    projects = portfolio.projects
    items = [f"{len(projects)} project(s)"]
    items.append(f"{sum(1 for p in projects if p.alerts)} with open alerts")
    items.append(
        f"{sum(1 for p in projects if p.stale)} stale (no run in {portfolio.stale_days:g} days)"
    )
    items.append(f"{len(portfolio.duplicates)} duplication match(es)")
    for stage in STAGES:
        count = sum(1 for p in projects if p.status == stage)
        if count:
            items.append(f"{_stage_label(stage)}: {count}")
    return items


def _duplicates_html(portfolio: Portfolio) -> str:
    if not portfolio.duplicates:
        return "<p class='muted'>No two projects share a target, data or features.</p>"
    ids = {p.key: p.id for p in portfolio.projects}
    rows = "".join(
        f"<tr><td>{_e(m['kind'])}</td><td>{_e(m['detail'])}</td>"
        f"<td>{_e(', '.join(ids.get(k, k) for k in m['projects']))}</td></tr>"
        for m in portfolio.duplicates
    )
    head = "<tr><th>match</th><th>what is the same</th><th>projects</th></tr>"
    cols = '<col style="width:15%"><col style="width:50%"><col>'
    return (
        f'<table id="duplicates"><colgroup>{cols}</colgroup><thead>{head}</thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def render_html(portfolio: Portfolio) -> str:
    """The self-contained page (see the module docstring).

    Example:
        >>> page = render_html(Portfolio("sqlite:///x.db", "2026-12-01T00:00:00+00:00", 30, []))
        >>> "0 project(s)" in page and "http" not in page.replace("http-equiv", "")
        True
    """
    cols = "".join(f'<col style="width:{w}%">' for _, w, _ in _COLUMNS)
    head = "".join(f'<th data-type="{kind}">{_e(name)}</th>' for name, _, kind in _COLUMNS)
    rows = "".join(_row(p) for p in portfolio.projects)
    options = "".join(f'<option value="{s}">{_e(_stage_label(s))}</option>' for s in STAGES)
    summary = "".join(f"<li>{_e(item)}</li>" for item in _summary(portfolio))
    stale = [p for p in portfolio.projects if p.stale]
    stale_html = (
        "<ul>"
        + "".join(f"<li>{_e(p.id)}: {_e(p.alerts[0] if p.alerts else '')}</li>" for p in stale)
        + "</ul>"
        if stale
        else "<p class='muted'>Every project ran in that time.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Project portfolio</title><style>{CSS}</style></head>
<body>
<h1>Project portfolio</h1>
<p class="meta">{_e(portfolio.source)} · generated {_e(_when(portfolio.generated_at))}</p>
<ul class="summary">{summary}</ul>
<div class="controls">
<input type="search" id="q" placeholder="Filter: id, topic, lead, alert…" aria-label="filter">
<select id="stage" aria-label="stage"><option value="">all stages</option>{options}</select>
<label><input type="checkbox" id="only-alerts"> with open alerts</label>
<label><input type="checkbox" id="only-stale"> stale</label>
<span id="shown" class="muted">{len(portfolio.projects)} shown</span>
</div>
<table id="projects"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>
<tbody>{rows}</tbody></table>
<h2>Duplication: the same target, data or features</h2>
{_duplicates_html(portfolio)}
<h2>Stale: no training run in {portfolio.stale_days:g} days</h2>
{stale_html}
<script>{SCRIPT}</script>
</body></html>
"""


_MD_COLUMNS = (
    "project", "topic", "stage", "team lead", "task", "champion", "newest version",
    "test metric (baseline)", "last run", "last success", "drift", "open alerts", "template",
    "mlcore",
)  # fmt: skip


def _md(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_version(v: dict[str, Any] | None) -> str:
    if not v:
        return "none"
    text = f"v{v['version']} {v.get('decision') or 'no verdict'}"
    for name in ("baseline", "champion"):
        if v.get(f"diff_vs_{name}") is not None:
            diff, ci = _num(v[f"diff_vs_{name}"], True), _interval(v.get(f"ci_vs_{name}"))
            text += f", vs {name} {diff} {ci}"
    return text


def render_markdown(portfolio: Portfolio) -> str:
    """The portfolio as markdown: the summary, one table row per project, the matches.

    Example:
        >>> empty = Portfolio("x", "2026-12-01T00:00:00+00:00", 30, [])
        >>> print(render_markdown(empty).splitlines()[0])
        # Project portfolio
    """
    lines = [
        "# Project portfolio",
        "",
        f"{portfolio.source} · generated {_when(portfolio.generated_at)}",
        "",
    ]
    lines += ["; ".join(_summary(portfolio)), ""]
    lines += [
        "| " + " | ".join(_MD_COLUMNS) + " |",
        "|" + "---|" * len(_MD_COLUMNS),
    ]
    for p in portfolio.projects:
        m = p.test_metric
        metric = "–" if not m else f"{m['metric']} {_num(m['value'])} ({_num(m.get('baseline'))})"
        d = p.drift
        drift = (
            "never"
            if not d
            else f"{'alert' if d['alert'] else 'ok'} {_when(d['start'])} v{d['model_version']}"
        )
        t, mc = p.template_lag, p.mlcore_lag
        cells = [
            p.id,
            p.profile.get("topic", ""),
            _stage_label(p.status),
            p.profile.get("team_lead", ""),
            p.task,
            _md_version(p.champion),
            _md_version(p.latest) if p.latest else "–",
            metric,
            "never" if not p.last_run else f"{_when(p.last_run['start'])} {p.last_run['status']}",
            _when((p.last_success or {}).get("start")),
            drift,
            "; ".join(p.alerts) or "none",
            f"{p.template_commit[:10] or '–'} ({t.get('behind')} behind)",
            f"{p.mlcore_version or '–'} ({mc.get('behind')} behind)",
        ]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    lines += ["", "## Duplication", ""]
    if portfolio.duplicates:
        ids = {p.key: p.id for p in portfolio.projects}
        lines += ["| match | what is the same | projects |", "|---|---|---|"]
        for match in portfolio.duplicates:
            names = ", ".join(ids.get(k, k) for k in match["projects"])
            lines.append(f"| {_md(match['kind'])} | {_md(match['detail'])} | {_md(names)} |")
    else:
        lines.append("No two projects share a target, data or features.")
    lines += ["", f"## Stale: no training run in {portfolio.stale_days:g} days", ""]
    stale = [p for p in portfolio.projects if p.stale]
    lines += [f"- {_md(p.id)}: {_md(p.alerts[0] if p.alerts else '')}" for p in stale] or [
        "Every project ran in that time."
    ]
    return "\n".join(lines) + "\n"


def render_json(portfolio: Portfolio) -> str:
    """The records as indented JSON (non-finite numbers as ``null``).

    Example:
        >>> json.loads(render_json(Portfolio("x", "t", 30, [])))["projects"]
        []
    """
    return json.dumps(portfolio.to_dict(), indent=2, sort_keys=False) + "\n"
