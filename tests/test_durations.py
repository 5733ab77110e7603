"""Honest minutes (issue 14): a duration is known, a default, or unknown;
ranges, each format's defaults, the durations file, and what RL201 and
`plan` say of minutes that rest on a range, a default or nothing."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoverylint.cli import cli
from recoverylint.durations import MeasuredDurations, exactly
from recoverylint.engine import check_text, plan_text
from recoverylint.model import Duration, DurationBasis
from recoverylint.settings import Settings
from test_readme import ROOT, block_after


def run(*args: str):
    return CliRunner().invoke(cli, [*args], catch_exceptions=False)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def messages(text: str, code: str, settings: Settings = Settings()) -> list[str]:
    return [f.message for f in check_text(text, "r.yaml", settings).findings if f.code == code]


def durations(text: str, settings: Settings = Settings()) -> dict[str, Duration | None]:
    result = check_text(text, "r.yaml", settings)
    assert result.runbook is not None, [f.message for f in result.findings]
    return {step.id: result.runbook.duration_of(step) for step in result.runbook.steps}


# A long step waiting needlessly for one with a range of durations: lifting
# the wait saves the ranged step's minutes, 5 likely and 20 at most.
RANGED = dedent(
    """
    runbook: ranged
    flow: parallel
    steps:
      - id: slow
        duration: {min: 2m, likely: 5m, max: 20m}
      - id: long
        duration: 30m
        needs: [slow]
    """
)

# `late` waits needlessly for `first`; `other`, beside them, has no duration:
# when it is long, it is the critical path and the gate adds less, or nothing.
UNKNOWN_ELSEWHERE = dedent(
    """
    runbook: elsewhere
    flow: parallel
    steps:
      - id: first
        duration: 5m
      - id: late
        duration: 1m
        needs: [first]
      - id: other
    """
)

UNKNOWN = dedent(
    """
    runbook: unknown
    flow: parallel
    steps:
      - id: known
        duration: 5m
      - id: mystery
        needs: [known]
      - id: after
        duration: 2m
        needs: [mystery]
    """
)


# -- native durations ------------------------------------------------------------


def test_a_native_range_is_read_with_its_likely_value_and_ends():
    found = durations(RANGED)
    assert found["slow"] == Duration(5.0, 2.0, 20.0, DurationBasis.GIVEN)
    assert found["long"] == Duration(30.0, 30.0, 30.0, DurationBasis.GIVEN)


def test_a_range_without_likely_takes_its_maximum():
    text = "runbook: r\nsteps:\n  - id: a\n    duration: {min: 1m, max: 9m}\n"
    assert durations(text)["a"] == Duration(9.0, 1.0, 9.0, DurationBasis.GIVEN)


def test_a_range_out_of_order_is_rl002_at_the_duration():
    text = "runbook: r\nsteps:\n  - id: a\n    duration: {min: 20m, max: 5m}\n"
    (finding,) = check_text(text, "r.yaml").findings
    assert (finding.code, finding.span.line, finding.span.column) == ("RL002", 4, 15)
    assert finding.message == "the duration range of `a` must have min <= likely <= max"


def test_a_range_with_another_key_breaks_the_schema():
    text = "runbook: r\nsteps:\n  - id: a\n    duration: {min: 1m, most: 5m, max: 9m}\n"
    assert [f.code for f in check_text(text, "r.yaml").findings] == ["RL002"]


def test_a_step_without_duration_is_unknown_unless_a_default_is_stated():
    assert durations(UNKNOWN)["mystery"] is None
    own = durations("default_duration: 4m\n" + UNKNOWN)["mystery"]
    assert own == Duration(4.0, 4.0, 4.0, DurationBasis.RUNBOOK_DEFAULT)
    configured = durations(UNKNOWN, Settings(default_duration=3.0))["mystery"]
    assert configured == Duration(3.0, 3.0, 3.0, DurationBasis.CONFIGURED)
    # The runbook's own default wins over the configuration's.
    both = durations("default_duration: 4m\n" + UNKNOWN, Settings(default_duration=3.0))["mystery"]
    assert both.basis is DurationBasis.RUNBOOK_DEFAULT


# -- RL201's three forms ---------------------------------------------------------


def test_rl201_says_the_minutes_a_gate_adds_when_they_are_known():
    text = RANGED.replace("{min: 2m, likely: 5m, max: 20m}", "5m")
    assert messages(text, "RL201") == [
        "`long` waits for `slow` but uses nothing from it; it needs no other step first."
        " This gate adds 5 min to the critical path."
    ]


def test_rl201_says_how_far_a_range_goes():
    assert messages(RANGED, "RL201") == [
        "`long` waits for `slow` but uses nothing from it; it needs no other step first."
        " This gate adds 5 min (up to 20 min) to the critical path."
    ]


def test_rl201_says_the_time_is_unknown_and_names_the_step_without_duration():
    found = messages(UNKNOWN, "RL201")
    assert found == [
        "`mystery` waits for `known` but uses nothing from it; it needs no other step first."
        " This gate adds an unknown time to the critical path (`mystery` has no duration).",
        "`after` waits for `mystery` but uses nothing from it; it needs no other step first."
        " This gate adds an unknown time to the critical path (`mystery` has no duration;"
        " 2 min if it takes 0 min).",
    ]
    # A step beside the gate with no duration can only make it add less.
    assert messages(UNKNOWN_ELSEWHERE, "RL201") == [
        "`late` waits for `first` but uses nothing from it; it needs no other step first."
        " This gate adds up to 1 min to the critical path (less if `other`, which has no"
        " duration, takes long).",
    ]


def test_rl201_says_which_default_its_minutes_rest_on():
    (first, _) = messages("default_duration: 4m\n" + UNKNOWN, "RL201")
    assert first.endswith("This gate adds 4 min to the critical path, by the runbook's default_duration.")
    pause = dedent(
        """
        version: 1.0
        tasks:
          hold:
            action: core.pause
            input: {max_pause: 180}
            next: [{do: [restart]}]
          restart:
            action: core.remote
            input: {hosts: web, cmd: systemctl restart web}
            next: [{do: [pods]}]
          pods:
            action: core.local
            input: {cmd: kubectl get pods -n web}
        """
    )
    # The pause is a wait: the gates around it are required.  The listing of
    # the pods needs only the pause; what lifting its gate saves rests on
    # both defaults.
    (found,) = messages(pause, "RL201", Settings(default_duration=1.0))
    assert found.startswith("`pods` waits for `restart` but uses nothing from it; it needs only `hold`.")
    assert found.endswith(
        "This gate adds 1 min to the critical path, by the format's default for a `core.pause`"
        " task (its `max_pause`) and the configured default_duration."
    )


# -- plan ------------------------------------------------------------------------


def plan_of(text: str, *args: str) -> str:
    path = Path("runbook.yaml")
    path.write_text(text, encoding="utf-8")
    result = run("plan", str(path), "--no-color", *args)
    assert result.exit_code == 0, result.output
    return result.output


# Sequential, though neither step needs the other: the saving is the shorter
# step, whose range makes it 1 to 10 min.
SEQUENTIAL_RANGE = dedent(
    """
    runbook: ranged-saving
    cost_per_minute: 100
    steps:
      - id: maybe-long
        duration: {min: 1m, likely: 1m, max: 10m}
      - id: steady
        duration: 12m
    """
)


def test_plan_gives_the_saving_as_a_range_when_ranges_matter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = plan_of(SEQUENTIAL_RANGE)
    assert "  Saved: 1 to 10 min per incident (100 USD to 1,000 USD at 100 USD per minute).\n" in text
    assert "maybe-long (1 min, 1 to 10 min)" in text
    document = json.loads(plan_of(SEQUENTIAL_RANGE, "--format", "json"))
    assert document["saved_minutes"] == 1
    assert document["saved_minutes_range"] == [1, 10]
    assert document["saved_unknown"] is False
    (first, _) = document["steps"]
    assert (first["duration"], first["duration_min"], first["duration_max"], first["duration_basis"]) == (
        1, 1, 10, "given",
    )


def test_plan_lists_unknown_durations_and_gives_no_number_for_an_unknown_saving(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = plan_of(UNKNOWN)
    assert "  Saved: unknown: it depends on steps with no duration (2 min with them as 0 min).\n" in text
    assert "  No duration (counted as 0 min): mystery.\n" in text
    assert "mystery (unknown)" in text
    document = json.loads(plan_of(UNKNOWN, "--format", "json"))
    assert document["saved_unknown"] is True
    assert document["unknown_durations"] == ["mystery"]
    mystery = next(step for step in document["steps"] if step["id"] == "mystery")
    assert mystery["duration"] is None and mystery["duration_basis"] is None
    html = plan_of(UNKNOWN, "--format", "html")
    assert "No duration (counted as 0 min): mystery." in html


def test_plan_names_the_steps_whose_minutes_are_a_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = plan_of("default_duration: 4m\n" + UNKNOWN)
    assert "  Minutes by the runbook's default_duration: mystery.\n" in text
    assert "Saved: unknown" not in text
    document = json.loads(plan_of("default_duration: 4m\n" + UNKNOWN, "--format", "json"))
    assert document["defaulted_durations"] == [{"id": "mystery", "basis": "runbook-default", "kind": None}]


def test_a_plan_whose_durations_are_all_given_says_nothing_of_them():
    _, plan = plan_text(RANGED.replace("{min: 2m, likely: 5m, max: 20m}", "5m"))
    assert plan is not None
    assert plan.unknown_steps == () and plan.defaulted_steps == ()
    assert plan.saved_longest is None and not plan.saving_unknown


# -- each format's defaults --------------------------------------------------------


def test_ssm_defaults_branch_zero_sleep_its_time_the_rest_unknown():
    text = dedent(
        """
        schemaVersion: '0.3'
        mainSteps:
          - name: Choose
            action: aws:branch
            inputs:
              Choices: [{NextStep: Wait, Variable: '{{ Mode }}', StringEquals: slow}]
              Default: Approve
          - name: Wait
            action: aws:sleep
            inputs: {Duration: PT1M30S}
          - name: Until
            action: aws:sleep
            inputs: {Timestamp: '2030-01-01T00:00:00Z'}
          - name: Approve
            action: aws:approve
            inputs: {Approvers: ['arn:aws:iam::1:role/x']}
          - name: Hold
            action: aws:pause
            inputs: {}
        """
    )
    found = durations(text)
    assert found["Choose"] == Duration(0.0, 0.0, 0.0, DurationBasis.DEFAULT, "an `aws:branch` step")
    assert found["Wait"].likely == 1.5 and found["Wait"].basis is DurationBasis.DEFAULT
    assert found["Until"] is None and found["Approve"] is None and found["Hold"] is None


ARGO = dedent(
    """
    apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    metadata: {name: pauses}
    spec:
      entrypoint: main
      templates:
        - name: main
          dag:
            tasks:
              - {name: build, template: run}
              - {name: settle, template: wait-20, dependencies: [build]}
              - {name: cool, template: wait-2m, dependencies: [settle]}
              - {name: approve, template: by-hand, dependencies: [cool]}
        - name: run
          container: {image: alpine, command: [sh, -c, 'true']}
        - name: wait-20
          suspend: {duration: "20"}
        - name: wait-2m
          suspend: {duration: 2m}
        - name: by-hand
          suspend: {}
    """
)


def test_argo_defaults_a_timed_suspend_to_its_duration_the_rest_unknown():
    found = durations(ARGO)
    assert found["settle"] == Duration(
        1 / 3, 1 / 3, 1 / 3, DurationBasis.DEFAULT, "a `suspend` step (its `duration`)"
    )
    assert found["cool"].likely == 2.0
    assert found["build"] is None and found["approve"] is None


def test_orquesta_defaults_noop_and_no_action_zero_pause_its_time():
    text = dedent(
        """
        version: 1.0
        tasks:
          start:
            next: [{do: [hold]}]
          hold:
            action: core.pause
            input: {max_pause: 90}
            next: [{do: [nothing]}]
          nothing:
            action: core.noop
            next: [{do: [say]}]
          say:
            action: core.echo
            input: {message: restarting}
            next: [{do: [restart]}]
          restart:
            action: core.remote
            input: {hosts: web, cmd: restart}
        """
    )
    found = durations(text)
    assert found["start"] == Duration(0.0, 0.0, 0.0, DurationBasis.DEFAULT, "a task with no action")
    assert found["hold"].likely == 1.5
    assert found["nothing"].likely == 0.0
    assert found["say"] == Duration(0.0, 0.0, 0.0, DurationBasis.DEFAULT, "a `core.echo` task")
    assert found["restart"] is None


def test_actionchain_defaults_noop_zero_pause_its_time():
    text = dedent(
        """
        chain:
          - name: hold
            ref: core.pause
            params: {max_pause: 120}
            on-success: nothing
          - name: nothing
            ref: core.noop
            on-success: restart
          - name: restart
            ref: core.remote
            params: {hosts: web, cmd: restart}
        """
    )
    found = durations(text)
    assert found["hold"] == Duration(2.0, 2.0, 2.0, DurationBasis.DEFAULT, "a `core.pause` task (its `max_pause`)")
    assert found["nothing"].likely == 0.0
    assert found["restart"] is None


def test_tekton_and_github_steps_are_unknown_unless_configured():
    tekton = (ROOT / "tests" / "adapters" / "tekton" / "pipeline.yaml").read_text(encoding="utf-8")
    assert set(durations(tekton).values()) == {None}
    github = "on: push\njobs:\n  a: {runs-on: x, steps: [{run: 'true'}]}\n  b: {runs-on: x, needs: a, steps: [{run: 'true'}]}\n"
    assert set(durations(github).values()) == {None}
    configured = durations(github, Settings(default_duration=2.0))
    assert {d.basis for d in configured.values()} == {DurationBasis.CONFIGURED}


# -- the durations file ------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.yaml").write_text(UNKNOWN, encoding="utf-8")
    return tmp_path


def test_a_durations_file_overrides_the_runbook_for_check_and_plan(in_tmp):
    (in_tmp / "measured.yaml").write_text("unknown:\n  mystery: 3m\n  known: 7\n", encoding="utf-8")
    result = run("check", "--no-cache", "--select", "RL201", "--format", "json", "--durations", "measured.yaml", "r.yaml")
    found = [f["message"] for f in json.loads(result.output)["findings"]]
    assert found[0].endswith("This gate adds 3 min to the critical path.")
    assert found[1].endswith("This gate adds 2 min to the critical path.")
    plan = json.loads(run("plan", "r.yaml", "--format", "json", "--durations", "measured.yaml").output)
    assert plan["unknown_durations"] == [] and plan["saved_unknown"] is False
    assert {s["id"]: s["duration_basis"] for s in plan["steps"]} == {
        "known": "measured", "mystery": "measured", "after": "given",
    }


def test_a_durations_file_in_json_with_a_range(in_tmp):
    (in_tmp / "measured.json").write_text(
        json.dumps({"unknown": {"mystery": {"min": "1m", "likely": "2m", "max": "4m"}}}), encoding="utf-8"
    )
    result = run("check", "--no-cache", "--select", "RL201", "--format", "json", "--durations", "measured.json", "r.yaml")
    first = json.loads(result.output)["findings"][0]["message"]
    assert first.endswith("This gate adds 2 min (up to 4 min) to the critical path.")


@pytest.mark.parametrize(
    "text, where, message",
    [
        ("unknown:\n  mystery: soon\n", "2:12", "`unknown`.`mystery` must be minutes"),
        ("unknown:\n  mystery: {min: 9m, max: 1m}\n", "2:12", "with min <= likely <= max"),
        ("unknown:\n  mystery: 1e300\n", "2:12", "(at most a year)"),
        ("unknown:\n  mystery: -3\n", "2:12", "must be minutes"),
        ("unknown:\n  mystery: 1\n  mystery: 2\n", "3:3", ""),
        ("unknown: [mystery]\n", "1:10", "`unknown` must map step ids to minutes"),
        ("- a\n", "1:1", "must map runbook ids to their steps' minutes"),
        ("unknown: {mystery: [\n", "2:1", ""),
    ],
)
def test_a_bad_durations_file_is_exit_2_at_its_line_and_column(in_tmp, text, where, message):
    (in_tmp / "bad.yaml").write_text(text, encoding="utf-8")
    for command in (["check", "r.yaml"], ["plan", "r.yaml"]):
        result = run(*command, "--durations", "bad.yaml")
        assert result.exit_code == 2, result.output
        assert f"bad.yaml:{where}: " in result.output and message in result.output
        assert "Traceback" not in result.output


def test_a_missing_durations_file_is_exit_2(in_tmp):
    result = run("check", "r.yaml", "--durations", "nowhere.yaml")
    assert result.exit_code == 2 and "nowhere.yaml" in result.output and "cannot read" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_durations_folder_or_fifo_is_exit_2_at_line_1_column_1(in_tmp):
    (in_tmp / "folder").mkdir()
    os.mkfifo(in_tmp / "fifo")
    for name in ("folder", "fifo"):
        for command in ("check", "plan"):
            result = run(command, "r.yaml", "--durations", name)
            assert result.exit_code == 2, result.output
            assert f"{name}:1:1: not a regular file" in result.output


def test_the_configuration_names_a_durations_file_relative_to_itself(in_tmp):
    (in_tmp / "team").mkdir()
    (in_tmp / "team" / "measured.yaml").write_text("unknown:\n  mystery: 4m\n", encoding="utf-8")
    (in_tmp / ".recoverylint.yaml").write_text("select: [RL201]\ndurations: team/measured.yaml\n", encoding="utf-8")
    os.chdir(in_tmp / "team")  # the path is the configuration's, not the working directory's
    result = run("check", "--no-cache", "--format", "json", str(in_tmp / "r.yaml"))
    assert json.loads(result.output)["findings"][0]["message"].endswith("adds 4 min to the critical path.")
    (in_tmp / ".recoverylint.yaml").write_text("durations: team/absent.yaml\n", encoding="utf-8")
    result = run("check", str(in_tmp / "r.yaml"))
    assert result.exit_code == 2 and "absent.yaml" in result.output


def test_the_cache_keys_on_the_durations_file_content(in_tmp, monkeypatch):
    monkeypatch.setenv("RECOVERYLINT_CACHE_DIR", str(in_tmp / "cache"))
    measured = in_tmp / "measured.yaml"
    said = []
    for minutes in (3, 4):
        measured.write_text(f"unknown:\n  mystery: {minutes}m\n", encoding="utf-8")
        result = run("check", "--select", "RL201", "--format", "json", "--durations", "measured.yaml", "r.yaml")
        said.append(json.loads(result.output)["findings"][0]["message"])
    assert said[0].endswith("adds 3 min to the critical path.")
    assert said[1].endswith("adds 4 min to the critical path.")


# An SSM document: `Settle` takes the format's default (its `Duration`), `Report` has none.
SSM_SLEEP_AND_SCRIPT = dedent(
    """
    schemaVersion: '0.3'
    mainSteps:
      - name: Settle
        action: aws:sleep
        inputs: {Duration: PT2M}
      - name: Report
        action: aws:executeScript
        inputs: {Runtime: python3.8, Handler: h, Script: 'def h(e, c): return 1'}
    """
)


def test_convert_writes_measured_minutes_and_a_format_default(in_tmp):
    (in_tmp / "doc.yaml").write_text(SSM_SLEEP_AND_SCRIPT, encoding="utf-8")
    (in_tmp / ".recoverylint.yaml").write_text("durations: measured.yaml\n", encoding="utf-8")
    (in_tmp / "measured.yaml").write_text("doc:\n  Report: {min: 1m, max: 4m}\n", encoding="utf-8")
    result = run("convert", "doc.yaml")
    assert result.exit_code == 0, result.output
    assert "duration: 2m\n" in result.output
    assert "duration: {min: 1m, likely: 4m, max: 4m}\n" in result.output


# -- the README ----------------------------------------------------------------------


def test_readme_durations_example_is_the_file_and_its_output():
    example = (ROOT / "examples" / "durations" / "release.yaml").read_text(encoding="utf-8")
    assert block_after("# examples/durations/release.yaml\n", "yaml") == (
        "# examples/durations/release.yaml\n" + example
    )
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        for command in ("check", "plan"):
            shown = f"$ recoverylint {command} --durations examples/durations/release.yaml tests/adapters/tekton/pipeline.yaml\n"
            block = block_after(shown, "text")
            result = CliRunner().invoke(cli, [*shown.split()[2:], "--no-color", *(["--no-cache"] if command == "check" else [])])
            assert result.output.startswith(block[len(shown):].split("\n...\n")[0]), result.output  # `...`: lines left out
    finally:
        os.chdir(old)


def test_plan_names_a_format_default_and_its_kind(in_tmp):
    (in_tmp / "doc.yaml").write_text(SSM_SLEEP_AND_SCRIPT, encoding="utf-8")
    text = run("plan", "doc.yaml", "--no-color").output
    assert "  No duration (counted as 0 min): Report.\n" in text
    assert "  Minutes by the format's default for an `aws:sleep` step (its `Duration`): Settle.\n" in text
    document = json.loads(run("plan", "doc.yaml", "--format", "json").output)
    assert document["defaulted_durations"] == [
        {"id": "Settle", "basis": "default", "kind": "an `aws:sleep` step (its `Duration`)"}
    ]


def test_mermaid_and_dot_show_ranges_unknown_durations_and_savings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gantt = plan_of(UNKNOWN, "--format", "mermaid-gantt")
    assert "what the required order saves is unknown" in gantt.splitlines()[1]
    assert "the required order saves 1 to 10 min" in plan_of(SEQUENTIAL_RANGE, "--format", "mermaid-gantt")
    dot = plan_of(SEQUENTIAL_RANGE, "--format", "dot")
    assert r'label="maybe-long\n1 min, 1 to 10 min"' in dot
    assert r'label="mystery\nunknown"' in plan_of(UNKNOWN, "--format", "dot")
    assert "mystery\nunknown" in plan_of(UNKNOWN, "--format", "mermaid")


def test_the_python_api_applies_a_durations_file(tmp_path):
    from recoverylint.durations import load_durations

    (tmp_path / "measured.yaml").write_text("unknown:\n  mystery: 90s\n", encoding="utf-8")
    found = durations(UNKNOWN, Settings(durations=load_durations(tmp_path / "measured.yaml")))
    assert found["mystery"] == Duration(1.5, 1.5, 1.5, DurationBasis.MEASURED)
    assert found["known"].basis is DurationBasis.GIVEN


# -- a property: a number RL201 states does not rest on an unknown duration ----------


@st.composite
def runbooks_with_unknowns(draw) -> tuple[str, list[str]]:
    """Random parallel runbooks where some steps have no duration; the ids of those."""
    count = draw(st.integers(2, 7))
    lines = ["runbook: r", "flow: parallel", "given: [alert]", "steps:"]
    unknown = []
    for node in range(count):
        earlier = [f"s{n}" for n in range(node)]
        needs = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        uses = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        lines.append(f"  - id: s{node}")
        if draw(st.booleans()):
            lines.append(f"    duration: {draw(st.integers(1, 9))}m")
        else:
            unknown.append(f"s{node}")
        lines += [
            f"    needs: [{', '.join(needs)}]",
            f"    inputs: [{', '.join(['alert'] + [f'f{n[1:]}' for n in uses])}]",
            f"    outputs: [f{node}]",
        ]
    return "\n".join(lines) + "\n", unknown


@settings(max_examples=int(os.environ.get("RECOVERYLINT_DURATION_EXAMPLES", "150")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks_with_unknowns(), st.data())
def test_minutes_rl201_states_hold_whatever_the_unknown_durations_are(drawn, data):
    text, unknown = drawn
    stated = {
        f.steps[-1]: f.message.split(". ")[-1]
        for f in check_text(text, "r.yaml").findings
        if f.code == "RL201" and "an unknown time" not in f.message
    }
    filled = {step: exactly(data.draw(st.integers(0, 60)), DurationBasis.MEASURED) for step in unknown}
    measured = Settings(durations=MeasuredDurations({"r": filled}))
    again = {f.steps[-1]: f.message.split(". ")[-1] for f in check_text(text, "r.yaml", measured).findings if f.code == "RL201"}
    for step, words in stated.items():
        bound = re.match(r"(?:This gate adds|These gates add) up to ([\d.]+) min .*\(less if ", words)
        if bound is None:
            assert again[step] == words, (step, filled)
        else:
            added = re.match(r"(?:This gate adds|These gates add) ([\d.]+) min", again[step])
            assert added is None or float(added.group(1)) <= float(bound.group(1)), (step, filled, again[step])


@settings(max_examples=int(os.environ.get("RECOVERYLINT_DURATION_EXAMPLES", "150")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(runbooks_with_unknowns(), st.data())
def test_a_saving_plan_states_holds_whatever_the_unknown_durations_are(drawn, data):
    text, unknown = drawn
    _, plan = plan_text(text)
    assert plan is not None
    if plan.saving_unknown:
        return
    filled = {step: exactly(data.draw(st.integers(0, 60)), DurationBasis.MEASURED) for step in unknown}
    _, again = plan_text(text, settings=Settings(durations=MeasuredDurations({"r": filled})))
    assert again.saved_minutes == plan.saved_minutes, filled


def test_a_plan_whose_orders_are_the_same_saves_nothing_whatever_is_unknown(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = plan_of("runbook: same\nflow: parallel\nsteps:\n  - id: a\n  - id: b\n")
    assert "  Saved: nothing: the declared order is as fast as the work allows with these people.\n" in text
    assert "  No duration (counted as 0 min): a, b.\n" in text


def test_rl201_bounds_a_ranged_gate_beside_unknown_steps_by_its_longest():
    text = RANGED + "  - id: aside-1\n  - id: aside-2\n  - id: aside-3\n  - id: aside-4\n  - id: aside-5\n  - id: aside-6\n"
    (found,) = messages(text, "RL201")
    assert found.endswith(
        "This gate adds up to 20 min to the critical path (less if `aside-1`, `aside-2`, `aside-3`,"
        " `aside-4`, `aside-5` and 1 more, which have no duration, take long)."
    )


def test_durations_of_thousands_of_digits_are_no_duration_not_a_crash(in_tmp):
    digits = "9" * 5000
    (in_tmp / "huge.yaml").write_text(f"unknown:\n  mystery: {digits}s\n", encoding="utf-8")
    result = run("check", "r.yaml", "--durations", "huge.yaml")
    assert result.exit_code == 2 and "huge.yaml:2:12: " in result.output
    argo = ARGO.replace('duration: "20"', f'duration: "{digits}"')
    assert durations(argo)["settle"] is None


@pytest.mark.parametrize(
    "name, text",
    [
        ("ssm", "schemaVersion: '0.3'\nmainSteps:\n  - name: A\n    action: aws:executeScript\n"
         "    inputs: {Runtime: python3.8, Handler: h, Script: x}\n  - name: Settle\n    action: aws:sleep\n"
         f"    inputs: {{Duration: PT{'9' * 400}S}}\n  - name: B\n    action: aws:executeScript\n"
         "    inputs: {Runtime: python3.8, Handler: h, Script: x}\n"),
        ("orquesta", "version: 1.0\ntasks:\n  hold:\n    action: core.pause\n"
         f"    input: {{max_pause: {'9' * 400}}}\n    next: [{{do: [b]}}]\n  b:\n    action: core.local\n"),
        ("actionchain", f"chain:\n  - name: hold\n    ref: core.pause\n    params: {{max_pause: {'9' * 300}}}\n"
         "    on-success: b\n  - name: b\n    ref: core.local\n"),
    ],
)
def test_a_workflow_time_past_a_year_is_unknown_and_plans(in_tmp, name, text):
    (in_tmp / f"{name}.yaml").write_text(text, encoding="utf-8")
    found = durations(text)
    assert found["Settle" if name == "ssm" else "hold"] is None  # the step whose time is past a year
    assert all(duration is None or duration.likely == 0 for duration in found.values())
    for output in ("text", "json", "html"):
        result = run("plan", f"{name}.yaml", "--format", output)
        assert result.exit_code == 0, result.output
