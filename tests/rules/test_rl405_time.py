"""RL405 counts only steps whose scheduled windows can really overlap (issue 16,
item 3): two status posts half an hour apart are not "2 steps at once", and the
help names the way out that does not raise RL201."""

from pathlib import Path

from click.testing import CliRunner

from recoverylint.cli import cli
from recoverylint.engine import check_text
from recoverylint.graphs import Graphs

EXAMPLE = Path(__file__).parents[2] / "examples" / "parallel-deploy-races.yaml"

POSTS = """\
runbook: r
flow: parallel
roles:
  communicator: {authority: [communicate]}
  sre: {authority: [observe]}
steps:
  - id: triage
    role: sre
    duration: 3m
    outputs: [scope]
  - id: post-investigating
    role: communicator
    phase: communicate
    duration: 2m
    needs: [triage]
    inputs: [scope]
  - id: investigate
    role: sre
    duration: 30m
    needs: [triage]
    inputs: [scope]
    outputs: [fixed]
  - id: post-resolved
    role: communicator
    phase: communicate
    duration: 2m
    needs: [investigate]
    inputs: [fixed]
"""


def rl405(text: str) -> list:
    return [f for f in check_text(text).findings if f.code == "RL405"]


def test_the_example_s_two_posts_half_an_hour_apart_are_not_at_once():
    result = CliRunner().invoke(cli, ["check", str(EXAMPLE)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if " RL405 [warning] " in line]
    assert [line.split(" [warning] ")[1].split(" can run at once")[0] for line in lines] == [
        "6 steps",
        "5 steps of `sre`",
    ]
    assert not any("communicator" in line for line in lines)


def test_the_help_s_way_out_clears_rl405_without_raising_rl201():
    overlapping = POSTS.replace("duration: 30m", "duration: 1m")
    followed = overlapping.replace(
        "    needs: [investigate]\n",
        '    needs: [investigate, {step: post-investigating, reason: "too few people for both at once"}]\n',
    )
    codes = [f.code for f in check_text(followed).findings]
    assert "RL405" not in codes and "RL201" not in codes
    # Without the reason, the same wait is a needless gate.
    bare = overlapping.replace("    needs: [investigate]\n", "    needs: [investigate, post-investigating]\n")
    assert "RL201" in [f.code for f in check_text(bare).findings]


def staggered(count: int, length: int) -> str:
    """A chain of 1-minute steps, each starting a long job of one role: the
    jobs' windows overlap in many different sets, one per minute."""
    lines = ["runbook: r", "flow: parallel", "roles:", "  lead: {authority: [observe]}",
             "  worker: {authority: [observe]}", "steps:"]
    for i in range(count):
        lines += [f"  - id: c{i}", "    role: lead", "    duration: 1"]
        if i:
            lines.append(f"    needs: [c{i - 1}]")
        lines += [f"  - id: w{i}", "    role: worker", f"    duration: {length}", f"    needs: [c{i}]"]
    return "\n".join(lines) + "\n"


def test_many_overlapping_moments_bound_the_work(monkeypatch):
    asked: list[int] = []
    widest = Graphs.widest

    def counted(self: Graphs, nodes):
        nodes = list(nodes)
        asked.append(len(nodes))
        return widest(self, nodes)

    monkeypatch.setattr(Graphs, "widest", counted)
    # A few moments of many jobs: each looked at, the count exact.
    (found,) = rl405(staggered(40, 20))
    assert found.message.startswith("20 steps of `worker` can run at once")
    asked.clear()
    count = 300
    (found,) = rl405(staggered(count, 150))
    # Unbounded, about 150 moments of 150 jobs each (22,500 steps) would be
    # asked about; the work stays within 8 steps per job, plus the rest judged
    # at once, which may count more of them than ever meet, never fewer.
    assert sum(asked) <= 8 * count + count
    widest = int(found.message.split(" ")[0])
    assert 150 <= widest <= count
