"""Rundeck: what a `jobref` does is the same whatever order the file writes
the jobs in, through jobs that run other jobs in turn (the effects were once
gathered in file order, so a job running a job that runs a third, written
before them, did nothing known).  Reproduced on the real `test/test.jobs.yaml`
of rundeck/rundeck, with a job that runs its `jobref` job written first."""

from __future__ import annotations

import itertools

from adapter_support import adapt, data_edges, names
from review_support import corpus_folder

from recoverylint.engine import check_text


def short(step_id: str) -> str:
    """A step id without its job's prefix (`2-outer/check`: `check`), which numbers the job's place in the file."""
    return step_id.split("/", 1)[-1]


def edges(runbook) -> set[tuple[str, str]]:
    return {(short(a), short(b)) for a, b in data_edges(runbook)}


def writes_of(runbook, step_id: str) -> list[str]:
    return names(next(s for s in runbook.steps if short(s.id) == step_id).writes)


JOBS = {
    "outer": "- name: outer\n  sequence:\n    commands:\n    - description: run middle\n      jobref: {name: middle}\n"
    "    - description: check\n      exec: kubectl get pods -n prod\n",
    "middle": "- name: middle\n  sequence:\n    commands:\n    - jobref: {name: inner}\n",
    "inner": "- name: inner\n  sequence:\n    commands:\n    - exec: kubectl delete pod api-0 -n prod\n",
}


def test_a_jobref_does_what_the_jobs_it_runs_do_in_every_order_of_the_file():
    for order in itertools.permutations(JOBS):
        runbook = adapt("".join(JOBS[name] for name in order), "rundeck").runbook
        assert [short(s.id) for s in runbook.steps] == ["run-middle", "check"], order
        assert writes_of(runbook, "run-middle") == ["k8s/prod/pod/api-0"], order
        # The check reads the pods the job run before it deleted.
        assert edges(runbook) == {("run-middle", "check")}, order


def test_jobs_running_each_other_do_what_the_loop_does_with_no_known_end():
    text = (
        "- name: a\n  sequence:\n    commands:\n    - jobref: {name: b}\n    - exec: kubectl delete pod x -n n\n"
        "- name: b\n  sequence:\n    commands:\n    - jobref: {name: a}\n"
        "- name: top\n  sequence:\n    commands:\n    - description: run a\n      jobref: {name: a}\n"
        "    - description: look\n      exec: kubectl get nodes\n"
    )
    runbook = adapt(text, "rundeck").runbook
    assert writes_of(runbook, "run-a") == ["k8s/n/pod/x"]
    # A loop never ends: its effect is not known, so the wait after it is kept.
    assert ("run-a", "look") in edges(runbook)


def chain(count: int) -> str:
    """`count` jobs, each running the next and deleting a pod of its own."""
    return "".join(
        f"- name: j{n}\n  sequence:\n    commands:\n    - jobref: {{name: j{n + 1}}}\n"
        f"    - exec: kubectl delete pod p{n} -n n\n"
        for n in range(count)
    ) + f"- name: j{count}\n  sequence:\n    commands:\n    - exec: uptime\n"


def test_a_chain_of_over_a_thousand_jobs_is_read_without_recursion():
    count = 1_200  # past Python's recursion limit
    runbook = adapt(chain(count), "rundeck").runbook
    assert len(runbook.steps[0].writes) == count - 1  # every pod deleted down the chain, each named once


def test_a_chain_gathering_millions_of_names_hits_the_limit_with_a_finding():
    # 3,000 jobs: each gathers the names of every job after it, 4.5 million in all.
    findings = check_text(chain(3_000), "chain.yaml").findings
    assert [(f.code, f.message) for f in findings] == [
        ("RL001", "too large to analyse: over 1,000,000 resource names gathered through `jobref`s")
    ]


def test_the_real_test_jobs_read_the_same_wherever_the_job_a_runner_runs_is_written():
    path = corpus_folder("rundeck") / "rundeck" / "test" / "test.jobs.yaml"
    # Its four jobs: exec (`uptime`), file, the job test (a `jobref` to exec), script (`uptime`).
    written = path.read_text(encoding="utf-8").removeprefix("- ")
    jobs = ["- " + chunk.rstrip("\n") + "\n" for chunk in written.split("\n- ")]
    exec_job, file_job, job_test, script_job = jobs
    assert "name: simple job test yaml" in job_test and "jobref:" in job_test
    # A job running the job test (which runs exec in turn), then `uptime` itself.
    runner = (
        "- name: runner\n  group: test\n  sequence:\n    commands:\n"
        "    - description: run the job test\n      jobref: {group: test, name: simple job test yaml}\n"
        "    - description: uptime here\n      exec: uptime\n"
    )
    texts = {
        "runner before the job test": exec_job + file_job + runner + job_test + script_job,
        "runner after the job test": exec_job + file_job + job_test + runner + script_job,
    }
    for order, text in texts.items():
        runbook = adapt(text, "rundeck").runbook
        # `uptime` touches nothing named: the job run is known to do nothing,
        # so the runner's own `uptime` need not wait for it.
        assert ("run-the-job-test", "uptime-here") not in edges(runbook), order
        gates = [f.message.split("`") for f in check_text(text, "test.jobs.yaml").findings if f.code == "RL201"]
        assert [(short(gate[1]), short(gate[3])) for gate in gates] == [("uptime-here", "run-the-job-test")], order


def calling_each_other(count: int) -> str:
    """Two jobs that run each other, each with `count` `jobref`s to the other and `count` pods deleted."""

    def job(name: str, other: str) -> str:
        steps = "".join(f"    - jobref: {{name: {other}}}\n" for _ in range(count))
        steps += "".join(f"    - exec: kubectl delete pod {name}{n} -n n\n" for n in range(count))
        return f"- name: {name}\n  sequence:\n    commands:\n{steps}"

    return job("a", "b") + job("b", "a")


def test_jobrefs_within_a_loop_count_against_the_limit():
    # 200 KB: each of the 3,000 `jobref`s takes on the loop's 3,000 names,
    # 9 million in all (uncounted, 25 s and 620 MB to say nothing wrong).
    text = calling_each_other(1_500)
    assert len(text) < 200_000
    findings = check_text(text, "loop.yaml").findings
    assert [(f.code, f.message) for f in findings] == [
        ("RL001", "too large to analyse: over 1,000,000 resource names gathered through `jobref`s")
    ]
    # A small loop is still read: each `jobref` takes on both jobs' pods.
    runbook = adapt(calling_each_other(2), "rundeck").runbook
    assert writes_of(runbook, "step-1") == ["k8s/n/pod/a0", "k8s/n/pod/a1", "k8s/n/pod/b0", "k8s/n/pod/b1"]
