"""A post to a communication surface (`communication: true`: a status page,
a channel, a ticket) is communicating, not a change: RL702 counts no post
among the changes a sequential team should not run at once, no guard is
required before a post, and an observation neither follows a post nor is
its baseline (unless it watches the surface itself).  Tried on a real
playbook: the ServiceNow ticket of demisto/content's Powershell Payload
Response, converted to a native runbook with the ticket declared a surface."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner
from review_support import corpus_folder

from recoverylint.cli import cli
from recoverylint.graphs import build_graphs
from recoverylint.native import build_runbook
from recoverylint.source import parse

# Scored 0 of 6 for parallel work: a team that should make one change at a time.
SEQUENTIAL_TEAM = """\
runbook: r
regulated: true
resources:
  db: {kind: database}
  status-page: {kind: status page, concurrency: shared, communication: true}
steps:
  - parallel:
      - id: kill-session
        writes: [db/sessions]
      - id: post-investigating
        writes: [status-page]
  - id: check
    reads: [db]
"""


def check_json(tmp_path: Path, name: str, text: str) -> list[dict[str, object]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--no-cache", "--exit-zero"])
    assert result.exit_code == 0, result.output
    findings: list[dict[str, object]] = json.loads(result.output)["findings"]
    return findings


def codes(findings: list[dict[str, object]], code: str) -> list[str]:
    return [str(finding["message"]) for finding in findings if finding["code"] == code]


def test_rl702_counts_no_post_beside_a_change_as_a_concurrent_change(tmp_path):
    assert codes(check_json(tmp_path, "post.yaml", SEQUENTIAL_TEAM), "RL702") == []


def test_rl702_still_reports_two_real_changes_at_once(tmp_path):
    # The same runbook with the status page an ordinary resource: the post is a change again.
    text = SEQUENTIAL_TEAM.replace(", communication: true", "")
    assert [message.split(" (")[0] for message in codes(check_json(tmp_path, "change.yaml", text), "RL702")] == [
        "`kill-session` and `post-investigating` can change things at the same time, but this team is"
        " not set up to coordinate concurrent changes: the decision checklist scores 1 of 6 for parallel"
        " work and recommends sequential recovery"
    ]


def test_a_step_writing_a_surface_and_a_resource_is_still_a_change_for_rl702(tmp_path):
    text = SEQUENTIAL_TEAM.replace("writes: [status-page]", "writes: [status-page, db/config]")
    messages = codes(check_json(tmp_path, "both.yaml", text), "RL702")
    assert len(messages) == 1
    assert messages[0].startswith("`kill-session` and `post-investigating` can change things at the same time")


def required_edges(text: str) -> set[tuple[str, str]]:
    runbook = build_runbook(parse(textwrap.dedent(text)), "t.yaml")
    graphs, cycle = build_graphs(runbook)
    assert graphs is not None, cycle
    ids = [step.id for step in graphs.steps]
    return {(ids[pred], ids[node]) for node, preds in enumerate(graphs.required_preds) for pred in preds}


GUARDED = """\
runbook: r
resources:
  db: {kind: database}
  status-page: {kind: status page, concurrency: shared, communication: true}
steps:
  - id: assert-replica-healthy
    guard: true
  - id: post-update
    writes: [status-page/incidents]
  - id: failover
    writes: [db/orders]
"""


def test_no_guard_is_required_before_a_post():
    assert required_edges(GUARDED) == {("assert-replica-healthy", "failover")}
    # Declared without `communication`, the status page is changed, and the guard guards it.
    assert required_edges(GUARDED.replace(", communication: true", "")) == {
        ("assert-replica-healthy", "failover"),
        ("assert-replica-healthy", "post-update"),
    }


def test_rl201_calls_a_post_waiting_for_a_guard_a_needless_wait(tmp_path):
    findings = check_json(tmp_path, "guarded.yaml", GUARDED)
    assert [message.split(";")[0] for message in codes(findings, "RL201")] == [
        "`post-update` waits for `assert-replica-healthy` but uses nothing from it",
        "`failover` waits for `post-update` but uses nothing from it",
    ]


OBSERVED = """\
runbook: r
resources:
  service: {kind: service}
  status-page: {kind: status page, concurrency: shared, communication: true}
steps:
  - id: alarm-green-before
    observes: ['*']
  - id: post-investigating
    writes: [status-page]
  - id: failover
    writes: [service/db]
  - id: post-resolved
    writes: [status-page]
  - id: alarm-green-after
    observes: ['*']
"""


def test_an_observation_neither_follows_a_post_nor_is_its_baseline():
    edges = required_edges(OBSERVED)
    assert {edge for edge in edges if "post-investigating" in edge or "post-resolved" in edge} == set()
    assert {("alarm-green-before", "failover"), ("failover", "alarm-green-after")} <= edges


def test_a_step_watching_the_surface_itself_sees_the_posts():
    edges = required_edges(OBSERVED.replace("observes: ['*']\n", "observes: [status-page]\n"))
    assert edges == {
        ("alarm-green-before", "post-investigating"),
        ("alarm-green-before", "post-resolved"),
        ("post-investigating", "alarm-green-after"),
        ("post-resolved", "alarm-green-after"),
    }


# -- A real playbook -----------------------------------------------------------

PLAYBOOK = "xsoar/content/Packs/PowershellPayloadResponse/Playbooks/Powershell_Payload_Response.yml"
# Its tickets (ServiceNow create, update, close) declared a communication surface.
TICKET_SURFACE = (
    "flow: parallel\n"
    "resources:\n"
    "  xsoar: {kind: integrations}\n"
    "  xsoar/servicenow: {kind: ticket, communication: true}\n"
)


def test_the_real_playbooks_ticket_updates_are_posts_not_changes(tmp_path):
    converted = tmp_path / "converted.yaml"
    result = CliRunner().invoke(cli, ["convert", str(corpus_folder("xsoar").parent / PLAYBOOK), "-o", str(converted)])
    assert result.exit_code == 0, result.output
    text = converted.read_text(encoding="utf-8")
    assert "flow: parallel\n" in text and "writes: [xsoar/servicenow]" in text
    as_changes = check_json(tmp_path, "changes.yaml", text.replace("flow: parallel\n", TICKET_SURFACE.replace(
        ", communication: true", ""), 1))
    as_posts = check_json(tmp_path, "posts.yaml", text.replace("flow: parallel\n", TICKET_SURFACE, 1))
    # An ordinary resource: updating the ticket beside the firewall change is a concurrent change.
    assert [message.split(" can change")[0] for message in codes(as_changes, "RL702")] == [
        "`firewall-rule-to-prevent-outbound-connection-to-the-endpoint` and `update-snow-ticket`"
    ]
    assert codes(as_posts, "RL702") == []
    # The ticket's writes draw no approval, verification or rollback either,
    # and the real changes (the firewall rule, the quarantines) still do.
    for code in ("RL601", "RL603"):
        assert any("xsoar/servicenow" in message for message in codes(as_changes, code))
        assert not any("xsoar/servicenow" in message for message in codes(as_posts, code))
        assert any("xsoar/cb" in message for message in codes(as_posts, code))
    # Apart from those, the findings are the same.
    def kept(findings: list[dict[str, object]]) -> list[tuple[object, object]]:
        return [
            (finding["code"], finding["message"])
            for finding in findings
            if finding["code"] not in ("RL501", "RL601", "RL603", "RL702")
        ]

    assert kept(as_posts) == kept(as_changes)
