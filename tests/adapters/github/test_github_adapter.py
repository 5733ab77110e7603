"""The GitHub Actions adapter: jobs as steps, `needs` as the declared order,
`needs.J.outputs.X` as facts, artifacts as resources, and what is handed
over where the file cannot show it."""

from __future__ import annotations

import json

import pytest
from adapter_support import (
    FIXTURES,
    adapt,
    check_json,
    data_edges,
    fixture,
    order_edges,
    step,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recoverylint.adapters import detect
from recoverylint.adapters.github import FORMAT
from recoverylint.engine import check_text
from recoverylint.model import EdgeKind
from recoverylint.source import parse

NAME = "github-actions"


def model(name: str):
    adapted = adapt(fixture(f"github/{name}"), NAME, path=f"workflows/{name}")
    return adapted.runbook


def codes(text: str) -> list[tuple[str, int, int]]:
    found = check_text(text, "workflow.yaml").findings
    return sorted((f.code, f.span.line, f.span.column) for f in found)


def refs(refs_) -> set[tuple[str, int, int]]:
    return {(ref.name, ref.span.line, ref.span.column) for ref in refs_}


# -- detection -----------------------------------------------------------------


def test_detects_workflows_and_nothing_else():
    assert FORMAT.name == NAME and FORMAT.wait_key == "needs"
    assert detect(parse(fixture("github/pipeline.yaml"))) is FORMAT
    assert not FORMAT.detect(parse(fixture("github/action.yaml")))  # composite action


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- on\n- jobs\n",
        "just text\n",
        "jobs: {build: {runs-on: x}}\n",  # no `on`
        "on: push\njobs: [build]\n",
        "on: push\njobs: {build: ubuntu}\n",
        "on: push\njobs: {build: {script: make}}\n",  # a CI job of another kind
        "on: push\njobs: {}\n",
        "runbook: r\nsteps: []\n",
    ],
)
def test_near_misses_are_not_workflows(text):
    assert not FORMAT.detect(parse(text))


def test_a_later_document_of_the_stream_is_looked_at():
    assert FORMAT.detect(parse("kind: Other\n---\non: push\njobs: {a: {steps: []}}\n"))


# -- steps and the declared order ----------------------------------------------------


def test_jobs_are_steps_in_file_order_with_titles_and_spans():
    runbook = model("pipeline.yaml")
    assert runbook.id == "deploy-service" and runbook.title == "Deploy Service"
    assert (runbook.span.line, runbook.span.column) == (1, 7)
    assert [s.id for s in runbook.steps] == ["build", "lint", "test", "deploy"]
    build = step(runbook, "build")
    assert build.title == "Build image" and step(runbook, "lint").title is None
    assert (build.span.line, build.span.column, build.span.end_column) == (7, 3, 8)
    assert (build.extent.line, build.extent.end_line) == (8, 20)
    assert build.duration is None and runbook.format == NAME
    # Nothing in a workflow chooses between jobs: no alternatives.
    assert all(not s.decides and not s.excludes for s in runbook.steps)


def test_needs_are_the_declared_order_and_needs_of_the_waiting_job():
    runbook = model("pipeline.yaml")
    assert order_edges(runbook) == {
        ("build", "test"),
        ("build", "deploy"),
        ("lint", "deploy"),
        ("test", "deploy"),
    }
    assert {edge.kind for edge in runbook.declared_edges} == {EdgeKind.NEEDS}
    # `needs: build` points at the value; `needs: [a, b]` at each entry.
    assert [(n.step, n.span.line, n.span.column) for n in step(runbook, "test").needs] == [
        ("build", 25, 12)
    ]
    assert [(n.step, n.span.line, n.span.column) for n in step(runbook, "deploy").needs][:3] == [
        ("build", 33, 13),
        ("lint", 33, 20),
        ("test", 33, 26),
    ]
    # A job named for deploying changes what the file does not name: the checks before it guard it.
    assert {(n.step, n.reason) for n in step(runbook, "deploy").needs[3:]} == {
        (check, f"`deploy` publishes outside the run, and `{check}` checks what it ships") for check in ("lint", "test")
    }


def test_the_file_stem_names_a_workflow_without_a_name():
    runbook = model("outcomes.yaml")
    assert runbook.id == "outcomes" and runbook.title is None
    assert (runbook.span.line, runbook.span.column) == (2, 1)  # `jobs`


def test_several_workflows_in_one_file_qualify_their_job_ids():
    runbook = model("two-workflows.yaml")
    assert runbook.id == "two-workflows"
    assert [s.id for s in runbook.steps] == [
        "build/compile",
        "build/package",
        "two-workflows-2/compile",
    ]
    assert order_edges(runbook) == {("build/compile", "build/package")}
    # Each workflow is a run of its own: its artifacts are apart.
    assert refs(step(runbook, "build/package").writes) == {("artifact/build/dist", 13, 22)}
    assert refs(step(runbook, "two-workflows-2/compile").reads) == {
        ("artifact/two-workflows-2/dist", 21, 22),
        ("artifact/two-workflows-2", 22, 15),
    }
    assert data_edges(runbook) == set()


# -- facts and results -----------------------------------------------------------------


def test_outputs_read_through_needs_are_facts():
    runbook = model("pipeline.yaml")
    assert refs(step(runbook, "deploy").inputs) == {("build.digest", 36, 15)}
    assert refs(step(runbook, "build").outputs) == {("build.digest", 11, 7)}  # declared there
    assert data_edges(runbook) == {("build", "test"), ("build", "deploy"), ("lint", "deploy"), ("test", "deploy")}


@pytest.mark.parametrize(
    "reference",
    [
        "${{ needs.a.outputs.v }}",
        "${{needs.a.outputs.v}}",
        "${{ needs . a . outputs . v }}",
        "${{ needs.a.outputs['v'] }}",
        '${{ needs["a"].outputs[ "v" ] }}',
        "x-${{ format('{0}', needs.a.outputs.v) }}-y",
    ],
)
def test_every_spelling_of_an_output_reference_is_the_same_fact(reference):
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    outputs: {V: x}\n"
        "  b:\n    needs: a\n    runs-on: x\n    steps:\n"
        f"      - run: echo \"{reference}\"\n"
    )
    runbook = adapt(text, NAME).runbook
    assert refs(step(runbook, "b").inputs) == {("a.v", 10, 14)}
    assert refs(step(runbook, "a").outputs) == {("a.v", 5, 15)}  # output names ignore case


def test_an_output_of_a_reusable_workflow_is_declared_at_the_job():
    # The called workflow declares its outputs in another file (actionlint's
    # ok/using_reusable_workflow_call_outputs.yaml).
    result = adapt(fixture("github/reusable-outputs.yaml"), NAME)
    runbook = result.runbook
    assert refs(step(runbook, "job1").outputs) == {
        ("job1.firstword", 6, 3),
        ("job1.secondword", 6, 3),
    }
    assert result.problems == () and codes(fixture("github/reusable-outputs.yaml")) == []


def test_an_if_is_an_expression_without_braces_and_text_elsewhere_is_not():
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n"
        "  b:\n    needs: a\n    if: needs.a.outputs.go == 'yes'\n    runs-on: x\n"
        "    steps:\n      - run: echo needs.a.outputs.other\n"
    )
    runbook = adapt(text, NAME).runbook
    assert refs(step(runbook, "b").inputs) == {("a.go", 7, 9)}


def test_a_job_reading_how_its_needs_ended_requires_them():
    runbook = model("outcomes.yaml")
    assert data_edges(runbook) == {
        ("unit", "report"),  # if: always()
        ("e2e", "report"),
        ("unit", "notify"),  # needs.unit.result
        ("unit", "summary"),  # toJSON(needs)
        ("e2e", "summary"),
    }
    assert [n.reason for n in step(runbook, "notify").needs] == [
        "it reads the result of `unit`",
        None,
    ]
    assert codes(fixture("github/outcomes.yaml")) == [("RL201", 18, 19)]


def test_a_need_whose_outputs_are_read_is_never_redundant():
    # GitHub gives a job the outputs of the jobs it lists, and only those.
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    outputs: {v: x}\n"
        "  b:\n    needs: a\n    runs-on: x\n    steps: [{run: make}]\n"
        "  c:\n    needs: [a, b]\n    runs-on: x\n    steps:\n"
        "      - run: echo ${{ needs.a.outputs.v }}\n"
        "  d:\n    needs: [a, b]\n    runs-on: x\n    steps: [{run: make}]\n"
    )
    # c's `a` (line 11) is implied through `b` but not redundant; d's is.
    assert codes(text) == [("RL201", 7, 12), ("RL201", 11, 16), ("RL201", 16, 16), ("RL203", 16, 13)]


def test_an_output_of_a_job_not_needed_is_rl102_not_a_race():
    # GitHub gives `b` no `needs.a`: the value is empty whatever order the jobs run in.
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    outputs: {v: x}\n"
        "  b:\n    runs-on: x\n    steps:\n      - run: echo ${{ needs.a.outputs.v }}\n"
    )
    found = check_text(text, "workflow.yaml").findings
    assert [(f.code, f.span.line, f.span.column) for f in found] == [("RL102", 9, 14)]
    assert found[0].message == (
        "`needs.a` in `b` refers to a job `b` does not list in `needs`:"
        " GitHub gives a job the results and outputs of the jobs it needs, and of no other"
    )
    assert found[0].suggestion == "add `a` to the `needs` of `b`"
    assert step(adapt(text, NAME).runbook, "b").inputs == ()  # no fact: nothing races


# -- actionlint's cases (rhysd/actionlint testdata, one fixture each) ----------------


def findings_of(name: str) -> list[tuple[str, int, int, str]]:
    found = check_text(fixture(f"github/{name}"), f"workflows/{name}").findings
    return [(f.code, f.span.line, f.span.column, f.message) for f in found]


def test_actionlint_contextual_needs_object():
    # examples/contextual_needs_object.yaml: four errors, and the two references that are fine.
    found = findings_of("contextual-needs.yaml")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("RL102", 17, 14),  # `prepare` reads its own needs.prepare
        ("RL104", 24, 14),  # `install` declares no output `foo`
        ("RL102", 26, 14),  # needs.some_job: no such job
        ("RL102", 31, 14),  # `other` does not need `build`
    ]
    assert found[1][3].startswith("`build` uses the fact `install.foo`, which no other step outputs")
    assert found[2][3] == "`needs.some_job` in `build` refers to no job of this workflow"
    runbook = adapt(fixture("github/contextual-needs.yaml"), NAME).runbook
    assert refs(step(runbook, "install").outputs) == {("install.installed", 5, 7)}
    assert refs(step(runbook, "prepare").outputs) == {("prepare.prepared", 12, 7)}


def test_actionlint_needs_of_a_job_needed_only_through_another():
    # err/issue151_child_of_child_job.yaml: `first` runs before `third` (through
    # `second`), but `third` does not list it, so `needs.first` is empty.
    found = findings_of("child-of-child.yaml")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("RL201", 11, 13),  # `second` uses nothing of `first`
        ("RL102", 23, 14),
    ]
    assert "`needs.first` in `third` refers to a job `third` does not list" in found[1][3]


def test_actionlint_job_ids_in_needs_ignore_case():
    # examples/invalid_ids_in_needs.yaml: `BAR` is `bar` (listed twice), `unknown` is no job.
    runbook = adapt(fixture("github/ids-in-needs.yaml"), NAME).runbook
    assert [(n.step, n.span.line, n.span.column) for n in step(runbook, "foo").needs] == [
        ("bar", 4, 13),
        ("bar", 4, 18),
    ]
    found = findings_of("ids-in-needs.yaml")
    assert [(code, line, column) for code, line, column, _ in found] == [
        ("RL201", 4, 13),  # `foo` uses nothing of `bar`
        ("RL203", 4, 18),  # BAR: `bar` again
        ("RL102", 9, 13),  # unknown
    ]
    assert found[1][3] == "`foo` needs `bar` redundantly: `bar` is listed twice"


def test_actionlint_job_ids_equal_but_for_case_are_duplicates():
    # examples/job_step_ids_duplicate.yaml: jobs `test` and `TEST`.
    found = check_text(fixture("github/ids-duplicate.yaml"), "workflows/ids-duplicate.yaml").findings
    assert [(f.code, f.span.line, f.span.column) for f in found] == [("RL101", 3, 3), ("RL101", 11, 3)]
    assert found[1].message == (
        "job id `TEST` is used more than once (`test` on line 3): GitHub reads job ids ignoring"
        " case, so `needs` and every other reference to it are ambiguous"
    )
    assert [(r.span.line, r.span.column) for r in found[1].related] == [(3, 3)]


def test_many_jobs_equal_but_for_case_name_a_few_others_each():
    # 64 spellings of one id: each finding names 5 others, not 63.
    keys = ["".join(c.upper() if n >> i & 1 else c for i, c in enumerate("abcdef")) for n in range(64)]
    text = "on: push\njobs:\n" + "".join(f"  {key}: {{runs-on: x}}\n" for key in keys)
    found = check_text(text, "workflow.yaml").findings
    assert [f.code for f in found] == ["RL101"] * 64
    assert found[0].message.startswith(
        "job id `abcdef` is used more than once (`Abcdef` on line 4, `aBcdef` on line 5,"
    )
    assert "and 58 more)" in found[0].message and len(found[0].related) == 5


def test_actionlint_cyclic_needs():
    # examples/cyclic_deps_needs.yaml: prepare -> build -> install -> prepare.
    found = findings_of("needs-cycle.yaml")
    assert found == [
        (
            "RL103",
            14,
            13,
            "the declared order has a cycle, so none of its steps can ever start:"
            " `prepare` → `install` → `build` → `prepare`",
        )
    ]


def test_actionlint_ok_reading_needs_of_listed_jobs():
    # ok/issue-151-child-of-child-job.yaml and ok/issue-66.yaml: nothing to report
    # but the gate that hands nothing over.
    assert [(code, line) for code, line, *_ in findings_of("child-of-child-ok.yaml")] == [("RL201", 11)]
    assert findings_of("notify-always.yaml") == []


def test_expression_references_ignore_the_case_of_job_names():
    text = (
        "on: push\njobs:\n  Build:\n    runs-on: x\n    outputs: {digest: x}\n"
        "  deploy:\n    needs: [BUILD]\n    runs-on: x\n    steps:\n"
        "      - run: echo ${{ needs.build.outputs.digest }}\n"
    )
    runbook = adapt(text, NAME).runbook
    assert refs(step(runbook, "deploy").inputs) == {("Build.digest", 10, 14)}
    assert order_edges(runbook) == {("Build", "deploy")}
    assert codes(text) == []


# -- artifacts ---------------------------------------------------------------------------


def test_artifacts_are_resources_matched_through_expressions_and_globs():
    runbook = model("artifacts.yaml")
    matrix = "artifact/cli-${{ matrix.os }}"  # spacing normalised
    assert refs(step(runbook, "build").writes) == {(matrix, 11, 17)}
    assert refs(step(runbook, "docs").writes) == {("artifact/artifact", 15, 15)}  # default name
    assert refs(step(runbook, "release").reads) == {(matrix, 22, 20)}  # pattern: cli-*
    assert refs(step(runbook, "smoke").reads) == {(matrix, 29, 17), ("artifact/cli-linux", 29, 17)}
    assert refs(step(runbook, "bundle").reads) == {("artifact", 34, 15)}  # every artifact
    assert data_edges(runbook) == {
        ("build", "release"),
        ("build", "smoke"),
        ("build", "bundle"),
        ("docs", "bundle"),
    }


def test_artifact_findings_on_the_command_line():
    path = FIXTURES / "github" / "artifacts.yaml"
    done = check_json(path)
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)["findings"]
    assert [(f["code"], f["line"], f["column"]) for f in found] == [
        ("RL201", 17, 20),  # release needs docs: it downloads the cli-* artifacts only
        ("RL402", 40, 17),  # early downloads `artifact` while docs may be uploading it
    ]


def test_a_clean_workflow_exits_zero_on_the_command_line(tmp_path):
    path = tmp_path / "ci.yml"
    path.write_text(
        "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: dist}\n"
        "  test:\n    needs: build\n    runs-on: x\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {name: dist}\n",
        encoding="utf-8",
    )
    done = check_json(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_merge_reads_what_its_pattern_matches_and_writes_its_name():
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: 'cov-${{ matrix.n }}'}\n"
        "      - uses: actions/upload-artifact@v4\n        with: {name: log}\n"
        "  m:\n    needs: a\n    runs-on: x\n    steps:\n"
        "      - uses: actions/upload-artifact/merge@v4\n        with: {pattern: 'cov-*'}\n"
    )
    runbook = adapt(text, NAME).runbook
    merge = step(runbook, "m")
    assert refs(merge.reads) == {("artifact/cov-${{ matrix.n }}", 15, 25)}
    assert refs(merge.writes) == {("artifact/merged-artifacts", 14, 15)}


def test_glob_characters_and_slashes_never_reach_resource_names():
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n"
        "        with: {name: \"r-${{ matrix.include[0] }}-${{ format('{0}/{1}', x, y) }}\"}\n"
    )
    (write,) = step(adapt(text, NAME).runbook, "a").writes
    assert write.name == "artifact/r-${{ matrix.include%5B0] }}-${{ format('{0}%2F{1}', x, y) }}"


def test_downloads_by_id_name_no_artifact():
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/download-artifact@v4\n        with: {artifact-ids: '12'}\n"
    )
    assert step(adapt(text, NAME).runbook, "a").reads == ()


# -- what the file cannot show -------------------------------------------------


def test_local_actions_reusable_workflows_and_caches_hand_over_along_the_order():
    runbook = model("hidden.yaml")
    assert data_edges(runbook) == {
        ("tools", "e2e"),  # the local action may download `tools`
        ("tools", "conformance"),  # so may the reusable workflow
        ("setup", "report"),  # `coverage` may come from setup's local action
        ("warm", "build"),  # the cache warm saves, same key text
    }
    e2e = step(runbook, "e2e")
    assert [(n.step, n.span.line, n.span.column, n.reason is None) for n in e2e.needs] == [
        ("tools", 14, 12, True),
        ("tools", 17, 15, False),  # where the local action is used
    ]
    assert codes(fixture("github/hidden.yaml")) == [("RL201", 39, 12)]  # lint: a plain gate


def test_hidden_hand_offs_add_no_order():
    # A local action next to an upload it does not wait for is no race.
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/upload-artifact@v4\n"
        "  b:\n    runs-on: x\n    steps:\n      - uses: ./local\n"
    )
    runbook = adapt(text, NAME).runbook
    assert data_edges(runbook) == set() and codes(text) == []


# -- faults ---------------------------------------------------------------------------


def test_an_unknown_need_is_rl102_with_a_hint():
    text = "on: push\njobs:\n  build:\n    runs-on: x\n  test:\n    needs: [biuld]\n    runs-on: x\n"
    found = check_text(text, "workflow.yaml").findings
    assert [(f.code, f.span.line, f.span.column) for f in found] == [("RL102", 6, 13)]
    assert found[0].suggestion == "did you mean `build`?"


def test_a_needs_cycle_is_rl103():
    text = "on: push\njobs:\n  a:\n    needs: b\n    runs-on: x\n  b:\n    needs: a\n    runs-on: x\n"
    assert [code for code, _, _ in codes(text)] == ["RL103"]


def test_jobs_of_the_wrong_type_in_a_workflow_stream_is_rl002():
    text = "on: push\njobs: {a: {runs-on: x}}\n---\non: push\njobs: [a, b]\n"
    assert codes(text) == [("RL002", 5, 7)]


@pytest.mark.parametrize(
    "jobs",
    [
        "{a: {runs-on: x, needs: [[b], {c: 1}, 7, null]}, b: 3}",
        "{a: {runs-on: x, steps: {uses: actions/upload-artifact@v4}}}",
        "{a: {runs-on: x, steps: [7, null, {uses: 5}, {uses: ''}, {uses: actions/cache@v4}]}}",
        "{a: {runs-on: x, steps: [{uses: actions/download-artifact@v4, with: [name]}]}}",
        "{a: {runs-on: x, outputs: [v], if: '${{ needs.b.outputs.v }}'}, b: {runs-on: x, outputs: 3}}",
        "{a: {runs-on: x, env: {V: '${{ needs.a.outputs.v }} ${{ needs. }} ${{ needs[ }}'}}}",
        "{a: {runs-on: x, uses: 5, name: [x]}, b: {needs: a, steps: []}}",
    ],
)
def test_malformed_jobs_never_crash(jobs):
    result = check_text(f"on: push\njobs: {jobs}\n", "workflow.yaml")
    assert result.runbook is not None and result.runbook.format == NAME


_WORDS = [
    "a",
    "b",
    "needs",
    "actions/upload-artifact@v4",
    "actions/download-artifact@v4",
    "actions/cache/save@v4",
    "./x",
    "${{ needs.a.outputs.v }}",
    "${{ needs.*.result }}",
    "always()",
    "cli-*",
    "${{ matrix.x }}",
]
_KEYS = ["needs", "steps", "uses", "with", "name", "pattern", "key", "outputs", "if", "runs-on"]
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(_WORDS),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), _VALUES, min_size=1, max_size=3))
def test_any_jobs_are_read_without_crashing(jobs):
    jobs = {**jobs, "z": {"runs-on": "x"}}
    result = check_text(json.dumps({"on": "push", "jobs": jobs}), "workflow.json")
    assert result.runbook is not None and not any(f.code == "RL002" for f in result.findings)


# -- issue 14's review of the github-actions corpus: hand-overs and guards -----------
# Each fixture is the smallest form of one reviewed RL201 that was false (see
# docs/real-world-review.md); each test also keeps the gate when the hand-over goes.


def reasons(runbook, job: str) -> dict[str, str]:
    """The needs of a job that have a reason (edges of D), by the job needed."""
    return {need.step: need.reason for need in step(runbook, job).needs if need.reason}


def rl201(text: str) -> list[tuple[int, str]]:
    found = check_text(text, "workflow.yaml").findings
    return [(f.span.line, f.message.split(";")[0]) for f in found if f.code == "RL201"]


def test_a_manifest_of_images_that_scripts_push_requires_the_builds():
    # argo-workflows release.yaml:166, push-images needs [build-linux, build-windows].
    text = fixture("github/manifest-from-script-pushes.yaml")
    assert codes(text) == []  # nor RL401 between the builds: each script names its own image
    runbook = model("manifest-from-script-pushes.yaml")
    assert [ref.name for ref in step(runbook, "build-linux").writes] == ["image/build-linux/quay.io/$image_name"]
    assert [ref.name for ref in step(runbook, "build-windows").writes] == ["image/build-windows/quay.io/$image_name"]
    assert step(runbook, "push-images").inputs == ()  # a computed name is no fact
    assert reasons(runbook, "push-images") == {
        "build-linux": "it uses `quay.io/${image_name}-linux-amd64`, which `build-linux` may make as `quay.io/$image_name`",
        "build-windows": "it uses `quay.io/${image_name}-linux-amd64`, which `build-windows` may make as `quay.io/$image_name`",
    }
    assert {("build-linux", "push-images"), ("build-windows", "push-images")} <= data_edges(runbook)
    # A build that does not push hands nothing over.
    local = text.replace('--output "type=image,push=true"', '--output "type=docker"')
    assert rl201(local) == [(22, "`push-images` waits for `build-linux` but uses nothing from it")]


def test_pulling_the_pushed_manifest_requires_the_push():
    # argo-workflows release.yaml:227 and :268, test-images-* need [push-images].
    text = fixture("github/pull-test-after-manifest.yaml")
    assert codes(text) == []
    runbook = model("pull-test-after-manifest.yaml")
    assert ("push-images", "test-images-linux-amd64") in data_edges(runbook)
    assert reasons(runbook, "test-images-windows") == {
        "push-images": "it uses `quay.io/${docker_org}/${target}:${tag}`,"
        " which `push-images` may make as `quay.io/$image_name`"
    }
    # Another registry: the pull cannot be what was pushed.
    elsewhere = text.replace("docker pull quay.io/$image_name", "docker pull ghcr.io/acme/app:1")
    assert rl201(elsewhere) == [(12, "`test-images-linux-amd64` waits for `push-images` but uses nothing from it")]


def test_a_computed_name_matches_only_on_text_of_its_own():
    # `$IMAGE` may be anything: it says nothing about `postgres:15`, and the
    # pull before the push takes nothing from it (no race, no RL302).
    text = (
        "on: push\njobs:\n"
        "  push:\n    runs-on: x\n    steps:\n      - run: docker push $IMAGE\n"
        "  db:\n    runs-on: x\n    needs: push\n    steps:\n      - run: docker pull postgres:15\n"
        "  early:\n    runs-on: x\n    steps:\n      - run: docker pull quay.io/$image\n"
        "  late:\n    runs-on: x\n    needs: early\n    steps:\n      - run: docker push quay.io/$image\n"
    )
    assert rl201(text) == [
        (9, "`db` waits for `push` but uses nothing from it"),
        (18, "`late` waits for `early` but uses nothing from it"),
    ]
    assert [code for code, _, _ in codes(text)] == ["RL201", "RL201"]


def test_pull_tests_guard_a_release_of_the_pushed_tag():
    # argo-workflows release.yaml:387, publish-release needs test-images-*:
    # a release action without tag_name creates the release of the pushed tag.
    text = fixture("github/release-after-pull-tests.yaml")
    assert codes(text) == []
    runbook = model("release-after-pull-tests.yaml")
    assert step(runbook, "test-images").guard
    assert [ref.name for ref in step(runbook, "publish-release").writes] == ["release/${{github.ref_name}}"]
    assert ("test-images", "publish-release") in data_edges(runbook)
    # Without the release step, a job named for publishing is still guarded by the tests before it.
    unpublished = text.replace("      - uses: softprops/action-gh-release@v2\n        with:\n"
                               "          files: dist/argo-*.gz\n", "")
    assert rl201(unpublished) == []
    # Named for nothing it ships, it changes nothing that a check must come before.
    quiet = unpublished.replace("publish-release", "collect-notes")
    assert rl201(quiet) == [(19, "`collect-notes` waits for `test-images` but uses nothing from it")]


def test_a_release_requires_the_images_of_its_version():
    # kyverno release.yaml:269, create-release needs release-images (a local
    # action publishing images to the registry it is given).
    text = fixture("github/release-after-image-action.yaml")
    assert codes(text) == []
    runbook = model("release-after-image-action.yaml")
    assert [ref.name for ref in step(runbook, "release-images").writes] == [
        "image/release-images/ghcr.io/${{github.repository_owner}}/$image"
    ]
    assert reasons(runbook, "create-release") == {
        "release-images": "it creates the release `${{github.ref_name}}` after `release-images` pushes"
        " `ghcr.io/${{github.repository_owner}}/$image`: a release names the images of its version"
    }
    # A goreleaser run that publishes nothing is no release; a setup action publishes no image.
    snapshot = text.replace("args: release --clean", "args: release --snapshot --clean")
    assert rl201(snapshot) == [(18, "`create-release` waits for `release-images` but uses nothing from it")]
    setup_only = text.replace("./.github/actions/image/publish", "./.github/actions/go/install")
    assert rl201(setup_only) == [(18, "`create-release` waits for `release-images` but uses nothing from it")]


def test_uploading_to_the_release_goreleaser_creates_takes_it():
    # kyverno release.yaml:311: `tag: ${{ github.ref }}` is goreleaser's tag.
    text = fixture("github/upload-to-goreleaser-release.yaml")
    assert codes(text) == []
    runbook = model("upload-to-goreleaser-release.yaml")
    assert refs(step(runbook, "push-and-sign-install-manifest").inputs) == {("release/${{github.ref_name}}", 20, 16)}
    assert refs(step(runbook, "create-release").outputs) == {("release/${{github.ref_name}}", 11, 17)}
    assert ("create-release", "push-and-sign-install-manifest") in data_edges(runbook)
    other_tag = text.replace("tag: ${{ github.ref }}", "tag: nightly")
    assert rl201(other_tag) == [
        (14, "`push-and-sign-install-manifest` waits for `create-release` but uses nothing from it")
    ]


def test_krew_release_bot_reads_the_release_of_the_pushed_tag():
    # kyverno release.yaml:385, release-cli-via-krew needs create-release.
    text = fixture("github/krew-after-release.yaml")
    assert codes(text) == []
    runbook = model("krew-after-release.yaml")
    assert ("create-release", "release-cli-via-krew") in data_edges(runbook)
    built_only = text.replace("goreleaser release --clean", "goreleaser build --clean")
    assert rl201(built_only) == [(12, "`release-cli-via-krew` waits for `create-release` but uses nothing from it")]


def test_chart_tests_guard_the_chart_push():
    # kyverno helm-release.yaml:77, create-release needs helm-tests; the
    # script's `$(... | awk ...)` and quoted options are read as one command.
    text = fixture("github/chart-release-after-chart-tests.yaml")
    assert codes(text) == []
    runbook = model("chart-release-after-chart-tests.yaml")
    assert step(runbook, "helm-tests").guard
    assert [ref.name for ref in step(runbook, "create-release").writes] == [
        "image/ghcr.io/${{github.repository_owner}}/charts"
    ]
    assert ("helm-tests", "create-release") in data_edges(runbook)
    packaged_only = text.replace("helm push", "echo helm push")
    assert rl201(packaged_only) == []  # a job named for a release: the chart tests guard it all the same
    renamed = packaged_only.replace("create-release", "package-chart")
    assert rl201(renamed) == [(12, "`package-chart` waits for `helm-tests` but uses nothing from it")]


@pytest.mark.parametrize(
    "command",
    [
        "go test ./...", "make -C src test-unit", "npm run test", "python -m pytest -q", "helm lint charts/x",
        "snyk test --all-projects", "trivy image --exit-code 1 --severity HIGH ghcr.io/acme/app:1",
    ],
)
def test_a_job_running_tests_is_a_guard_whatever_its_name(command):
    text = (
        "on: push\njobs:\n"
        f"  build:\n    runs-on: x\n    steps:\n      - run: |\n          set -e\n          {command}\n"
        "  ship:\n    runs-on: x\n    needs: build\n    steps:\n      - run: docker push ghcr.io/acme/app:1\n"
    )
    assert codes(text) == []
    assert step(adapt(text, NAME).runbook, "build").guard
    built = text.replace(command, "make release-notes")
    assert rl201(built) == [(11, "`ship` waits for `build` but uses nothing from it")]


def test_hostile_scripts_are_read_in_one_pass(tmp_path):
    n = 100_000
    scripts = ["$(" * (n // 2), "${" * (n // 2), '"' + "$" * n, "docker push " + "q/$x" * (n // 4), "`" * n]
    jobs = "".join(
        f"  j{number}:\n    runs-on: x\n    steps:\n      - run: {json.dumps(script)}\n"
        for number, script in enumerate(scripts)
    )
    many = "".join(
        f"  p{number}:\n    runs-on: x\n    needs: [j3]\n    steps:\n      - run: docker pull q/$x{number}$y\n"
        for number in range(200)
    )
    path = tmp_path / "hostile.yaml"
    path.write_text(f"on: push\njobs:\n{jobs}{many}", encoding="utf-8")
    result = check_json(path)  # within its generous timeout (60 s): one pass over each script, matching bounded
    assert result.returncode in (0, 1), result.stderr


_SCRIPT_PARTS = [
    "docker push ", "docker pull ", "docker manifest create ", "docker buildx build --push -t ",
    "gh release create ", "gh release upload ", "cosign sign ", "helm push x oci://", "goreleaser release",
    "go test ./...", "q.io/a", "$x", "${y}", "$(", ")", "${{ github.ref }}", "${{", "}}", "`", '"', "'",
    "\\", "\\\n", "\n", ";", "|", "&", " ", "#", "-t", "--output=type=registry",
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_SCRIPT_PARTS), max_size=30), st.lists(st.sampled_from(_SCRIPT_PARTS), max_size=30))
@example(first=[], second=['"', "\\"])  # a backslash ending a script inside quotes
def test_any_scripts_are_read_without_crashing(first, second):
    jobs = {
        "a": {"runs-on": "x", "steps": [{"run": "".join(first)}]},
        "b": {"runs-on": "x", "needs": "a", "steps": [{"run": "".join(second)}]},
    }
    result = check_text(json.dumps({"on": "push", "jobs": jobs}), "workflow.json")
    assert result.runbook is not None and [s.id for s in result.runbook.steps] == ["a", "b"]
    assert not any(f.code.startswith("RL0") for f in result.findings)


def test_running_the_pushed_image_takes_it():
    text = (
        "on: push\njobs:\n"
        "  image:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n"
        "        with: {push: true, tags: 'ghcr.io/acme/app:${{ github.sha }}'}\n"
        "  e2e:\n    runs-on: x\n    needs: image\n    steps:\n"
        "      - run: docker run --rm -e MODE=e2e -v $PWD:/w ghcr.io/acme/app:${{github.sha}} e2e\n"
    )
    runbook = adapt(text, NAME).runbook
    assert [ref.name for ref in step(runbook, "e2e").inputs] == ["image/ghcr.io/acme/app:${{github.sha}}"]
    assert codes(text) == []
    other = text.replace("docker run --rm -e MODE=e2e -v $PWD:/w ghcr.io", "docker run --rm -e MODE=e2e alpine ghcr.io")
    assert rl201(other) == [(10, "`e2e` waits for `image` but uses nothing from it")]


def test_a_trivy_action_guards_only_when_its_findings_fail_the_job():
    text = (
        "on: push\njobs:\n"
        "  build:\n    runs-on: x\n    steps:\n      - uses: aquasecurity/trivy-action@v0.36.0\n"
        "        with: {scan-type: fs, exit-code: '1'}\n"
        "  ship:\n    runs-on: x\n    needs: build\n    steps:\n      - run: docker push ghcr.io/acme/app:1\n"
    )
    assert step(adapt(text, NAME).runbook, "build").guard and codes(text) == []
    # Its default exit code (0) reports and fails nothing: the wait is questioned.
    reporting = text.replace(", exit-code: '1'", "")
    assert rl201(reporting) == [(10, "`ship` waits for `build` but uses nothing from it")]


# -- from a hand review of workflows outside the corpus (prometheus, argo-cd) -------------------


def test_a_job_there_to_fill_a_cache_hands_it_to_the_jobs_restoring_it():
    # argo-cd ci-build.yaml: "Build & cache Go code", then the test jobs restore the same key.
    text = (
        "on: push\njobs:\n"
        "  build-go:\n    name: Build & cache Go code\n    runs-on: x\n    steps:\n"
        "      - uses: actions/cache@v4\n        with:\n          key: go-${{ hashFiles('go.sum') }}\n"
        "      - run: go build ./...\n"
        "  vet-go:\n    runs-on: x\n    needs: build-go\n    steps:\n"
        "      - uses: actions/cache@v4\n        with:\n          key: go-${{ hashFiles('go.sum') }}\n"
        "      - run: go vet ./...\n"
    )
    assert codes(text) == []
    assert rl201(text.replace("Build & cache Go code", "Build Go code")) == [
        (13, "`vet-go` waits for `build-go` but uses nothing from it")
    ]


def test_a_pair_of_save_and_restore_actions_hands_files_over():
    # prometheus ci.yml: promci-artifacts/save in test_ui, /restore in build.
    text = (
        "on: push\njobs:\n"
        "  ui:\n    runs-on: x\n    steps:\n      - uses: acme/ci-artifacts/save@v1\n        with: {directory: web}\n"
        "  build:\n    runs-on: x\n    needs: ui\n    steps:\n      - uses: acme/ci-artifacts/restore@v1\n"
    )
    assert codes(text) == []
    # An action of another name hands nothing over: the wait is questioned.
    assert rl201(text.replace("/save@", "/stash@")) == [(10, "`build` waits for `ui` but uses nothing from it")]


def test_a_job_allowed_to_write_the_repository_is_guarded_by_the_checks_before_it():
    text = (
        "on: push\njobs:\n"
        "  test:\n    runs-on: x\n    steps:\n      - run: go test ./...\n"
        "  tag:\n    runs-on: x\n    needs: test\n    permissions: {contents: write}\n    steps:\n      - run: ./tag.sh\n"
    )
    assert rl201(text) == []
    assert rl201(text.replace("    permissions: {contents: write}\n", "")) == [
        (9, "`tag` waits for `test` but uses nothing from it")
    ]


# -- the review of workflows outside the corpus, second round ------------------------


PROMCI = """\
on: push
jobs:
  test_go:
    runs-on: ubuntu-latest
    steps:
      - run: go test ./...
  codeql:
    uses: ./.github/workflows/codeql-analysis.yml
  build_all:
    runs-on: ubuntu-latest
    steps:
      - uses: prometheus/promci/build@v0.9.0
  publish_main:
    runs-on: ubuntu-latest
    needs: [test_go, codeql, build_all]
    steps:
      - uses: prometheus/promci/publish_main@v0.9.0
"""


def test_a_codeql_job_checks_what_ships_and_a_toolkit_s_build_hands_over_to_its_publish():
    # prometheus ci.yml: publish_main restores what promci/build saved, and ships only what CodeQL passed.
    assert rl201(PROMCI) == []
    reasons_of = reasons(check_text(PROMCI, "workflow.yaml").runbook, "publish_main")
    assert reasons_of["codeql"] == "`publish_main` publishes outside the run, and `codeql` checks what it ships"
    assert reasons_of["build_all"] == "`publish_main` publishes outside the run what `build_all` built"
    # Actions of two repositories, and no steps written elsewhere: no hand-over the file would not show.
    other = PROMCI.replace("prometheus/promci/build", "acme/builder/build").replace(
        "./.github/workflows/codeql-analysis.yml", "./.github/workflows/lint.yml"
    )
    assert rl201(other) == [(15, "`publish_main` waits for `build_all` but uses nothing from it")]


def test_a_deploy_after_a_build_in_a_reusable_workflow_requires_it():
    # argo-cd image.yaml: Deploy runs the image that build-and-publish pushes inside image-reuse.yaml.
    text = """\
on: push
jobs:
  set-vars:
    runs-on: ubuntu-latest
    outputs:
      tag: ${{ steps.tag.outputs.tag }}
    steps:
      - id: tag
        run: echo tag=v1 >> "$GITHUB_OUTPUT"
  build-and-publish:
    needs: [set-vars]
    uses: ./.github/workflows/image-reuse.yaml
    with:
      tag: ${{ needs.set-vars.outputs.tag }}
  Deploy:
    runs-on: ubuntu-latest
    needs: [set-vars, build-and-publish]
    steps:
      - run: ./hack/trigger-deploy.sh ${{ needs.set-vars.outputs.tag }}
"""
    assert rl201(text) == []
    assert reasons(check_text(text, "workflow.yaml").runbook, "Deploy")["build-and-publish"] == (
        "`Deploy` publishes outside the run what `build-and-publish` built"
    )
