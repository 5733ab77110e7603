"""`--format junit`: JUnit XML, for CI systems that show test reports.

One `<testsuite>` per file checked (its name is the file's path), holding one
failing `<testcase>` per finding, named `RL201 false-sequential-gate at 87:9`
(every finding fails its test case, whatever its severity: the severity is the
failure's `type`).  A file without findings holds one passing test case, so
that it shows as checked; a file that could not be checked (an internal error)
holds one test case with an `<error>`.  The document is valid against the
JUnit schema that Jenkins' xUnit plugin uses (tests/vendor/junit-10.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..finding import Finding
from . import Report
from .shown import escape, shown

# Characters XML 1.0 does not allow (section 2.2, production [2] Char) that
# `shown` leaves: U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\ufffe\uffff]")


def render(report: Report) -> str:
    """The JUnit XML document, UTF-8, with its declaration."""
    by_path: dict[str, list[Finding]] = {}
    for item in report.findings:
        by_path.setdefault(item.path, []).append(item)
    unchecked = set(report.unchecked)
    # Every file checked in run order; the others (never expected) after them,
    # so that no finding and no unchecked file is left out.
    paths = list(dict.fromkeys([*report.files, *by_path, *report.unchecked]))

    root = ET.Element("testsuites", name="recoverylint")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for path in paths:
        suite = ET.SubElement(root, "testsuite", name=xml_text(path))
        findings = by_path.get(path, [])
        for item in findings:
            _failing_case(suite, item)
        if path in unchecked:
            _unchecked_case(suite, path)
        elif not findings:
            ET.SubElement(suite, "testcase", classname=xml_text(path), name="no findings")
        errors = 1 if path in unchecked else 0
        counts = {"tests": max(1, len(findings) + errors), "failures": len(findings), "errors": errors}
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _failing_case(suite: ET.Element, finding: Finding) -> None:
    span = finding.span
    case = ET.SubElement(
        suite,
        "testcase",
        classname=xml_text(finding.path),
        name=xml_text(f"{finding.code} {finding.name} at {span.line}:{span.column}"),
    )
    failure = ET.SubElement(case, "failure", type=finding.severity.value, message=xml_text(finding.message))
    failure.text = xml_text(_details(finding))


def _unchecked_case(suite: ET.Element, path: str) -> None:
    case = ET.SubElement(suite, "testcase", classname=xml_text(path), name="checked")
    error = ET.SubElement(case, "error", type="internal-error", message="recoverylint could not check this file")
    error.text = (
        "An internal error kept recoverylint from checking this file; it is shown on stderr (please report it)."
    )


def _details(finding: Finding) -> str:
    span = finding.span
    lines = [f"{finding.path}:{span.line}:{span.column}: {finding.code} [{finding.severity.value}] {finding.message}"]
    if finding.suggestion:
        lines.append(f"help: {finding.suggestion}")
    lines.extend(
        f"{finding.path}:{related.span.line}:{related.span.column}: note: {related.message}"
        for related in finding.related
    )
    return "\n".join(lines)


def xml_text(text: str) -> str:
    """`text` as `shown` (line breaks kept), and the characters XML 1.0 forbids
    written as `\\x1b`, `\\udcff`..."""
    return _NOT_XML.sub(lambda match: escape(match.group()), shown(text, keep_line_breaks=True))
