"""A resource declared `communication: true` (a status page, a channel, a ticket):
writing it is communicating, which needs `communicate` authority, not a change
needing `apply`, approval, verification and rollback (issue 16, item 7)."""


from recoverylint.engine import check_text

# The README tour's shape: a critical runbook whose status page is a resource.
TOUR = """\
runbook: orders-db-disk-full
criticality: critical
roles:
  commander: {authority: [decide, approve, communicate]}
  dba: {authority: [observe, apply], approval: commander}
resources:
  orders-db: {kind: database}
  status-page: {kind: status page, concurrency: shared%s}
steps:
  - id: post-investigating
    role: commander
    writes: [status-page]
  - id: post-resolved
    role: commander
    writes: [status-page/incidents]
"""

CHANGE_RULES = ("RL502", "RL503", "RL601", "RL603")


def codes(text: str) -> list[tuple[str, str]]:
    return [(f.code, f.steps[0] if f.steps else "") for f in check_text(text).findings]


def test_status_posts_to_a_plain_resource_are_changes():
    found = codes(TOUR % "")
    for code in CHANGE_RULES:
        assert (code, "post-investigating") in found, (code, found)


def test_status_posts_to_a_communication_surface_are_not_changes():
    found = codes(TOUR % ", communication: true")
    assert [entry for entry in found if entry[0] in CHANGE_RULES + ("RL501",)] == []


def test_a_post_needs_communicate_authority():
    text = (TOUR % ", communication: true").replace(
        "  - id: post-resolved\n    role: commander", "  - id: post-resolved\n    role: dba"
    )
    (finding,) = [f for f in check_text(text).findings if f.code == "RL502"]
    assert finding.message == (
        "`post-resolved` posts to `status-page/incidents` but its role `dba` lacks"
        " `communicate` authority: whoever performs it is not entitled to"
    )
    assert finding.suggestion == (
        "add `communicate` to the authority of `dba`, or give the step a role that holds it (`commander`)"
    )
    assert (finding.span.line, finding.span.column) == (14, 11)


def test_a_step_writing_a_surface_and_a_system_is_a_change_of_the_system_only():
    text = (TOUR % ", communication: true").replace(
        "writes: [status-page/incidents]", "writes: [status-page/incidents, orders-db]"
    )
    found = [f for f in check_text(text).findings if f.code in CHANGE_RULES]
    assert {f.code for f in found} == set(CHANGE_RULES)
    by_code = {f.code: f for f in found}
    # The commander lacks `apply` for the database, but holds `communicate` for the post.
    assert by_code["RL502"].message.startswith("`post-resolved` changes `orders-db` but its role")
    assert "status-page" not in by_code["RL601"].message
    assert by_code["RL601"].span.column == 37  # at `orders-db`, the write that changes something
    assert by_code["RL603"].message.startswith("`post-resolved` changes `orders-db` with no")


def test_a_declaration_closer_than_the_surface_decides():
    text = (TOUR % ", communication: true").replace(
        "  orders-db: {kind: database}\n",
        "  orders-db: {kind: database}\n  status-page/incidents: {kind: database}\n",
    )
    found = codes(text)
    assert ("RL603", "post-resolved") in found
    assert ("RL603", "post-investigating") not in found


def test_a_post_without_a_role_is_not_an_unaccountable_change():
    text = (TOUR % ", communication: true").replace("    role: commander\n    writes: [status-page]\n",
                                                    "    writes: [status-page]\n")
    (finding,) = [f for f in check_text(text).findings if f.code == "RL501"]
    assert finding.message == (
        "`post-investigating` has no `role`: during the incident nobody knows who is to do it"
    )
    assert finding.suggestion == "role: commander"


def test_the_documented_example_holds():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "communication-surfaces.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert check_text(example).findings == []


def test_a_change_by_the_commander_beside_a_post_names_only_the_change():
    text = (TOUR % ", communication: true").replace(
        "writes: [status-page/incidents]", "writes: [status-page/incidents, orders-db]"
    )
    (finding,) = [f for f in check_text(text).findings if f.code == "RL506"]
    assert finding.message.startswith("`post-resolved` changes `orders-db` and is performed by `commander`")
