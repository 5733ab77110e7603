"""`recoverylint plan` as a user runs it: formats, golden files, --output, errors."""

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from recoverylint.cli import cli

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "plan"
EXAMPLE = "examples/parallel-deploy-races.yaml"
# Set RECOVERYLINT_UPDATE_GOLDEN=1 to rewrite the golden files after a
# deliberate change of output; the diff then shows in review.
UPDATE = os.environ.get("RECOVERYLINT_UPDATE_GOLDEN") == "1"


def run(*args, cwd=REPO):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.mark.parametrize(
    "output_format, suffix",
    [("text", "txt"), ("json", "json"), ("mermaid", "mmd"), ("mermaid-gantt", "gantt.mmd"), ("dot", "dot")],
)
def test_golden(output_format, suffix):
    result = run("plan", EXAMPLE, "--format", output_format)
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"parallel-deploy-races.{suffix}"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.output, encoding="utf-8")
    assert result.output == golden.read_text(encoding="utf-8")


def test_json_has_the_documented_shape():
    document = json.loads(run("plan", "examples/orders-db-outage.yaml", "--format", "json").output)
    for key in (
        "runbook", "sequential_minutes", "declared", "required", "saved_minutes",
        "saved_cost", "checklist", "steps",
    ):
        assert key in document
    for order in ("declared", "required"):
        assert {"makespan_minutes", "staffed_makespan_minutes", "critical_path"} <= document[order].keys()
    assert isinstance(document["required"]["waves"], list)
    assert document["saved_minutes"] == (
        document["declared"]["staffed_makespan_minutes"] - document["required"]["staffed_makespan_minutes"]
    )
    assert document["saved_cost"] == document["saved_minutes"] * 1500
    step = document["steps"][0]
    assert {"id", "earliest_start", "latest_start", "slack", "wave"} <= step.keys()
    assert document["checklist"]["mode"] == "parallel"
    assert [item["id"] for item in document["left_out"]] == ["failover-to-replica"]


def test_text_summary_of_a_checklist_runbook():
    result = run("plan", "examples/checklist-disk-full.yaml")
    assert result.exit_code == 0
    out = result.output
    assert "fully sequential" in out and "Critical path of the required order" in out
    assert "Waves of the required order" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_colour_on_request_and_never_in_files(tmp_path):
    assert "\x1b[" in run("plan", EXAMPLE, "--color").output
    target = tmp_path / "plan.txt"
    result = run("plan", EXAMPLE, "--output", str(target))
    assert result.exit_code == 0
    assert "\x1b[" not in target.read_text(encoding="utf-8")


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "plan.json"
    target.write_text("old", encoding="utf-8")
    result = run("plan", EXAMPLE, "--format", "json", "-o", str(target))
    assert result.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["runbook"] == "checkout-bad-release"
    assert not result.stdout.strip()  # the note went to stderr
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary left


def test_output_never_overwrites_the_runbook(tmp_path):
    runbook = tmp_path / "r.yaml"
    text = (REPO / EXAMPLE).read_text(encoding="utf-8")
    runbook.write_text(text, encoding="utf-8")
    result = run("plan", str(runbook), "--format", "html", "--output", str(runbook))
    assert result.exit_code == 2
    assert "is the runbook itself" in result.output
    assert runbook.read_text(encoding="utf-8") == text


def test_output_into_a_missing_folder_is_an_error(tmp_path):
    result = run("plan", EXAMPLE, "--output", str(tmp_path / "nope" / "plan.txt"))
    assert result.exit_code == 2
    assert "could not write" in result.output


@pytest.mark.parametrize(
    "text, code, where",
    [
        ("runbook: r\nsteps:\n  - {id: a, needs: [b]}\n  - {id: b, needs: [a]}\n", "RL103", "r.yaml:"),
        ("runbook: r\nsteps:\n  - id: a\n  - id: a\n", "RL101", "r.yaml:4:"),
        ("runbook: [\n", "RL001", "r.yaml:2:"),
        ("title: not a runbook\n", "RL003", "r.yaml:1:1"),
        ("runbook: r\nsteps: 3\n", "RL002", "r.yaml:2:"),
    ],
)
def test_unplannable_runbook_exits_2_with_the_place(tmp_path, text, code, where):
    runbook = tmp_path / "r.yaml"
    runbook.write_text(text, encoding="utf-8")
    result = run("plan", "r.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert code in result.output and where in result.output
    assert "cannot be planned" in result.output
    assert "Traceback" not in result.output


def test_configuration_default_duration_is_used(tmp_path):
    (tmp_path / ".recoverylint.yaml").write_text("default_duration: 10m\n", encoding="utf-8")
    (tmp_path / "r.yaml").write_text("runbook: r\nsteps:\n  - id: a\n  - id: b\n", encoding="utf-8")
    document = json.loads(run("plan", "r.yaml", "--format", "json", cwd=tmp_path).output)
    assert document["sequential_minutes"] == 20


def test_every_example_plans_in_every_format(tmp_path):
    for example in sorted((REPO / "examples").glob("*.yaml")):
        for output_format in ("text", "json", "mermaid", "mermaid-gantt", "dot", "html"):
            result = run("plan", str(example), "--format", output_format)
            assert result.exit_code == 0, (example.name, output_format, result.output)
            assert result.output.strip()


def test_output_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = run("plan", EXAMPLE, "-o", str(fifo))
    assert result.exit_code == 2 and "not a regular file" in result.output
    assert fifo.is_fifo()


def test_output_through_a_link_keeps_the_link_and_the_mode(tmp_path):
    target = tmp_path / "plan.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o600)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert run("plan", EXAMPLE, "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8").startswith("Plan of checkout-bad-release")
    assert target.stat().st_mode & 0o777 == 0o600


def test_output_dash_is_stdout_and_empty_is_an_error():
    assert run("plan", EXAMPLE, "-o", "-").output.startswith("Plan of checkout-bad-release")
    result = run("plan", EXAMPLE, "-o", "")
    assert result.exit_code == 2 and "empty file name" in result.output


def test_infinite_cost_is_a_schema_error(tmp_path):
    (tmp_path / "c.yaml").write_text(
        "runbook: c\ncost_per_minute: .inf\nsteps:\n  - {id: a}\n", encoding="utf-8"
    )
    result = run("plan", "c.yaml", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 2
    assert "c.yaml:2:18: RL002" in result.output


def test_a_gantt_too_long_for_dates_is_an_error(tmp_path):
    steps = "\n".join(f"  - {{id: s{i}, duration: 9999h999999m}}" for i in range(600))
    (tmp_path / "long.yaml").write_text(f"runbook: long\nsteps:\n{steps}\n", encoding="utf-8")
    result = run("plan", "long.yaml", "--format", "mermaid-gantt", cwd=tmp_path)
    assert result.exit_code == 2
    assert "Mermaid Gantt chart" in result.output and "Traceback" not in result.output
    assert run("plan", "long.yaml", cwd=tmp_path).exit_code == 0


def test_control_characters_never_reach_the_terminal(tmp_path):
    (tmp_path / "e.yaml").write_text(
        'runbook: e\ntitle: "a \\e]0;pwned\\a b"\nsteps:\n  - {id: a, title: "nul \\0"}\n',
        encoding="utf-8",
    )
    for output_format in ("text", "dot"):
        out = run("plan", "e.yaml", "--format", output_format, "--no-color", cwd=tmp_path).output
        assert "\x1b" not in out and "\x07" not in out and "\x00" not in out


def test_a_bug_while_planning_or_rendering_is_reported_not_a_traceback(monkeypatch):
    import recoverylint.plan as plan
    import recoverylint.report.plan_dot as plan_dot

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(plan_dot, "render", broken)
    result = run("plan", EXAMPLE, "--format", "dot")
    assert result.exit_code == 2
    assert "internal error in recoverylint" in result.output and "no dot was written" in result.output
    assert "RuntimeError: a bug" in result.output

    monkeypatch.setattr(plan, "build_plan", broken)  # imported by the engine when it plans
    result = run("plan", EXAMPLE)
    assert result.exit_code == 2
    assert "it was not planned" in result.output and "RuntimeError: a bug" in result.output
