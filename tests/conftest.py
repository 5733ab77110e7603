import textwrap

import pytest

from recoverylint.engine import check_text


@pytest.fixture
def lint():
    """Findings of a runbook written inline (dedented), sorted by position."""

    def run(text: str, code: str | None = None):
        findings = check_text(textwrap.dedent(text).lstrip("\n")).findings
        return [f for f in findings if code is None or f.code == code]

    return run
