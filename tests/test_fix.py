"""recoverylint.fix: edits applied to a runbook's text, changing nothing else.

Every case checks the whole resulting text, and that `replacements()`,
applied to the original by hand, gives the same text as `apply_edits()`.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from recoverylint.engine import check_text
from recoverylint.finding import MakeFlowParallel, RemoveNeed, RemoveNeeds
from recoverylint.fix import (
    FLOW_COMMENT,
    FixError,
    Replacement,
    apply_edits,
    replacements,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FLOW_LINE = f"flow: parallel  # {FLOW_COMMENT}"


def runbook(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def fixed(text: str, *edits) -> str:
    """apply_edits's text, checked against its replacements applied by hand."""
    result = apply_edits(text, edits)
    assert by_hand(text, replacements(text, edits)) == result
    return result


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column, YAML line breaks."""
    before = text[:offset]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    return len(breaks) + 1, offset - (breaks[-1].end() if breaks else 0) + 1


def by_hand(text: str, changes: list[Replacement]) -> str:
    parts, end = [], 0
    for change in sorted(changes, key=lambda change: change.offset):
        assert change.offset >= end, "replacements overlap"
        assert position(text, change.offset) == (change.line, change.column)
        assert position(text, change.offset + change.length) == (change.end_line, change.end_column)
        parts += [text[end:change.offset], change.text]
        end = change.offset + change.length
    return "".join(parts + [text[end:]])


def data(text: str):
    return YAML(typ="safe").load(text)


def steps_of(document) -> list[dict]:
    """The steps of a runbook's plain data, in file order."""
    found = []

    def walk(items):
        for item in items:
            if "id" in item:
                found.append(item)
            for block in ("parallel", "sequence"):
                walk(item.get(block) or [])

    walk(document.get("steps") or [])
    for stage in document.get("stages") or []:
        walk(stage.get("steps") or [])
    return found


def entry_name(entry) -> str:
    """The step a `needs` entry names."""
    return entry if isinstance(entry, str) else entry["step"]


# -- RemoveNeed: block lists ----------------------------------------------------

BLOCK = runbook("""
    runbook: orders-db
    steps:
      - id: a
      - id: b
      - id: c
      - id: d
        needs:
          - a
          - b
          - c
        title: Fix it
    """)


@pytest.mark.parametrize(
    ("need", "left"),
    [("a", ["b", "c"]), ("b", ["a", "c"]), ("c", ["a", "b"])],
    ids=["first", "middle", "last"],
)
def test_removing_an_entry_of_a_block_list_deletes_its_line(need, left):
    entries = "".join(f"      - {name}\n" for name in left)
    assert fixed(BLOCK, RemoveNeed("d", need)) == BLOCK.replace(
        "      - a\n      - b\n      - c\n", entries
    )


def test_removing_the_only_entry_of_a_block_list_leaves_an_empty_flow_list():
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs:
              - a
            title: Fix it
        """)
    assert fixed(text, RemoveNeed("b", "a")) == runbook("""
        steps:
          - id: a
          - id: b
            needs: []
            title: Fix it
        """)


def test_removing_every_entry_one_by_one_leaves_an_empty_flow_list():
    expected = BLOCK.replace("    needs:\n      - a\n      - b\n      - c\n", "    needs: []\n")
    assert fixed(BLOCK, RemoveNeed("d", "b"), RemoveNeed("d", "a"), RemoveNeed("d", "c")) == expected


def test_the_last_entry_of_the_last_step_at_the_end_of_the_file():
    text = "steps:\n- id: a\n- id: b\n  needs:\n  - a\n  - b\n"
    assert fixed(text, RemoveNeed("b", "b")) == "steps:\n- id: a\n- id: b\n  needs:\n  - a\n"
    assert fixed(text, RemoveNeed("b", "a")) == "steps:\n- id: a\n- id: b\n  needs:\n  - b\n"


# -- RemoveNeed: flow lists -----------------------------------------------------

FLOW = runbook("""
    steps:
      - id: a
      - id: b
      - id: c
      - id: d
        needs: [a, b, c]
        title: Fix it
    """)


@pytest.mark.parametrize(
    ("need", "left"),
    [("a", "[b, c]"), ("b", "[a, c]"), ("c", "[a, b]")],
    ids=["first", "middle", "last"],
)
def test_removing_an_entry_of_a_flow_list_rewrites_only_its_line(need, left):
    assert fixed(FLOW, RemoveNeed("d", need)) == FLOW.replace("[a, b, c]", left)


def test_removing_the_only_entry_of_a_flow_list_leaves_it_empty():
    text = FLOW.replace("[a, b, c]", "[c]")
    assert fixed(text, RemoveNeed("d", "c")) == FLOW.replace("[a, b, c]", "[]")


def test_the_comment_on_an_edited_flow_list_stays_in_its_column():
    text = FLOW.replace("[a, b, c]", "[a, b, c]  # what the fix uses")
    assert fixed(text, RemoveNeed("d", "b")) == FLOW.replace(
        "[a, b, c]", "[a, c]     # what the fix uses"
    )


def test_a_flow_list_spaced_its_own_way_is_rewritten_the_usual_way():
    # Only the edited line changes; ruamel writes it without inner spaces.
    text = FLOW.replace("[a, b, c]", "[ a,  b , c ]")
    assert fixed(text, RemoveNeed("d", "a")) == FLOW.replace("[a, b, c]", "[b, c]")


# -- Duplicates and entries with a reason ---------------------------------------


def test_occurrence_one_removes_the_second_entry_naming_the_step():
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs:
              - a  # first
              - a  # second
              - a  # third
        """)
    assert fixed(text, RemoveNeed("b", "a", 1)) == text.replace("      - a  # second\n", "")
    assert fixed(text, RemoveNeed("b", "a", 0)) == text.replace("      - a  # first\n", "")


def test_occurrence_one_in_a_flow_list():
    text = FLOW.replace("[a, b, c]", "[a, b, a, c]")
    assert fixed(text, RemoveNeed("d", "a", 1)) == FLOW


REASONED = runbook("""
    steps:
      - id: a
      - id: b
      - id: c
        needs:
          - b
          - step: a
            reason: "the disk must be checked first"
          - {step: b, reason: why}
        title: Fix it
    """)


@pytest.mark.parametrize(
    "edit",
    [RemoveNeed("c", "a"), RemoveNeed("c", "b", 1), RemoveNeeds("c", ("a",))],
    ids=["block mapping", "flow mapping", "several"],
)
def test_an_entry_with_a_reason_is_never_removed(edit):
    # A reason is the author's word: no fix, safe or unsafe, takes it away.
    with pytest.raises(FixError, match="gives a reason, which is the author's word: it stays"):
        apply_edits(REASONED, [edit])


def test_the_plain_entry_beside_a_reasoned_one_naming_the_same_step_is_removed():
    assert fixed(REASONED, RemoveNeed("c", "b", 0)) == REASONED.replace("      - b\n", "", 1)


def test_an_entry_with_a_reason_in_a_flow_list_stays():
    text = FLOW.replace("[a, b, c]", '[a, {step: b, reason: "only then"}, c]')
    with pytest.raises(FixError, match="it stays"):
        apply_edits(text, [RemoveNeed("d", "b")])
    assert fixed(text, RemoveNeed("d", "c")) == FLOW.replace(
        "[a, b, c]", '[a, {step: b, reason: "only then"}]'
    )


def test_make_flow_parallel_never_drops_an_entry_with_a_reason():
    edit = MakeFlowParallel((("a", ()), ("b", ()), ("c", ("b",))))
    with pytest.raises(FixError, match="it would remove `a`, which `c` needs with a reason"):
        apply_edits(REASONED, [edit])


def test_a_need_of_another_kind_of_entry_is_not_mistaken_for_it():
    text = FLOW.replace("[a, b, c]", "[{step: a}, b, a]")
    assert fixed(text, RemoveNeed("d", "a", 1)) == FLOW.replace("[a, b, c]", "[{step: a}, b]")


# -- Comments -------------------------------------------------------------------

COMMENTED = runbook("""
    # Orders database: the checklist.
    runbook: orders-db  # the id
    steps:
      - id: a
      - id: b
      - id: c
        needs:  # what c waits for
          # about a
          - a  # on a
          # about b
          - b  # on b
          # about the title
        title: Fix it  # on the title
    """)


def test_a_comment_on_the_removed_line_goes_with_it_and_every_other_stays():
    assert fixed(COMMENTED, RemoveNeed("c", "a")) == COMMENTED.replace("      - a  # on a\n", "")
    assert fixed(COMMENTED, RemoveNeed("c", "b")) == COMMENTED.replace("      - b  # on b\n", "")


def test_comment_lines_stay_when_the_list_is_emptied():
    assert fixed(COMMENTED, RemoveNeed("c", "a"), RemoveNeed("c", "b")) == runbook("""
        # Orders database: the checklist.
        runbook: orders-db  # the id
        steps:
          - id: a
          - id: b
          - id: c
            needs: [] # what c waits for
              # about a
              # about b
              # about the title
            title: Fix it  # on the title
        """)


def test_the_comment_after_the_last_entry_of_a_step_stays_before_the_next_step():
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs:
              - a
              - b  # removed
            # about c

          # more about c
          - id: c
        """)
    assert fixed(text, RemoveNeed("b", "b")) == text.replace("      - b  # removed\n", "")


def test_blank_lines_between_steps_stay():
    text = runbook("""
        steps:
          - id: a

          - id: b
            needs: [a]

          - id: c
            needs:
              - a
              - b

          - id: d
        """)
    assert fixed(text, RemoveNeed("c", "b")) == text.replace("      - b\n", "")
    assert fixed(text, RemoveNeed("b", "a")) == text.replace("needs: [a]", "needs: []")


# -- Quoting, indentation, spacing ----------------------------------------------


def test_quoted_ids_are_found_and_quoted_neighbours_kept():
    text = runbook("""
        steps:
          - id: 'a'
          - id: "b"
          - id: c
            needs:
              - 'a'
              - "b"
            title: 'Fix it'
          - id: d
            needs: ["a", 'b', c]
        """)
    assert fixed(text, RemoveNeed("c", "a")) == text.replace("      - 'a'\n", "")
    assert fixed(text, RemoveNeed("c", "b")) == text.replace('      - "b"\n', "")
    assert fixed(text, RemoveNeed("d", "c")) == text.replace("""["a", 'b', c]""", """["a", 'b']""")
    assert fixed(text, RemoveNeed("d", "a")) == text.replace("""["a", 'b', c]""", """['b', c]""")


INDENTED = {
    "2, indented": "steps:\n  - id: a\n  - id: b\n    needs:\n      - a\n      - c\n  - id: c\n",
    "2, not indented": "steps:\n- id: a\n- id: b\n  needs:\n  - a\n  - c\n- id: c\n",
    "4, indented": (
        "steps:\n    -   id: a\n    -   id: b\n        needs:\n            - a\n            - c\n    -   id: c\n"
    ),
    "4, not indented": "steps:\n-   id: a\n-   id: b\n    needs:\n    -   a\n    -   c\n-   id: c\n",
    "mixed": "steps:\n- id: a\n- id: b\n  needs:\n      - a\n      - c\n- id: c\n",
}


@pytest.mark.parametrize("text", INDENTED.values(), ids=INDENTED.keys())
def test_any_indentation(text):
    entry = next(line for line in text.splitlines(keepends=True) if line.strip(" -") == "a\n")
    assert fixed(text, RemoveNeed("b", "a")) == text.replace(entry, "")
    emptied = fixed(text, RemoveNeed("b", "a"), RemoveNeed("b", "c"))
    needs_line = next(line for line in text.splitlines() if "needs:" in line)
    assert emptied == re.sub(r"needs:\n(.*\n){2}", "needs: []\n", text)
    assert needs_line + " []" in emptied


def test_odd_spacing_and_tabs_elsewhere_are_kept_byte_for_byte():
    text = (
        "runbook:   orders-db   \n"
        "title: \"Tabs\tinside\"  # and\tin a comment\n"
        "steps:\n"
        "  - id:    a  # comment\n"
        "  - id: b\n"
        "    title:  Two  spaces  \n"
        "    needs:\n"
        "      - a\n"
        "      -   c\n"
        "    run: |\n"
        "      echo 'trailing spaces kept'   \n"
        "        indented\n"
        "  - {id: c,\ttitle:   flow step}\n"
    )
    assert fixed(text, RemoveNeed("b", "a")) == text.replace("      - a\n", "")


def test_what_ruamel_cannot_read_is_a_fix_error():
    # A tab before a comment is YAML, but ruamel.yaml's round-trip reader refuses it.
    text = "steps:\n- id: a\t# tab\n- id: b\n  needs: [a]\n"
    with pytest.raises(FixError, match=r"ruamel.yaml cannot read the runbook: .* \(line 2, column 8\)"):
        apply_edits(text, [RemoveNeed("b", "a")])


# -- Line endings, BOM, document start -------------------------------------------


def test_crlf_stays_crlf():
    text = BLOCK.replace("\n", "\r\n")
    assert fixed(text, RemoveNeed("d", "b")) == text.replace("      - b\r\n", "")
    emptied = fixed(text, RemoveNeed("d", "a"), RemoveNeed("d", "b"), RemoveNeed("d", "c"))
    assert emptied == text.replace("    needs:\r\n      - a\r\n      - b\r\n      - c\r\n", "    needs: []\r\n")


def test_crlf_positions_of_replacements():
    text = "steps:\r\n- id: a\r\n- id: b\r\n  needs: [a]\r\n"
    [change] = replacements(text, [RemoveNeed("b", "a")])
    assert (change.line, change.column, change.end_line, change.end_column) == (4, 11, 4, 12)
    assert text[change.offset:change.offset + change.length] == "a"
    assert change.text == ""


def test_a_file_without_a_final_newline_stays_without_one():
    text = "steps:\n- id: a\n- id: b\n  needs:\n  - a\n  - b"
    assert fixed(text, RemoveNeed("b", "b")) == "steps:\n- id: a\n- id: b\n  needs:\n  - a"
    assert fixed(text, RemoveNeed("b", "a")) == "steps:\n- id: a\n- id: b\n  needs:\n  - b"
    assert fixed(text, RemoveNeed("b", "a"), RemoveNeed("b", "b")) == "steps:\n- id: a\n- id: b\n  needs: []"
    crlf = text.replace("\n", "\r\n")
    assert fixed(crlf, RemoveNeed("b", "b")) == "steps:\r\n- id: a\r\n- id: b\r\n  needs:\r\n  - a"


def test_a_block_scalar_ending_a_file_without_a_final_newline():
    text = "steps:\n- id: a\n- id: b\n  needs: [a]\n  run: |\n    echo done"
    assert fixed(text, RemoveNeed("b", "a")) == text.replace("[a]", "[]")


def test_document_start_and_bom_are_kept():
    text = "\ufeff---\nsteps:\n- id: a\n- id: b\n  needs: [a]\n"
    assert fixed(text, RemoveNeed("b", "a")) == "\ufeff---\nsteps:\n- id: a\n- id: b\n  needs: []\n"
    assert fixed(text[1:], RemoveNeed("b", "a")) == "---\nsteps:\n- id: a\n- id: b\n  needs: []\n"


def test_positions_count_the_bom_as_a_character():
    text = "\ufeffsteps: [{id: a}, {id: b, needs: [a]}]\n"
    [change] = replacements(text, [RemoveNeed("b", "a")])
    assert text[change.offset:change.offset + change.length] == "a"
    assert (change.line, change.column) == (1, 35)


# -- Where steps are ------------------------------------------------------------

NESTED = runbook("""
    runbook: nested
    steps:
      - id: triage
      - parallel:
          - id: check-disk
            needs: [triage]
          - sequence:
              - id: list-deploys
              - id: diff-deploys
                needs:
                  - list-deploys
                  - triage
      - id: fix
        needs: [check-disk, diff-deploys]
    """)


def test_steps_in_parallel_and_sequence_blocks():
    assert fixed(NESTED, RemoveNeed("check-disk", "triage")) == NESTED.replace("[triage]", "[]")
    assert fixed(NESTED, RemoveNeed("diff-deploys", "triage")) == NESTED.replace(
        "              - triage\n", ""
    )
    assert fixed(NESTED, RemoveNeed("fix", "check-disk")) == NESTED.replace(
        "[check-disk, diff-deploys]", "[diff-deploys]"
    )


def test_steps_in_stages():
    text = runbook("""
        runbook: staged
        stages:
          - stage: triage
            steps:
              - id: declare
              - id: assess
                needs:
                  - step: declare
                    reason: the commander assigns roles first
          - stage: investigate
            flow: parallel
            steps:
              - sequence:
                  - id: group-errors
                    needs: [assess, declare]
        """)
    assert fixed(text, RemoveNeed("group-errors", "declare")) == text.replace("[assess, declare]", "[assess]")
    with pytest.raises(FixError, match="it stays"):
        apply_edits(text, [RemoveNeed("assess", "declare")])
    assert fixed(text, RemoveNeeds("group-errors", ("declare", "assess"))) == text.replace(
        "[assess, declare]", "[]"
    )


# -- Edits that cannot be applied ----------------------------------------------


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (RemoveNeed("nope", "a"), "no step has the id `nope`"),
        (RemoveNeed("d", "zz"), "`d` has no `needs` entry naming `zz`"),
        (RemoveNeed("d", "a", 1), "name `a` once, so there is no occurrence 1"),
        (RemoveNeed("a", "b"), "step `a` has no `needs` list"),
    ],
)
def test_an_unknown_step_or_need_is_a_fix_error(edit, message):
    with pytest.raises(FixError, match=re.escape(message)):
        apply_edits(BLOCK, [edit])


def test_a_duplicate_step_id_is_a_fix_error():
    text = BLOCK.replace("  - id: c\n", "  - id: a\n")
    with pytest.raises(FixError, match="2 steps have the id `a`"):
        apply_edits(text, [RemoveNeed("a", "b")])


@pytest.mark.parametrize("step", ["b", "c"])
def test_a_list_shared_through_an_anchor_is_a_fix_error(step):
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs: &common [a]
          - id: c
            needs: *common
        """)
    with pytest.raises(FixError, match="is shared through the YAML anchor `&common`"):
        apply_edits(text, [RemoveNeed(step, "a")])
    with pytest.raises(FixError, match="is shared through the YAML anchor `&common`"):
        apply_edits(text, [MakeFlowParallel((("a", ()), ("b", ()), ("c", ())))])


def test_a_merge_key_is_a_fix_error():
    text = runbook("""
        defaults: &defaults {needs: [a]}
        steps:
          - id: a
          - <<: *defaults
            id: b
        """)
    with pytest.raises(FixError, match="merge key"):
        apply_edits(text, [RemoveNeed("b", "a")])


def test_a_list_written_over_several_lines_is_a_fix_error_not_a_guess():
    # ruamel writes this flow list on one line: the original around the
    # edit does not read as ruamel's text, so nothing is changed.
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs: [
              a,
              b,
            ]
        """)
    message = "removing `a` from the `needs` of `b`: the runbook around line 4 is laid out"
    with pytest.raises(FixError, match=message):
        apply_edits(text, [RemoveNeed("b", "a")])


def test_text_that_is_not_yaml_is_a_fix_error():
    with pytest.raises(FixError, match="ruamel.yaml cannot read the runbook"):
        apply_edits("steps: [\n", [RemoveNeed("b", "a")])
    with pytest.raises(FixError, match="not a mapping"):
        apply_edits("- a\n", [RemoveNeed("b", "a")])


# -- MakeFlowParallel -----------------------------------------------------------

CHECKLIST = runbook("""
    runbook: disk-full
    given: [alert]

    # The checklist, top to bottom.
    steps:
      - id: ack
        title: Acknowledge
        duration: 2m
        inputs: [alert]
      - id: check-disk  # the first check
        role: dba
        # what it reads
        reads: [db/disk]
      - id: check-deploys
        needs:
          - ack
          - step: check-disk
            reason: one person at a time on the host  # kept as written
      - id: fix
        needs: [check-deploys]
        run: |
          clean up
    """)


def test_make_flow_parallel_inserts_the_flow_key_and_rewrites_needs():
    # The runbook's first `needs` list is written one entry a line: so is the new one.
    edit = MakeFlowParallel((
        ("ack", ()),
        ("check-disk", ("ack",)),
        ("check-deploys", ("check-disk",)),
        ("fix", ("check-disk", "check-deploys")),
    ))
    assert fixed(CHECKLIST, edit) == runbook(f"""
        runbook: disk-full
        given: [alert]
        {FLOW_LINE}

        # The checklist, top to bottom.
        steps:
          - id: ack
            title: Acknowledge
            duration: 2m
            inputs: [alert]
          - id: check-disk  # the first check
            role: dba
            needs:
              - ack
            # what it reads
            reads: [db/disk]
          - id: check-deploys
            needs:
              - step: check-disk
                reason: one person at a time on the host  # kept as written
          - id: fix
            needs: [check-deploys, check-disk]
            run: |
              clean up
        """)


def test_make_flow_parallel_removes_the_needs_of_steps_given_none():
    # ...but an entry with a reason, which is the author's word.
    edit = MakeFlowParallel(
        (("ack", ()), ("check-disk", ()), ("check-deploys", ("check-disk",)), ("fix", ()))
    )
    assert fixed(CHECKLIST, edit) == runbook(f"""
        runbook: disk-full
        given: [alert]
        {FLOW_LINE}

        # The checklist, top to bottom.
        steps:
          - id: ack
            title: Acknowledge
            duration: 2m
            inputs: [alert]
          - id: check-disk  # the first check
            role: dba
            # what it reads
            reads: [db/disk]
          - id: check-deploys
            needs:
              - step: check-disk
                reason: one person at a time on the host  # kept as written
          - id: fix
            run: |
              clean up
        """)


def test_make_flow_parallel_replaces_an_existing_flow_value():
    text = CHECKLIST.replace(
        "given: [alert]\n", "given: [alert]\nflow: sequential   # the default\n# (the comment after it stays)\n"
    )
    edit = MakeFlowParallel((
        ("ack", ()),
        ("check-disk", ()),
        ("check-deploys", ("ack", "check-disk")),
        ("fix", ("check-deploys",)),
    ))
    assert fixed(text, edit) == text.replace("flow: sequential   # the default\n", FLOW_LINE + "\n")


def test_make_flow_parallel_leaves_kept_entries_where_they_are():
    text = runbook("""
        steps:
          - id: a
          - id: b
          - id: c
            needs:
              - b  # on b
              - {step: a, reason: first}  # on a
        """)
    result = fixed(text, MakeFlowParallel((("a", ()), ("b", ()), ("c", ("a", "b")))))
    assert result == runbook(f"""
        {FLOW_LINE}
        steps:
          - id: a
          - id: b
          - id: c
            needs:
              - b  # on b
              - {{step: a, reason: first}}  # on a
        """)


def test_make_flow_parallel_writes_new_lists_as_the_runbook_writes_its_lists():
    text = runbook("""
        steps:
        - id: a
          title: First
        - id: b
          needs:
          - a
        - id: c
          run: x
        """)
    result = fixed(text, MakeFlowParallel((("a", ()), ("b", ("a",)), ("c", ("a", "b")))))
    assert result == runbook(f"""
        {FLOW_LINE}
        steps:
        - id: a
          title: First
        - id: b
          needs:
          - a
        - id: c
          needs:
          - a
          - b
          run: x
        """)


def test_make_flow_parallel_appends_to_a_block_list_before_the_comments_after_it():
    text = runbook("""
        steps:
          - id: a
          - id: b
          - id: c
            needs:
              - a  # on a
              # about the title
            title: x

          - id: d
            needs:
              - a

          - id: e
        """)
    edit = MakeFlowParallel((("a", ()), ("b", ()), ("c", ("a", "b")), ("d", ("a", "b")), ("e", ())))
    assert fixed(text, edit) == runbook(f"""
        {FLOW_LINE}
        steps:
          - id: a
          - id: b
          - id: c
            needs:
              - a  # on a
              - b
              # about the title
            title: x

          - id: d
            needs:
              - a
              - b

          - id: e
        """)


def test_make_flow_parallel_after_a_block_scalar_that_reads_like_a_comment():
    text = runbook("""
        runbook: x
        description: |
          Read this first.
          # not a comment: text of the description
        steps:
          - id: a
          - id: b
        """)
    edit = MakeFlowParallel((("a", ()), ("b", ("a",))))
    assert fixed(text, edit) == text.replace("steps:\n", FLOW_LINE + "\nsteps:\n").replace(
        "  - id: b\n", "  - id: b\n    needs: [a]\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NESTED, "not a plain checklist"),
        ("stages: [{stage: s, steps: [{id: a}]}]\n", "no top-level `steps` list"),
        ("flow: parallel\nsteps: [{id: a}]\n", "is not `flow: sequential`"),
        ("steps: [{id: a}, {id: a}]\n", "2 steps have the id `a`"),
    ],
)
def test_make_flow_parallel_only_restructures_a_checklist(text, message):
    with pytest.raises(FixError, match=re.escape(message)):
        apply_edits(text, [MakeFlowParallel((("a", ()),))])


def test_make_flow_parallel_with_an_unknown_step_or_need():
    with pytest.raises(FixError, match="no step has the id `zz`"):
        apply_edits(CHECKLIST, [MakeFlowParallel((("zz", ()),))])
    with pytest.raises(FixError, match="`ack` would need `zz`, which is not a step"):
        apply_edits(CHECKLIST, [MakeFlowParallel((("ack", ("zz",)),))])


# -- The examples ----------------------------------------------------------------


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The lines of `before` that `after` deletes or changes, and the lines it adds."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def has_reason(entry) -> bool:
    return isinstance(entry, dict) and bool(entry.get("reason"))


def each_need_removed(document) -> list[RemoveNeed]:
    """A RemoveNeed for every `needs` entry of every step but those with a reason (which stay)."""
    edits = []
    for step in steps_of(document):
        entries = step.get("needs") or []
        names = [entry_name(entry) for entry in entries]
        edits += [
            RemoveNeed(step["id"], name, names[:index].count(name))
            for index, (name, entry) in enumerate(zip(names, entries))
            if not has_reason(entry)
        ]
    return edits


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda path: path.name)
def test_each_example_takes_each_edit_changing_only_the_edited_lines(path):
    text = path.read_text()
    removals = each_need_removed(data(text))
    fixes = list(dict.fromkeys(f.fix.edit for f in check_text(text).findings if f.fix))
    for edit in removals + fixes:
        removed, added = changed_lines(text, fixed(text, edit))
        assert removed or added
        if isinstance(edit, RemoveNeed):
            # The entry's lines, or the `needs:` line of a flow list.
            assert all(
                edit.need in line or "reason:" in line or "needs:" in line for line in removed
            ), removed
            assert all(line.lstrip().startswith("needs: [") for line in added), added
        else:
            assert not removed
            assert all(
                line == FLOW_LINE + "\n" or line.lstrip().startswith("needs: [") for line in added
            ), added
    if not removals + fixes:  # blocks or stages, and no `needs` entry without a reason
        steps = tuple((step.id, ()) for step in check_text(text).runbook.steps)
        with pytest.raises(FixError, match="not a plain checklist|no top-level `steps` list"):
            apply_edits(text, [MakeFlowParallel(steps)])


# -- Random runbooks, random formatting -----------------------------------------

IDS = ("a", "b", "c", "d", "e")


class Writer:
    """Lines of a runbook, each with what it holds: ("needs", step id) for the
    lines of a `needs` list, "comment" for a comment line, None otherwise."""

    def __init__(self, draw) -> None:
        self.draw = draw
        self.lines: list[tuple[str, object]] = []
        self.comments = 0

    def add(self, line: str, holds: object = None) -> None:
        self.lines.append((line, holds))

    def maybe_comment_line(self, column: int) -> None:
        if self.draw(st.booleans()):
            self.comments += 1
            self.add(" " * column + f"# comment {self.comments}", "comment")

    def eol_comment(self) -> str:
        if not self.draw(st.booleans()):
            return ""
        self.comments += 1
        return self.draw(st.sampled_from(["  ", " ", "     "])) + f"# on line {self.comments}"

    def name(self, step_id: str) -> str:
        return self.draw(st.sampled_from([step_id, f"'{step_id}'", f'"{step_id}"']))


@dataclass
class Style:
    indent: int  # of a nested mapping or list
    dash: int  # of a list's dash under its key: 0 or `indent`
    spacing: str  # after a colon
    flow_list: str  # "[{}]" or "[ {} ]"
    separator: str  # between the entries of a flow list


@st.composite
def formatted_runbooks(draw, places=("steps", "parallel", "stages")) -> tuple[str, list[tuple[str, object]]]:
    """A runbook whose steps' `needs` are written in the many ways the format
    allows, with comments and blank lines about; and its lines, with what each holds."""
    writer = Writer(draw)
    indent = draw(st.sampled_from([2, 4]))
    style = Style(
        indent=indent,
        dash=draw(st.sampled_from([0, indent])),
        spacing=draw(st.sampled_from([" ", "  "])),
        flow_list=draw(st.sampled_from(["[{}]", "[ {} ]"])),
        separator=draw(st.sampled_from([", ", ",", " , "])),
    )
    where = draw(st.sampled_from(places))
    ids = IDS[: draw(st.integers(1, len(IDS)))]

    if draw(st.booleans()):
        writer.add("---")
    writer.add(f"runbook:{style.spacing}random{writer.eol_comment()}")
    writer.maybe_comment_line(0)
    if where == "stages":
        writer.add("stages:")
        writer.add(" " * style.dash + "- stage: one")
        key = style.dash + 2
        writer.add(" " * key + "steps:")
    else:
        writer.add("steps:")
        key = 0
    for index, step_id in enumerate(ids):
        column = key + style.dash  # the step's dash
        if where == "parallel" and index == 1:
            writer.add(" " * column + "- parallel:")
            key = column + 2
            column = key + style.dash
        content = column + 2
        needs = draw(st.lists(st.sampled_from(ids), max_size=4))
        if needs and draw(st.integers(0, 5)) == 0:  # `- needs:` on the dash line
            write_needs(writer, style, needs, step_id, " " * column + "- ", content)
            # Moves up to the dash when the `needs` before it go.
            writer.add(" " * content + f"id:{style.spacing}{writer.name(step_id)}", ("needs", step_id))
        else:
            writer.add(" " * column + f"- id:{style.spacing}{writer.name(step_id)}{writer.eol_comment()}")
            if draw(st.booleans()):
                writer.add(" " * content + f"title:{style.spacing}Step  {step_id}")
            writer.maybe_comment_line(content)
            if needs:
                write_needs(writer, style, needs, step_id, " " * content, content)
                writer.maybe_comment_line(draw(st.sampled_from([content, column])))
        if draw(st.booleans()):
            writer.add(" " * content + "duration: 5m" + draw(st.sampled_from(["", "  "])))
        if draw(st.integers(0, 3)) == 0:  # text that reads like `needs`, and is not
            writer.add(" " * content + "run: |")
            for line in ("needs:", "  - a", "# not a comment", "- step: b"):
                writer.add(" " * (content + style.indent) + line)
        if index < len(ids) - 1 and draw(st.booleans()):
            writer.add("", None)
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(line for line, _ in writer.lines)
    if draw(st.booleans()):
        text += newline
    return text, writer.lines


def write_needs(writer: Writer, style: Style, needs: list[str], step_id: str, prefix: str, column: int) -> None:
    """`needs:` (after `prefix`, its key at `column`) as a flow list, a block
    list, or, rarely, a flow list over several lines."""
    draw, holds = writer.draw, ("needs", step_id)
    reasons = [draw(st.booleans()) and draw(st.booleans()) for _ in needs]
    entries = [
        f"{{step: {writer.name(need)}, reason: why {need}}}" if reason else writer.name(need)
        for need, reason in zip(needs, reasons)
    ]
    written_as = draw(st.sampled_from(["flow", "block", "flow", "block", "flow over lines"]))
    if written_as == "flow":
        listed = style.flow_list.format(style.separator.join(entries))
        writer.add(f"{prefix}needs:{style.spacing}{listed}{writer.eol_comment()}", holds)
    elif written_as == "flow over lines":
        writer.add(f"{prefix}needs: [", holds)
        for entry in entries:
            writer.add(" " * (column + style.indent) + entry + ",", holds)
        writer.add(" " * column + "]", holds)
    else:
        writer.add(f"{prefix}needs:{writer.eol_comment()}", holds)
        dash = column + style.dash
        for need, reason in zip(needs, reasons):
            writer.maybe_comment_line(dash)
            if reason:
                writer.add(" " * dash + f"- step: {writer.name(need)}{writer.eol_comment()}", holds)
                writer.add(" " * (dash + 2) + f"reason: why {need}", holds)
            else:
                writer.add(" " * dash + f"- {writer.name(need)}{writer.eol_comment()}", holds)


# A line of a `needs` list, a `needs:` line, the `id:` a `- needs:` line
# gives its dash to when it goes, or the `flow` line.
NEEDS_LINE = re.compile(rf"\s*(- )?(needs:|- |step:|reason:|id:)|{re.escape(FLOW_LINE)}$")


def assert_only_needs_changed(lines: list[tuple[str, object]], result: str, steps: set[str]) -> None:
    """The lines of the original outside the `needs` of `steps` are all in
    `result`, in their order and unchanged (comment lines included); any other
    line of `result` is a line of those `needs` as written, a line of a `needs`
    list as ruamel writes it, or the `flow` line."""
    edited = {line for line, held in lines if isinstance(held, tuple) and held[1] in steps}
    new = result.splitlines()
    position = 0
    for line, held in lines:
        if isinstance(held, tuple) and held[1] in steps:
            continue
        while position < len(new) and new[position] != line:
            assert new[position] in edited or NEEDS_LINE.match(new[position]), (new[position], result)
            position += 1
        assert position < len(new), (line, result)
        position += 1
    assert all(line in edited or NEEDS_LINE.match(line) for line in new[position:]), result


def over_several_lines(lines: list[tuple[str, object]]) -> bool:
    """Whether a step writes its `needs` as a flow list over several lines: the
    only layout here the fixer does not follow (an edit next to it is refused)."""
    return any(line.endswith("needs: [") for line, _ in lines)


def assert_same_line_breaks(before: str, after: str) -> None:
    """Every line break of `after` is the one `before` uses, and it ends with
    one only if `before` does."""
    newline = "\r\n" if "\r\n" in before else "\n"
    assert after.count("\n") == after.count(newline)
    assert after.endswith(newline) == before.endswith(newline)


# Either a FixError, or a text whose data is the intended edit and whose lines
# outside the edited `needs` are all there, unchanged.
@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(formatted_runbooks(), st.data())
def test_random_removals_change_only_their_entries_or_refuse(written, choices):
    text, lines = written
    expected = data(text)
    edits = []
    for _ in range(choices.draw(st.integers(1, 2))):
        with_needs = [step for step in steps_of(expected) if step.get("needs")]
        if not with_needs:
            break
        step = choices.draw(st.sampled_from(with_needs))
        position = choices.draw(st.integers(0, len(step["needs"]) - 1))
        names = [entry_name(entry) for entry in step["needs"]]
        edit = RemoveNeed(step["id"], names[position], names[:position].count(names[position]))
        if has_reason(step["needs"][position]):
            with pytest.raises(FixError, match="it stays"):
                fixed(text, *edits, edit)
            event("a reasoned entry stays")
            return
        edits.append(edit)
        del step["needs"][position]
    if not edits:
        return
    try:
        result = fixed(text, *edits)
    except FixError as error:
        assert over_several_lines(lines), error
        event("FixError: a list over several lines")
        return
    event("fixed")
    assert data(result) == expected
    assert_same_line_breaks(text, result)
    assert_only_needs_changed(lines, result, {edit.step for edit in edits})


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(formatted_runbooks(places=("steps",)), st.data())
def test_random_checklists_made_parallel_change_only_their_needs_or_refuse(written, choices):
    text, lines = written
    document = data(text)
    ids = [step["id"] for step in document["steps"]]
    # Entries with a reason always stay, so every edit names them.
    wanted = tuple(
        (
            step["id"],
            tuple(dict.fromkeys(
                [entry_name(entry) for entry in step.get("needs") or [] if has_reason(entry)]
                + choices.draw(st.lists(st.sampled_from(ids), unique=True, max_size=3))
            )),
        )
        for step in document["steps"]
    )
    try:
        result = fixed(text, MakeFlowParallel(wanted))
    except FixError as error:
        assert over_several_lines(lines), error
        event("FixError: a list over several lines")
        return
    event("fixed")
    # Each step needs exactly the wanted ids: one entry naming each (the
    # first with a reason, else the first) stays where it is, and new ones follow.
    for step, (_, needs) in zip(document["steps"], wanted):
        entries = list(step.pop("needs", None) or [])
        staying = {}
        for index, entry in enumerate(entries):
            name = entry_name(entry)
            if name not in staying or (has_reason(entry) and not has_reason(entries[staying[name]])):
                staying[name] = index
        kept = [entry for index, entry in enumerate(entries) if staying.get(entry_name(entry)) == index]
        kept = [entry for entry in kept if entry_name(entry) in needs]
        kept += [need for need in needs if need not in map(entry_name, kept)]
        if kept:
            step["needs"] = kept
    document["flow"] = "parallel"
    assert data(result) == document
    assert_same_line_breaks(text, result)
    assert_only_needs_changed(lines, result, set(ids))


def test_make_flow_parallel_keeps_the_entry_with_a_reason_of_a_step_named_twice():
    text = runbook("""
        steps:
          - id: a
          - id: b
            needs:
              - a  # plain
              - {step: a, reason: first}  # the reason
        """)
    assert fixed(text, MakeFlowParallel((("a", ()), ("b", ("a",))))) == runbook(f"""
        {FLOW_LINE}
        steps:
          - id: a
          - id: b
            needs:
              - {{step: a, reason: first}}  # the reason
        """)
