"""The credential check's report in three forms: JSON (for scripts), JUnit XML (one testcase per
step, for CI) and Markdown (for a support ticket).

Safe to share: the results carry no secret and their texts have tokens masked already
(`check_results.step_result`); the target is described by `CheckSettings.described`, which masks
the app token and leaves the secret key out.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from xml.etree import ElementTree  # only writes XML, never parses any

from idconnect_tester import __version__
from idconnect_tester.core.check_results import (
    STEP_TITLES,
    CheckReport,
    StepResult,
    StepStatus,
)
from idconnect_tester.core.exchange_json import iso_utc

SUITE_NAME: Final = "idconnect-tester check"
# XML 1.0 has no way to write most control characters: a server message holding one would make
# the whole file unreadable to a CI system.
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STATUS_MARKS: Final = {
    StepStatus.PASS: "✅ pass",
    StepStatus.FAIL: "❌ fail",
    StepStatus.SKIPPED: "⏭ skipped",
}


def _hint_text(result: StepResult) -> str | None:
    return None if result.hint is None else f"{result.hint.title}. {result.hint.advice}"


# --- JSON ------------------------------------------------------------------------------------


def report_to_dict(report: CheckReport) -> dict[str, Any]:
    return {
        "passed": report.passed,
        "target": report.settings.described(),
        "started_at": iso_utc(report.started_at),
        "duration_ms": round(report.duration_ms, 1),
        "steps": [
            {
                "id": result.step.value,
                "status": result.status.value,
                "why": result.why,
                "hint": None
                if result.hint is None
                else {
                    "kind": result.hint.kind.value,
                    "title": result.hint.title,
                    "advice": result.hint.advice,
                },
                "http_status": result.http_status,
                "correlation_id": result.correlation_id,
                "started_at": iso_utc(result.started_at),
                "duration_ms": round(result.duration_ms, 1),
                "details": list(result.details),
            }
            for result in report.results
        ],
    }


def report_to_json(report: CheckReport) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


# --- JUnit XML -------------------------------------------------------------------------------


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _testcase_text(result: StepResult) -> str:
    lines = [result.why, *result.details]
    if (hint := _hint_text(result)) is not None:
        lines.append(f"Hint: {hint}")
    if result.http_status is not None:
        lines.append(f"HTTP status: {result.http_status}")
    if result.correlation_id:
        lines.append(f"correlationId: {result.correlation_id}")
    return _xml("\n".join(lines))


def junit_xml(report: CheckReport) -> str:
    """One <testsuite>, one <testcase> per step named by its id; a failed step has a <failure>,
    a skipped one <skipped/>."""
    counts = {
        "tests": str(len(report.results)),
        "failures": str(report.count(StepStatus.FAIL)),
        "errors": "0",
        "skipped": str(report.count(StepStatus.SKIPPED)),
        "time": f"{report.duration_ms / 1000:.3f}",
    }
    root = ElementTree.Element("testsuites", {"name": SUITE_NAME, **counts})
    suite = ElementTree.SubElement(
        root,
        "testsuite",
        {"name": SUITE_NAME, "timestamp": iso_utc(report.started_at), **counts},
    )
    properties = ElementTree.SubElement(suite, "properties")
    for name, value in report.settings.described().items():
        ElementTree.SubElement(properties, "property", {"name": name, "value": _xml(value)})
    for result in report.results:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            {
                "classname": SUITE_NAME.replace(" ", "."),
                "name": result.step.value,
                "time": f"{result.duration_ms / 1000:.3f}",
            },
        )
        text = _testcase_text(result)
        if result.status is StepStatus.FAIL:
            failure = ElementTree.SubElement(case, "failure", {"message": _xml(result.why)})
            failure.text = text
        elif result.status is StepStatus.SKIPPED:
            ElementTree.SubElement(case, "skipped", {"message": _xml(result.why)})
        else:
            ElementTree.SubElement(case, "system-out").text = text
    ElementTree.indent(root)
    body = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


# --- Markdown --------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, no column breaks, no HTML."""
    flat = " ".join(text.split())
    return flat.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _time_of_day(result: StepResult) -> str:
    return iso_utc(result.started_at)[11:23]


def markdown_report(report: CheckReport) -> str:
    """The report for a support ticket: the target, the times, each step with its HTTP status
    and correlationId, and what to try for the steps that failed."""
    verdict = "PASS" if report.passed else "FAIL"
    counts = ", ".join(
        f"{report.count(status)} {label}"
        for status, label in (
            (StepStatus.PASS, "passed"),
            (StepStatus.FAIL, "failed"),
            (StepStatus.SKIPPED, "skipped"),
        )
    )
    started = iso_utc(report.started_at).replace("T", " ").replace("Z", " UTC")
    lines = [
        "# Sumsub ID Connect credential check",
        "",
        f"**Result: {verdict}** — {counts}. Started {started}, took {report.duration_ms:.0f} ms "
        f"(ID Connect Tester {__version__}).",
        "",
        "## Target",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {name} | {_cell(value)} |" for name, value in report.settings.described().items()]
    lines += [
        "",
        "## Steps",
        "",
        "| step | result | HTTP | correlationId | started (UTC) | time | why |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in report.results:
        status = "" if result.http_status is None else str(result.http_status)
        lines.append(
            f"| `{result.step.value}` | {_STATUS_MARKS[result.status]} | {status} "
            f"| {_cell(result.correlation_id or '')} | {_time_of_day(result)} "
            f"| {result.took} | {_cell(result.why)} |"
        )
    lines += ["", "## Details", ""]
    for result in report.results:
        lines += [f"### `{result.step.value}` — {STEP_TITLES[result.step]}", ""]
        lines.append(f"{_STATUS_MARKS[result.status]}: {_cell(result.why)}")
        if (hint := _hint_text(result)) is not None:
            lines += ["", f"**What to try:** {_cell(hint)}"]
        if result.details:
            lines += ["", *(f"- {_cell(line)}" for line in result.details)]
        lines.append("")
    lines.append(
        "This report holds no secret key; tokens are shortened to their first and last "
        "characters, which tells them apart without making them usable."
    )
    return "\n".join(lines) + "\n"
