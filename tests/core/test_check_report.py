"""The credential check's reports (`core.check_report`) from real runs against the emulator: JUnit
XML a CI system can read, and Markdown / JSON safe to attach to a support ticket."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from xml.etree import ElementTree

import pytest
from tests.core.test_credential_check import settings_for

from idconnect_tester.core.check_report import (
    junit_xml,
    markdown_report,
    report_to_dict,
    report_to_json,
)
from idconnect_tester.core.check_results import STEP_ORDER, CheckReport, StepStatus
from idconnect_tester.core.credential_check import run_check
from idconnect_tester.emulator import EmulatorServer

SECRET = "emulator-secret-key"
# A token in full, as opposed to its masked form (prefix, four characters, "…", last four).
FULL_TOKENS = (
    re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]*"),  # a JWT: the id_token
    re.compile(r"snd-id-con-[a-z]+-[\w-]{5,}"),  # access and refresh tokens
    re.compile(r"_act-sbx-[\w-]{5,}|_act-(?!sbx-)[\w-]{5,}"),  # share tokens
)


def parse_junit(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 - the app's own output, not untrusted


def assert_safe_to_share(text: str) -> None:
    assert SECRET not in text
    for pattern in FULL_TOKENS:
        assert pattern.search(text) is None, pattern.search(text)


@pytest.fixture(scope="module")
def passed(shared_emulator: EmulatorServer) -> CheckReport:
    shared_emulator.clear_scenario()
    return asyncio.run(run_check(settings_for(shared_emulator)))


@pytest.fixture(scope="module")
def failed(shared_emulator: EmulatorServer) -> CheckReport:
    shared_emulator.clear_scenario()
    return asyncio.run(run_check(settings_for(shared_emulator, "sbx:emulator-disabled-token")))


def test_junit_has_one_testcase_per_step_id(failed: CheckReport) -> None:
    root = parse_junit(junit_xml(failed))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == [step.value for step in STEP_ORDER]
    outcome = {
        case.get("name"): "failure"
        if case.find("failure") is not None
        else "skipped"
        if case.find("skipped") is not None
        else "pass"
        for case in cases
    }
    assert outcome["token"] == "failure"
    assert [outcome[s] for s in ("id_token", "refresh", "share_token")] == ["skipped"] * 3
    assert [outcome[s.value] for s in STEP_ORDER[:4]] == ["pass"] * 4
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("8", "1", "3")
    failure = suite.find("testcase[@name='token']/failure")
    assert failure is not None and "404" in (failure.get("message") or "")
    assert "correlationId" in (failure.text or "")  # the evidence travels with the failure


def test_junit_stays_readable_whatever_a_server_says(failed: CheckReport) -> None:
    token = failed.results[4]
    odd = replace(token, why='bad \x00 byte \x1b[31m & <tag> "quoted"')
    report = replace(failed, results=(*failed.results[:4], odd, *failed.results[5:]))
    failure = parse_junit(junit_xml(report)).find(".//testcase[@name='token']/failure")
    assert failure is not None and "<tag>" in (failure.get("message") or "")


def test_the_markdown_report_is_evidence_without_secrets(
    passed: CheckReport, failed: CheckReport
) -> None:
    text = markdown_report(passed)
    assert_safe_to_share(text)
    assert "snd-id-con-a-" in text and "…" in text  # tokens appear, masked
    assert "**Result: PASS**" in text
    assert passed.settings.target.base_url in text
    for step in STEP_ORDER:
        assert f"| `{step.value}` | ✅ pass |" in text

    text = markdown_report(failed)
    assert_safe_to_share(text)
    token = failed.results[4]
    assert token.correlation_id is not None
    row = next(line for line in text.splitlines() if line.startswith("| `token` |"))
    assert "❌ fail" in row and "| 404 |" in row and token.correlation_id in row
    assert token.hint is not None and token.hint.title in text
    assert text.count("⏭ skipped |") == 3
    # Tryout U: a step that never ran has no time of its own ("0 ms" read as one that ran).
    skipped = [line for line in text.splitlines() if "⏭ skipped |" in line]
    assert all(" ms |" not in line for line in skipped)
    assert f"| {token.duration_ms:.0f} ms |" in row


def test_a_table_cell_cannot_break_the_table(failed: CheckReport) -> None:
    odd = replace(failed.results[4], why="a | b\nc <script>")
    report = replace(failed, results=(*failed.results[:4], odd, *failed.results[5:]))
    row = next(line for line in markdown_report(report).splitlines() if "`token`" in line)
    assert row.endswith("a \\| b c &lt;script&gt; |")


def test_json_has_every_step_and_nothing_secret(passed: CheckReport, failed: CheckReport) -> None:
    text = report_to_json(passed)
    assert_safe_to_share(text)
    document = json.loads(text)
    assert document == report_to_dict(passed)
    assert document["passed"] is True
    assert [s["id"] for s in document["steps"]] == [s.value for s in STEP_ORDER]
    assert "secret" not in " ".join(document["target"]).lower()

    steps = {s["id"]: s for s in report_to_dict(failed)["steps"]}
    assert steps["token"]["status"] == StepStatus.FAIL.value
    assert steps["token"]["hint"]["kind"] == "sumsub_id_not_enabled"  # what a script matches on
    assert steps["token"]["hint"]["title"] and steps["token"]["hint"]["advice"]
    assert steps["token"]["http_status"] == 404 and steps["token"]["correlation_id"]
