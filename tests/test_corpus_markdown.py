"""Every Markdown page of the real-world corpus (`../shared/corpora/markdown`)
is read with no internal error, as a Markdown runbook or, when it is no
runbook (a helper page with no Diagnosis or Mitigation heading), skipped;
and the pages with a mitigation section yield steps with their commands'
resources."""

from __future__ import annotations

from pathlib import Path

import pytest
from review_support import CORPORA, corpus_folder

from markdown_it import MarkdownIt

from recoverylint.adapters.markdown import TOOLS, phase_of
from recoverylint.engine import FileResult, check_file, discover
from recoverylint.model import Phase
from recoverylint.shell import read_script


@pytest.fixture(scope="module")
def checked() -> list[tuple[Path, FileResult]]:
    folder = corpus_folder("markdown")
    return [
        (path, check_file(path, str(path.relative_to(CORPORA)), explicit=False))
        for path, _ in discover([folder])
    ]


def has_mitigation_section(path: Path) -> bool:
    return any(
        line.startswith("#") and phase_of(line.lstrip("#")) is Phase.REMEDIATE
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def test_every_page_is_read_with_no_internal_error(checked):
    pages = [path for path in corpus_folder("markdown").rglob("*.md")]
    assert len(checked) == len(pages) == 273
    errors = {str(path): result.internal_error for path, result in checked if result.internal_error}
    assert errors == {}
    unreadable = [(str(path), f.code) for path, result in checked for f in result.findings if f.code in ("RL001", "RL002")]
    assert unreadable == []
    read = [path for path, result in checked if result.format == "markdown"]
    skipped = [path for path, result in checked if result.skipped]
    assert len(read) + len(skipped) == len(checked)
    # The skipped pages are the helpers and the index pages, none with a mitigation section.
    assert not [str(path) for path in skipped if has_mitigation_section(path)]
    assert len(read) == 256


def tool_commands(path: Path) -> int:
    """How many commands of the shell tables' tools a page writes in code
    (fenced, indented or inline, whatever its language), as the shell parser
    reads them: after a prompt, inside `$(...)`, after `sudo` or `xargs`."""
    count = 0
    for token in MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8")):
        codes = [token.content] if token.type in ("fence", "code_block") else [
            child.content for child in token.children or () if child.type == "code_inline"
        ]
        for code in codes:
            for command in read_script(code).commands:
                words = command.words[1:] if command.words[:1] in (("sudo",), ("xargs",)) else command.words
                count += bool(words) and words[0] in TOOLS
    return count


def test_pages_with_a_mitigation_section_yield_two_steps_with_their_resources(checked):
    """The issue's target: at least 80% of the runbooks with a mitigation
    section yield two or more steps whose commands name resources.  Over
    all of them it is not met: 83 of the 250 write fewer than two commands
    of a known tool (their mitigation is prose and links to other pages,
    which are not followed), so no reading can find two.  Over the 167 that
    write two or more, it is; the 12 others write their commands in one
    step, or run tools no table knows (`oc dev_tool`, `virsh` in a pod)."""
    with_mitigation = [(path, result) for path, result in checked if has_mitigation_section(path)]
    yielding = {
        path
        for path, result in with_mitigation
        if result.runbook is not None
        and sum(1 for step in result.runbook.steps if step.reads or step.writes) >= 2
    }
    assert (len(yielding), len(with_mitigation)) == (155, 250)  # 62%
    with_commands = {path for path, _ in with_mitigation if tool_commands(path) >= 2}
    assert len(with_commands) == 167
    assert yielding <= with_commands
    assert len(yielding & with_commands) / len(with_commands) >= 0.80  # 93%
