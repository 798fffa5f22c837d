"""Render a ValidationReport: text (rich, for people), json (stable field names, for
scripts), markdown (a PR comment or a dataset card) and junit (for CI systems)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr


from .textsafe import visible
from .validation import Tally, ValidationReport

FORMATS = ("text", "json", "markdown", "junit")
TOP_GROUPS = 15


def render(report: ValidationReport, fmt: str) -> str:
    if fmt == "json":
        return b"".join(report.json_chunks()).decode()
    if fmt == "markdown":
        return markdown(report)
    if fmt == "junit":
        return junit(report)
    raise ValueError(f"unknown report format {fmt!r}")


def _rate(tally: Tally) -> str:
    return f"{tally.pass_rate:.1%}"


def rich_report(report: ValidationReport) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    tasks = Table(title=f"validation of {visible(report.source)}", title_justify="left")
    for name in ("task", "total", "valid", "invalid", "not JSON", "pass rate"):
        tasks.add_column(name, justify="left" if name == "task" else "right")
    for name, tally in report.tasks.items():
        tasks.add_row(Text(visible(name)), str(tally.total), str(tally.valid),
                      str(tally.invalid), str(tally.not_json), _rate(tally))
    if len(report.tasks) > 1:
        tasks.add_section()
        s = report.summary
        tasks.add_row("all", str(s.total), str(s.valid), str(s.invalid), str(s.not_json),
                      _rate(s))
    parts: list[Any] = [tasks]
    if report.groups:
        errors = Table(title="most common errors", title_justify="left")
        for name in ("count", "where", "path", "keyword", "example message", "ids"):
            errors.add_column(name, justify="right" if name == "count" else "left",
                              overflow="fold")
        for group in report.groups[:TOP_GROUPS]:
            errors.add_row(str(group.count), Text(visible(group.where)),
                           Text(visible(group.path or "/")), Text(visible(group.keyword)),
                           Text(visible(group.message[:120])),
                           Text(", ".join(str(i) for i in group.ids)))
        parts.append(errors)
        if len(report.groups) > TOP_GROUPS:
            parts.append(Text(f"… and {len(report.groups) - TOP_GROUPS} more kinds of error "
                              "(--format json lists every failure)", style="dim"))
    if report.checked or report.seconds:
        parts.append(Text(f"checked {report.checked} now, in {report.seconds:.2f} s; "
                          "the rest were already current", style="dim"))
    return Group(*parts)


def _md_cell(value: Any) -> str:
    return visible(str(value)).replace("|", "\\|").replace("\n", " ")


def markdown(report: ValidationReport) -> str:
    lines = [f"## Validation: `{_md_cell(report.source)}`", "",
             "| task | total | valid | invalid | not JSON | pass rate |",
             "|---|---:|---:|---:|---:|---:|"]
    rows = list(report.tasks.items())
    if len(rows) > 1:
        rows.append(("**all**", report.summary))
    for name, t in rows:
        lines.append(f"| {_md_cell(name)} | {t.total} | {t.valid} | {t.invalid} | "
                     f"{t.not_json} | {_rate(t)} |")
    if report.groups:
        lines += ["", "### Most common errors", "",
                  "| count | where | path | keyword | example message | ids |",
                  "|---:|---|---|---|---|---|"]
        for g in report.groups[:TOP_GROUPS]:
            lines.append(f"| {g.count} | {_md_cell(g.where)} | `{_md_cell(g.path or '/')}` | "
                         f"{_md_cell(g.keyword)} | {_md_cell(g.message[:120])} | "
                         f"{_md_cell(', '.join(str(i) for i in g.ids))} |")
    return "\n".join(lines) + "\n"


def junit(report: ValidationReport) -> str:
    """One test suite per task, one failing test case per invalid example (passing
    examples are counted in `tests` without a case each, to keep the file small)."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for failure in report.failures:
        by_task.setdefault(str(failure["task"]), []).append(failure)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="curator validate" tests="{report.summary.total}" '
           f'failures="{report.summary.invalid}" time="{report.seconds:.3f}">']
    for name, tally in report.tasks.items():
        out.append(f'  <testsuite name={quoteattr(_xml(name))} tests="{tally.total}" '
                   f'failures="{tally.invalid}" errors="0">')
        for failure in by_task.get(name, []):
            case = quoteattr(_xml(f"example {failure['id']}"))
            detail = "\n".join(
                f"{e['where']} {e['path'] or '/'} [{e['keyword']}] {e['message']}"
                for e in failure["errors"])
            first = failure["errors"][0]["message"] if failure["errors"] else "invalid"
            out.append(f"    <testcase classname={quoteattr(_xml(name))} name={case}>")
            out.append(f"      <failure message={quoteattr(_xml(first))}>"
                       f"{escape(_xml(detail))}</failure>")
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def _xml(text: str) -> str:
    """XML 1.0 cannot carry most control characters, even escaped: show them."""
    return visible(text)
