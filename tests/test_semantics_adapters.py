"""Guards, observations, clocks, conditions and failure paths as the
adapters map them, asserted on D and on what RL201 and RL307 report."""

from __future__ import annotations

from adapter_support import adapt, data_edges, fixture

from recoverylint.convert import to_native
from recoverylint.engine import check_text
from recoverylint.native import build_runbook
from recoverylint.source import parse


def rl(text: str, code: str) -> list[str]:
    return [f.message for f in check_text(text).findings if f.code == code]


# -- ActionChain -------------------------------------------------------------

STOPWATCH_CHAIN = """\
chain:
  - name: record_start
    ref: core.local
    parameters: {cmd: "date +%s"}
    on-success: failover
  - name: failover
    ref: aws.rds_failover_db_cluster
    on-success: flush_cache
  - name: flush_cache
    ref: core.remote
    parameters: {cmd: "systemctl restart redis"}
    on-success: report_recovery_time
  - name: report_recovery_time
    ref: core.local
    parameters: {cmd: "echo $(( $(date +%s) - {{ record_start.stdout }} ))"}
"""


def test_actionchain_a_task_reading_the_time_and_one_using_it_bracket_the_chain():
    runbook = adapt(STOPWATCH_CHAIN, "actionchain").runbook
    clocks = {s.id: [(c.name, c.start) for c in s.clocks] for s in runbook.steps if s.clocks}
    assert clocks == {
        "record_start": [("record_start", True)],
        "report_recovery_time": [("record_start", False)],
    }
    edges = data_edges(runbook)
    assert {("failover", "report_recovery_time"), ("flush_cache", "report_recovery_time")} <= edges
    assert {("record_start", "failover"), ("record_start", "flush_cache")} <= edges
    gates = rl(STOPWATCH_CHAIN, "RL201")
    assert not any(m.startswith("`report_recovery_time`") for m in gates)
    # Without reading the time at its end it is no stopwatch: the gate before it is questioned.
    untimed = STOPWATCH_CHAIN.replace("echo $(( $(date +%s) - {{ record_start.stdout }} ))", "echo {{ record_start.stdout }}")
    assert any(m.startswith("`report_recovery_time` waits for `flush_cache`") for m in rl(untimed, "RL201"))


FAILURE_CHAIN = """\
chain:
  - name: deploy
    ref: core.local
    parameters: {cmd: "deploy.sh"}
    on-success: smoke_test
    on-failure: roll_back
  - name: smoke_test
    ref: core.http
    publish: {version: "{{ smoke_test.body.version }}"}
    on-success: notify
  - name: roll_back
    ref: core.local
    parameters: {cmd: "rollback.sh"}
    on-success: notify
  - name: notify
    ref: slack.post_message
    parameters: {message: "now on {{ version }}"}
"""


def test_actionchain_rl307_names_the_failure_path():
    assert rl(FAILURE_CHAIN, "RL307") == [
        "when `deploy` fails (and `roll_back` runs), `notify` runs without `smoke_test` having run:"
        " nothing else before it outputs `version`"
    ]
    runbook = adapt(FAILURE_CHAIN, "actionchain").runbook
    deploy = next(s for s in runbook.steps if s.id == "deploy")
    assert [ref.name for ref in deploy.on_failure] == ["roll_back"]


# -- Argo --------------------------------------------------------------------


def test_argo_checks_observations_conditions_and_a_stopwatch():
    text = fixture("argo/behaviour.yaml")
    runbook = adapt(text, "argo").runbook
    by_id = {s.id: s for s in runbook.steps}
    assert by_id["check-replica"].guard
    assert [ref.name for ref in by_id["alarm-green"].observes] == ["*"]
    assert by_id["rebuild-index"].condition.name == "{{workflow.parameters.rebuild}} == true"
    assert [(c.name, c.start) for c in by_id["report"].clocks] == [("record-start", False)]
    edges = data_edges(runbook)
    assert {
        ("check-replica", "failover"),  # the guard before the change
        ("failover", "alarm-green"),  # the alarm observes the failover
        ("alarm-green", "rebuild-index"),  # and is the baseline of the next change
        ("record-start", "check-replica"),  # the stopwatch brackets the run
        ("alarm-green", "report"),
    } <= edges
    assert [(f.code, f.span.line, f.message) for f in check_text(text).findings] == [
        (
            "RL307",
            33,
            "when `{{workflow.parameters.rebuild}} == true` does not hold (the condition of"
            " `rebuild-index`), `report` runs without `rebuild-index` having run: nothing else"
            " before it outputs `rebuild-index.outputs.result`",
        )
    ]
    # Named for nothing it does, the check guards nothing: its gate is questioned.
    plain = text.replace("name: check-replica", "name: replica").replace("[check-replica]", "[replica]")
    plain = plain.replace("probe-replica", "pg")
    assert "`failover` waits for `replica` but uses nothing from it" in " ".join(rl(plain, "RL201"))


# -- Tekton ------------------------------------------------------------------


def test_tekton_a_test_task_guards_the_deploy_a_smoke_check_observes_it_and_a_stopwatch_times_both():
    text = fixture("tekton/behaviour.yaml")
    runbook = adapt(text, "tekton").runbook
    by_id = {s.id: s for s in runbook.steps}
    assert by_id["unit-tests"].guard and not by_id["deploy"].guard
    assert [ref.name for ref in by_id["smoke"].observes] == ["*"]
    assert [(c.name, c.start) for c in by_id["start-timer"].clocks] == [("start-timer", True)]
    assert [(c.name, c.start) for c in by_id["report-duration"].clocks] == [("start-timer", False)]
    edges = data_edges(runbook)
    assert {
        ("unit-tests", "deploy"),
        ("deploy", "smoke"),
        ("smoke", "report-duration"),
        ("start-timer", "unit-tests"),
    } <= edges
    assert rl(text, "RL201") == []
    # Without the names and the clock, every one of those waits is questioned.
    plain = (
        text.replace("unit-tests", "compile").replace("golang-test", "golang-build")
        .replace("name: smoke", "name: ping").replace("[smoke]", "[ping]")
        .replace("echo $(( $(date +%s) - $(params.started) ))", "echo $(params.started)")
        .replace("report-duration", "report")
    )
    assert sorted(m.split("`")[1] for m in rl(plain, "RL201")) == ["compile", "deploy", "ping", "report"]


ARGO_SKIPPED = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: skipped
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: producer
            template: produce
            when: "{{workflow.parameters.run}} == yes"
          - name: consumer
            template: consume
            depends: producer
            arguments:
              parameters:
                - {name: in, value: "{{tasks.producer.outputs.parameters.msg}}"}
    - name: produce
      outputs:
        parameters:
          - name: msg
            valueFrom: {path: /tmp/out.txt}
      container: {image: alpine}
    - name: consume
      inputs:
        parameters: [{name: in}]
      container: {image: alpine}
"""


def test_argo_a_skipped_producer_leaves_its_output_missing_unless_it_has_a_default():
    assert rl(ARGO_SKIPPED, "RL307") == [
        "when `{{workflow.parameters.run}} == yes` does not hold (the condition of `producer`),"
        " `consumer` runs without `producer` having run: nothing else before it outputs"
        " `producer.outputs.parameters.msg`"
    ]
    defaulted = ARGO_SKIPPED.replace("valueFrom: {path: /tmp/out.txt}", "valueFrom: {path: /tmp/out.txt, default: none}")
    assert rl(defaulted, "RL307") == []
    # A `when` on a loop's item filters items: the step itself runs.
    filtered = ARGO_SKIPPED.replace("{{workflow.parameters.run}} == yes", "{{item}} == yes")
    assert rl(filtered, "RL307") == []


def test_convert_keeps_guards_observations_clocks_and_conditions():
    runbook = adapt(fixture("argo/behaviour.yaml"), "argo").runbook
    native_text = to_native(runbook, "Argo Workflows")
    native = build_runbook(parse(native_text), "converted.yaml")
    assert data_edges(native) == data_edges(runbook)
    assert [m.split(",")[0] for m in rl(native_text, "RL307")] == [
        "when `{{workflow.parameters.rebuild}} == true` does not hold (the condition of `rebuild-index`)"
    ]


# -- SSM ---------------------------------------------------------------------


def test_ssm_alarm_reads_observe_a_script_stopwatch_and_the_failure_path_named():
    text = fixture("ssm/behaviour.yaml")
    runbook = adapt(text, "ssm").runbook
    by_id = {s.id: s for s in runbook.steps}
    assert [ref.name for ref in by_id["ReadAlarm"].observes] == ["*"]
    assert [ref.name for ref in by_id["Failover"].on_failure] == ["RollBack"]
    assert [(c.name, c.start) for c in by_id["RecordStart"].clocks] == [("RecordStart", True)]
    assert [(c.name, c.start) for c in by_id["ReportTime"].clocks] == [("RecordStart", False)]
    edges = data_edges(runbook)
    assert {
        ("Failover", "ReadAlarm"),  # the alarm observes the failover
        ("RecordStart", "Failover"),  # the stopwatch brackets the recovery
        ("Failover", "ReportTime"),
        ("RollBack", "ReportTime"),
    } <= edges
    assert [(f.code, f.span.line, f.message) for f in check_text(text).findings] == [
        (
            "RL307",
            49,
            "when `Failover` fails (and `RollBack` runs), `ReportTime` runs without `ReadAlarm` having run:"
            " nothing else before it outputs `ReadAlarm.State`",
        )
    ]


# -- GitHub Actions ------------------------------------------------------------


def test_github_tests_guard_pushes_and_registry_and_release_hand_overs_are_facts():
    text = fixture("github/hand-overs.yaml")
    runbook = adapt(text, "github-actions").runbook
    by_id = {s.id: s for s in runbook.steps}
    assert by_id["unit-tests"].guard and not by_id["deploy"].guard
    assert [ref.name for ref in by_id["push-image"].writes] == ["image/ghcr.io/acme/app:${{github.sha}}"]
    assert [ref.name for ref in by_id["deploy"].inputs] == ["image/ghcr.io/acme/app:${{github.sha}}"]
    assert [ref.name for ref in by_id["attach-binaries"].inputs] == ["release/v${{github.run_number}}"]
    assert {
        ("unit-tests", "push-image"),
        ("unit-tests", "create-release"),
        ("unit-tests", "deploy"),  # a job named for deploying: the tests guard it
        ("push-image", "deploy"),
        ("create-release", "attach-binaries"),
    } == data_edges(runbook)
    assert check_text(text).findings == []
    # Pulled under another tag, the image hands nothing over: the wait is questioned.
    other = text.replace("container: ghcr.io/acme/app:${{github.sha}}", "container: ghcr.io/acme/app:latest")
    assert [m.split(";")[0] for m in rl(other, "RL201")] == [
        "`deploy` waits for `push-image` but uses nothing from it"
    ]


def test_a_time_reading_step_whose_output_is_no_moment_starts_no_clock():
    logged = """\
chain:
  - name: lookup
    ref: core.local
    parameters: {cmd: "date +%s; aws rds describe-db-clusters"}
    publish: {cluster: "{{ lookup.stdout }}"}
    on-success: report
  - name: report
    ref: core.local
    parameters: {cmd: "echo $(date +%s) {{ cluster }}"}
"""
    assert all(not s.clocks for s in adapt(logged, "actionchain").runbook.steps)
    timed = logged.replace("cluster", "started")
    assert [s.id for s in adapt(timed, "actionchain").runbook.steps if s.clocks] == ["lookup", "report"]
