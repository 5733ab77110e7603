"""`--format sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run: the catalog's words for the rules the run reports (as ruff does; the
whole catalog stays one `helpUri` away: embedding it all made a report of a
few findings hundreds of kilobytes),
the checked files as artifacts, one result per finding with its region,
related locations, a line-independent fingerprint and, where a fix exists,
the replacements that make it.  The output is stable (no timestamps, no
absolute paths unless a finding's own path is absolute), so it can be
compared and committed.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..baseline import fingerprint
from ..catalog import RuleDoc, catalog_codes, explanation, rule_doc
from ..finding import Finding, Fix, Severity
from ..model import Span
from . import Report
from .shown import json_safe, real_name

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# The project's home (as docs/integrations.md's pre-commit and Action examples name
# it); each rule's help links to its catalog file there.
INFORMATION_URI = "https://github.com/recoverylint/recoverylint"
# Working out a fix is a YAML round trip (about 0.1 s): a report of tens of
# thousands of fixable findings includes the first ones only.
MAX_FIXES = 50
# Relative finding paths are relative to the directory `check` ran in (the
# repository root in CI), named by this base id.
SOURCE_ROOT = "%SRCROOT%"
# The key of our fingerprint in partialFingerprints: bump the version when
# fingerprint() changes, so that consumers do not match old ones against it.
FINGERPRINT_KEY = "recoverylint/v1"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    """The report as one SARIF 2.1.0 log, indented JSON ending in a newline."""
    reported = {finding.code for finding in report.findings}
    codes = [code for code in catalog_codes() if code in reported]
    rule_index = {code: index for index, code in enumerate(codes)}
    artifact_index = {path: index for index, path in enumerate(report.files)}

    def location(path: str) -> dict[str, Any]:
        located = _artifact_location(path)
        if path in artifact_index:
            located["index"] = artifact_index[path]
        return located

    fixes: dict[tuple[str, Fix], dict[str, Any] | None] = {}
    left_out: set[tuple[str, Fix]] = set()
    results = []
    for finding in report.findings:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": rule_index[finding.code],
            "level": _LEVEL[finding.severity],
            "message": {"text": _message_text(finding)},
            "locations": [
                {"physicalLocation": {"artifactLocation": location(finding.path), "region": _region(finding.span)}}
            ],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        }
        if finding.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "message": {"text": related.message},
                    "physicalLocation": {
                        "artifactLocation": location(finding.path),
                        "region": _region(related.span),
                    },
                }
                for number, related in enumerate(finding.related, start=1)
            ]
        if finding.fix is not None:
            # Each fix is worked out on the file's text (slow: a YAML round
            # trip), so findings that share one, as a checklist's false
            # gates share its restructuring, work it out once.
            key = (finding.path, finding.fix)
            if key not in fixes and len(fixes) < MAX_FIXES:
                fixes[key] = _sarif_fix(finding.fix, report.source_text(finding.path), location(finding.path))
            elif key not in fixes:
                left_out.add(key)
            if fixes.get(key) is not None:
                result["fixes"] = [fixes[key]]
        results.append(result)

    invocation: dict[str, Any] = {"executionSuccessful": not report.unchecked}
    notifications: list[dict[str, Any]] = []
    if left_out:
        notifications.append(
            {
                "level": "note",
                "message": {
                    "text": f"Only the first {MAX_FIXES} fixes are included; {len(left_out)} more"
                    " are left out (`recoverylint check --diff` shows every fix)."
                },
            }
        )
    if report.unchecked:
        notifications += [
            {
                "level": "error",
                "message": {
                    "text": f"{path} was not checked: an internal error of recoverylint {__version__}"
                    " (reported on stderr)."
                },
                "locations": [{"physicalLocation": {"artifactLocation": location(path)}}],
            }
            for path in report.unchecked
        ]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "recoverylint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(rule_doc(code)) for code in codes],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {
                    SOURCE_ROOT: {
                        # No absolute URI: the output stays the same on every
                        # machine; consumers resolve it to their checkout.
                        "description": {"text": "The directory recoverylint ran in (the repository root in CI)."}
                    }
                },
                "artifacts": [
                    {"location": _artifact_location(path), "roles": ["analysisTarget"]}
                    for path in report.files
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def help_uri(code: str) -> str:
    """Where a rule's catalog entry is read (SARIF's helpUri, an editor's link)."""
    return f"{INFORMATION_URI}/blob/main/rules/{code}.yaml"


def _rule(doc: RuleDoc) -> dict[str, Any]:
    return {
        "id": doc.code,
        "name": doc.name,
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.rationale},
        "help": {"text": _help_text(doc), "markdown": explanation(doc)},
        "helpUri": help_uri(doc.code),
        "defaultConfiguration": {"level": _LEVEL[doc.severity]},
        "properties": {"tags": [doc.family]},
    }


def _help_text(doc: RuleDoc) -> str:
    return f"{doc.summary}\n\nWhy it matters: {doc.rationale}\n\nHow to fix: {doc.how_to_fix}"


def _message_text(finding: Finding) -> str:
    if finding.suggestion:
        return f"{finding.message} Suggestion: {finding.suggestion}"
    return finding.message


def _artifact_location(path: str) -> dict[str, Any]:
    """A shown path as SARIF wants it: relative ones as `/`-separated URI
    references from SOURCE_ROOT, absolute ones as file:// URIs."""
    pure = PurePath(real_name(path))
    if pure.is_absolute():
        return {"uri": pure.as_uri()}  # percent-encodes the name's bytes
    # quote() escapes `:` too, so `a:b.yaml` cannot read as a URI scheme; it
    # percent-encodes the bytes of the name, so that the URI names the file.
    return {"uri": quote(os.fsencode(pure.as_posix())), "uriBaseId": SOURCE_ROOT}



def _region(span: Span) -> dict[str, int]:
    return _region_between(span.line, span.column, span.end_line, span.end_column)


def _region_between(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    # The end column is exclusive in both recoverylint and SARIF.
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _sarif_fix(fix: Fix, text: str | None, artifact: dict[str, Any]) -> dict[str, Any] | None:
    """The fix as SARIF replacements in the file's text, or None when the
    text is gone or the fix cannot be applied to it."""
    from ..fix import FixError, replacements

    if text is None:
        return None
    try:
        changes = replacements(text, [fix.edit])
    except FixError:
        return None
    if not changes:  # SARIF wants at least one replacement; an edit that changes nothing fixes nothing
        return None
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": artifact,
                "replacements": [
                    {
                        "deletedRegion": _region_between(
                            change.line, change.column, change.end_line, change.end_column
                        ),
                        "insertedContent": {"text": change.text},
                    }
                    for change in changes
                ],
            }
        ],
        "properties": {"safe": fix.safe},
    }
