"""GitHub Actions workflows (`.github/workflows/*.yml`).

A document is a workflow when it is a mapping with an `on` key (YAML 1.2: a
plain string key) and a `jobs` mapping in which at least one job is a mapping
with `runs-on`, `uses` or `steps`.  Action metadata files (`runs: {using: ...}`)
have no `jobs` and are not read.  The runbook id is the workflow's `name`,
slugged (the file's stem when it has none), and its title is `name`.

- Steps: the jobs, in file order.  A step's id is the job's key (where findings
  point), its extent the job's mapping, its title the job's `name`.  The
  steps a job lists are not steps of the model: one runner runs them in order.
  `timeout-minutes` is a bound, not an estimate: every job's duration is
  unknown (unless the configuration states a `default_duration`).
- Job ids ignore case, as GitHub reads them: `needs: [BAR]` and
  `needs.BAR` name the job `bar`; two jobs whose ids differ only in case
  (`test` and `TEST`) are RL101 at both.
- Declared order O: `needs: a` or `needs: [a, b]`, as needs of the waiting job
  (a job waits for every job it needs).  O has no loops: a cycle is RL103, a
  name that is no job is RL102, a job listed twice (in any case) RL203.
- Facts: `needs.J.outputs.X` (also `needs.J.outputs['X']`, with any spacing)
  in any expression of a job (its `if`, which is an expression even without
  `${{ }}`, or any `${{ }}` of `env`, `with`, `run`, `strategy`, `outputs`...)
  is the input fact `J.X`, an output of J when J declares `X` in its
  `outputs` (names ignore case; pointed there) or calls a reusable workflow
  (whose outputs another file declares; pointed at J's key).  An output J
  does not declare is empty: RL104 reports the fact nobody outputs.  Only
  outputs some job uses are facts.  Workflow inputs, secrets, variables and
  steps' own outputs are no facts.
- RL102: `needs.J` (any property of it) where J is no job of the workflow, or
  a job this one does not list in `needs`: GitHub gives a job the `needs`
  context of the jobs it lists, and of no other (not those it runs after
  through another job), so the value is empty whatever order the jobs run
  in.  Such a reference is no fact: it is a name that refers to nothing in
  that context, not a race (RL301) nor a use before the producer (RL302).
- Resources, artifacts only (they are what jobs hand each other through
  files): a step `uses: actions/upload-artifact` writes `artifact/<name>`
  (`with.name`, default `artifact`); `actions/download-artifact` reads
  `artifact/<name>`; without `name` nor `pattern` it downloads every artifact
  of the run and reads `artifact`, which overlaps them all.  A name with
  `${{ }}` expressions is kept as written, spacing inside `${{ }}` normalised
  (`*`, `?`, `[` and `/`, which resource names cannot hold, are written
  `%2A`, `%3F`, `%5B`, `%2F`).  Since such a name is only known when the
  workflow runs, a download whose name or `pattern` glob can match an upload's
  name, reading each expression as any text, also reads that upload's name:
  `name: k6-reports-simple` reads what `name: k6-reports-${{ matrix.s }}`
  writes, and `pattern: argo-*` what `name: argo-${{ matrix.os }}` writes.  A
  `pattern` that matches no upload of the workflow reads nothing.
  `actions/upload-artifact/merge` reads what its `pattern` (default `*`)
  matches and writes `artifact/<name>` (default `merged-artifacts`).
  Downloads by `artifact-ids` read no name (the ids come through outputs,
  which are facts).  Two uploads are never matched by their expressions: only
  equal names conflict.
- Needs that are intended (the entry gets a reason: an edge of D, and RL203
  leaves it alone): GitHub gives a job the outputs and results of the jobs
  it lists in `needs`, and of no other, so a job whose expressions read
  `needs.J.outputs.X`, `needs.J.result` or anything else of `needs.J` needs
  J; one reading `needs.*...` or `toJSON(needs)`, or whose job-level `if`
  calls `always()`, `failure()` or `cancelled()` (which report on the jobs
  it needs), needs every job it lists: it runs because of how they ended.
  An implicit or explicit `success()` is the plain success gate.
- Hand-overs the file cannot show (needs with a reason, D only, and only
  along the declared order: they explain a wait, they never ask for one):
  - a local action (`uses: ./path`) or a reusable workflow (a job's `uses`)
    runs steps written in another file, which may download artifacts: such
    a job requires each job before it that uploads one; and a job that
    downloads an artifact no upload of its workflow can have written (or
    downloads them all) requires each job before it that runs a local
    action or a reusable workflow.
  - a cache hand-off: a job restoring (`actions/cache` or
    `actions/cache/restore`) a `key` that a job before it saves with an
    explicit `actions/cache/save` step (same key text, spacing in `${{ }}`
    aside) requires it.  Other cache uses order nothing: a miss costs time,
    never correctness, and jobs may share a cache at once; `actions/cache`
    in both jobs is the usual per-job setup, not a hand-off, unless the
    first job is named for the cache ("Build & cache Go code"): then it is
    there to fill it, and its keys are saved for the jobs after it.
  - a pair of actions saving and restoring files (`org/artifacts/save`,
    `org/artifacts/restore`) hands them over as an artifact does.
- Checks and hand-overs outside the run:
  - a job named for publishing, releasing, deploying, pushing or promoting,
    or allowed to write the repository, its packages or deployments or to
    sign with an OIDC token (`permissions`), changes what the file may not
    name: every check before it in the declared order guards it, whatever
    its steps show; and it requires each job before it named for building
    (`build`, `compile`, `package`, `bundle`) when either runs steps written
    elsewhere (a reusable workflow, a local action) or both call actions of
    one repository (`org/ci/build`, `org/ci/publish`): it ships what they
    made, handed over by steps the file does not show.
  - a job named for a check (`test`, `lint`, `scan`, `verify`..., and
    `codeql`: code scanning's alerts gate what ships) or running
    one (`go test`, `make test`/`lint`/`check`, `pytest`, `ct lint`, a CodeQL analysis,
    `golangci-lint`, an action named for a check, a scanner failing the job
    on what it finds: `snyk test`, `trivy --exit-code 1`, `trivy-action` with
    an `exit-code`...) is a guard; one named
    for the service's health (`smoke`, `health`, `canary`...) observes
    everything.
  - a job pushing an image (`docker push`, `docker manifest push`, a
    `docker build` or `buildx build` with `--push` or a pushing `--output`,
    `buildx imagetools create -t`, `docker/build-push-action` with `push`,
    `helm push`, `flux push artifact`, `oras push`, the target of `crane` or
    `skopeo copy`, `ko build`, an image-publishing action given a
    `registry`) or creating a release (`gh release create`, a release
    action, `goreleaser release`; without a tag, the one pushed) changes
    `image/<ref>` or `release/<tag>` and outputs that fact to the jobs of its
    workflow pulling the same reference (`docker pull`, `docker run`,
    `manifest create`'s sources, `cosign sign`, a `container` or a service's
    `image`) or using
    the same release (`gh release upload|download|view|edit`,
    `svenstaro/upload-release-action`, `krew-release-bot`).  `github.ref`,
    `refs/tags/...` and `$GITHUB_REF_NAME` name one tag.
  - a reference a script computes (`$name`, `${...}`, `$(...)`) is known to
    its job only: written under it (`image/<job>/<ref>`), it is no fact; a
    job taking a reference that may be the same (each expansion and
    expression any text, some letter or digit of each side its own) requires
    the maker when the declared order puts it before, and a job creating a
    release requires the jobs before it that push images (a release names
    the images of its version): needs with a reason, never a new wait.
- Left out: alternatives (an `if` skips a job; nothing chooses between
  jobs), stages, roles, approvals (`environment` protection rules live
  outside the file), `concurrency` groups (they serialise runs, they do not
  order jobs), and what `run` scripts and other actions do outside the run
  but push and pull images and make and use releases as above (deployments,
  `gh run download`...).  A `needs`
  whose job hands nothing over that the file shows is what RL201 reports: a
  success gate that costs time.  When it guards such an outside hand-over,
  say so with `# recoverylint: disable=RL201 -- <why>` on its line.

Files with several workflows (`---`) qualify job ids as `<workflow>/<job>`
(`<workflow>`: its slugged `name`, or `<file stem>-<place>`), and artifacts
as `artifact/<workflow>/<name>`: each workflow is a run of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from ..finding import Issue, Related
from ..graphs import ancestor_bitsets, topological_order
from ..limits import TooLarge
from ..model import EdgeKind, Ref, Span
from ..source import Document
from ..words import closest, listed
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import is_check, observes_service, words
from ._builder import (
    Descendants,
    RunbookBuilder,
    StepDraft,
    delimited,
    forward_predecessors,
    mapping_at,
    strings_in,
    text,
)
from ._step_ids import slug

NAME = "github-actions"
_JOB_KEYS = ("runs-on", "uses", "steps")
_DEFAULT_UPLOAD = "artifact"
_DEFAULT_MERGE = "merged-artifacts"
_ARTIFACTS = "artifact"
# Jobs named in one finding about ids equal but for case.
_SHOWN = 5

# `${{ ... }}` (found by `delimited`: a regex is quadratic on unclosed ones).
_EXPRESSION = (("${{", "}}"),)
# `needs` as a name of the expression language (not `x.needs`, not `needs-x`).
_NEEDS = re.compile(r"(?<![\w.-])needs(?![\w-])")
_PROPERTY = re.compile(
    r"""\s*(?:\.\s*(?P<name>[A-Za-z_][\w-]*|\*)|\[\s*(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)")\s*\])"""
)
# Job-level status functions report on the jobs a job needs.
_STATUS_CALL = re.compile(r"(?<![\w.-])(always|failure|cancelled)\s*\(\s*\)", re.IGNORECASE)
_ACTION = re.compile(r"\s*([^@\s]+)")
# Actions making or using a release: (it makes it, the input naming its tag
# or None); without the input, the tag pushed (`github.ref`).
_RELEASE_ACTIONS: dict[str, tuple[bool, str | None]] = {
    "softprops/action-gh-release": (True, "tag_name"),
    "actions/create-release": (True, "tag_name"),
    "ncipollo/release-action": (True, "tag"),
    "svenstaro/upload-release-action": (False, "tag"),
    "rajatjindal/krew-release-bot": (False, None),  # reads the assets of the pushed tag's release
}
_CURRENT_TAG = "${{github.ref_name}}"
# Spellings of the pushed tag, in expressions and in scripts.
_CURRENT_REF = re.compile(
    r"(?:refs/tags/)?\$\{\{github\.ref(?:_name)?\}\}|\$\{?GITHUB_REF(?:_NAME)?\}?"
    r"|\$\{GITHUB_REF#{1,2}[^}]*\}",
)
_SHELL_EXPANSION = re.compile(r"\$[A-Za-z_{(]|`")
_SHELL_NAME = re.compile(r"\$(?:[A-Za-z_]\w*|[0-9@*#?$!-])?")
_PUBLISH_WORDS = frozenset({"publish", "push"})
# A job so named ships something outside the run: the checks before it guard it.
_SHIPPING_WORDS = frozenset({"publish", "release", "deploy", "deployment", "push", "promote", "ship"})
_SHIPPING_SCOPES = ("contents", "packages", "deployments", "id-token")
# A job so named makes what a shipping job after it ships.
_BUILD_WORDS = frozenset({"build", "builds", "compile", "package", "packages", "bundle"})
# A job so named runs a code analysis whose findings gate what ships (code scanning).
_ANALYSIS_WORDS = frozenset({"codeql"})
_IMAGE_WORDS = frozenset({"image", "images", "container", "containers", "docker", "oci", "ko"})
_TAG_OPTIONS = ("-t", "--tag")
_VALUED_OPTIONS = (*_TAG_OPTIONS, "-f", "--file", "--annotation", "--platform", "--src-creds", "--dest-creds")
# `docker run` options taking a value (the image is the first other argument).
_RUN_OPTIONS = (
    "-e", "--env", "--env-file", "-v", "--volume", "--mount", "-p", "--publish", "--name", "-w", "--workdir",
    "--network", "--entrypoint", "-u", "--user", "--platform", "-l", "--label", "-h", "--hostname",
    "--add-host", "--cpus", "-m", "--memory", "--shm-size", "--ulimit", "--pull", "--gpus",
)
# Commands that run tests or checkers: the job fails when they find a fault.
_CHECK_COMMAND = re.compile(
    r"(?:go|cargo|dotnet|mix|swift|deno|bun)\s+test\b"
    r"|(?:npm|yarn|pnpm)\s+(?:run\s+)?test\b"
    r"|make\s+(?:\S+\s+)*?(?:test|tests|check|lint|verify)(?:[-_:]\S*)?(?:\s|$)"
    r"|(?:pytest|tox|nox|golangci-lint|shellcheck|hadolint|yamllint|actionlint)\b"
    r"|python[0-9.]*\s+-m\s+(?:pytest|unittest)\b"
    r"|(?:ct|helm)\s+lint\b"
    r"|(?:mvn|gradle|\./gradlew|\./mvnw)\s+(?:\S+\s+)*?(?:test|verify|check)\b"
    # Scanners that fail the job on what they find.
    r"|snyk\s+(?:\S+\s+)?test\b|trivy\s.*--exit-code[= ]+[1-9]|grype\s.*--fail-on\b",
    re.IGNORECASE,
)
_NOT_IN_NAMES = str.maketrans({"*": "%2A", "?": "%3F", "[": "%5B", "/": "%2F"})
_NOT_IN_REFS = str.maketrans({"*": "%2A", "?": "%3F", "[": "%5B"})
# Matching names with expressions costs the product of their lengths, for
# each pair of an upload and a download: bounded so that a hostile file
# cannot make it quadratic twice over (past the budget, only equal names match).
_MATCH_BUDGET = 2_000_000


def detect(document: Document) -> bool:
    return any(_is_workflow(doc.data) for doc in documents(document))


def _is_workflow(data: Any) -> bool:
    if not isinstance(data, dict) or "on" not in data:
        return False
    jobs = data.get("jobs")
    return isinstance(jobs, dict) and any(
        isinstance(job, dict) and any(key in job for key in _JOB_KEYS) for job in jobs.values()
    )


def _claims(data: Any) -> bool:
    """The document says it is a workflow (its `jobs` may still be broken)."""
    return isinstance(data, dict) and "on" in data and "jobs" in data


@dataclass
class _Download:
    """What a step downloads: one artifact by name, those a glob matches (a
    `pattern`), or every artifact of the run (neither); where it is written."""

    span: Span
    name: str | None = None
    pattern: str | None = None
    # Some upload of its workflow may write what it takes.
    explained: bool = False


@dataclass
class _Job:
    id: str
    body: Any
    draft: StepDraft
    document: Document
    workflow: int  # which workflow of the file
    qualify: str  # prefix of the ids of this workflow's jobs
    # The workflow's job keys by lower-case name (GitHub reads job ids ignoring
    # case): the first job of each name, as written.
    names: dict[str, str] = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)  # ids of the jobs it needs
    uploads: list[tuple[str, Span]] = field(default_factory=list)  # artifact names
    downloads: list[_Download] = field(default_factory=list)
    opaque: tuple[str, Span] | None = None  # a local action or reusable workflow
    # The repositories (`owner/repo`) of the outside actions it calls, but GitHub's own.
    toolkits: set[str] = field(default_factory=set)
    saves: set[str] = field(default_factory=set)  # cache keys saved explicitly
    restores: list[tuple[str, Span]] = field(default_factory=list)
    facts_used: set[str] = field(default_factory=set)  # names of its inputs
    facts_given: set[str] = field(default_factory=set)  # names of its outputs
    declared: dict[str, Span] | None = None  # its `outputs` by lowercase name, once read


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    workflows = [doc for doc in documents(document) if _claims(doc.data)]
    for doc in workflows:
        if not isinstance(doc.data["jobs"], dict):
            span = doc.value_span(doc.data, "jobs")
            raise AdapterError(Issue(span, "`jobs` must be a mapping of job ids to jobs"))
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key="needs")
    stem = PurePath(path).stem
    prefixes = _prefixes(workflows, stem) if len(workflows) > 1 else [""]
    jobs: list[_Job] = []
    for number, (doc, prefix) in enumerate(zip(workflows, prefixes, strict=False)):
        jobs_map = doc.data["jobs"]
        names: dict[str, str] = {}
        for key, body in jobs_map.items():
            title = body.get("name") if isinstance(body, dict) else None
            draft = builder.step(
                prefix + key,
                doc.key_span(jobs_map, key),
                title=title if isinstance(title, str) else None,
                extent=doc.value_span(jobs_map, key),
            )
            jobs.append(_Job(prefix + key, body, draft, doc, number, prefix, names))
            names.setdefault(str(key).lower(), str(key))
        _report_ids_equal_but_for_case(builder, doc, jobs_map, prefix)
    for job in jobs:
        _declare_needs(builder, job)
    by_id = {job.id: job for job in jobs}
    for job in jobs:
        _read_expressions(job, by_id, builder.problems)
        _read_steps(job)
    for number in range(len(workflows)):
        _link_artifacts([job for job in jobs if job.workflow == number])
    _require_hidden_transfers(builder, jobs)
    _checks(jobs)
    _registry_hand_overs(builder, jobs)
    _guard_publishing(builder, jobs)

    first = workflows[0]
    name = first.data.get("name")
    named = slug(name) if isinstance(name, str) else ""
    runbook_id = named if named and len(workflows) == 1 else stem
    if isinstance(name, str):
        return builder.build(runbook_id, first.value_span(first.data, "name"), title=name)
    return builder.build(runbook_id, first.key_span(first.data, "jobs"))


def _prefixes(workflows: list[Document], stem: str) -> list[str]:
    """`<workflow>/` for each workflow of a file holding several: its slugged
    name, or the file's stem and its place, made unique by its place."""
    prefixes: list[str] = []
    for number, doc in enumerate(workflows, 1):
        name = doc.data.get("name")
        prefix = (slug(name) if isinstance(name, str) else "") or f"{stem}-{number}"
        if prefix in prefixes:
            prefix = f"{prefix}-{number}"
        prefixes.append(prefix)
    return [prefix + "/" for prefix in prefixes]


def _declare_needs(builder: RunbookBuilder, job: _Job) -> None:
    body, doc = job.body, job.document
    if not isinstance(body, dict) or "needs" not in body:
        return
    needs = body["needs"]
    entries: list[tuple[Any, Any, Any]]  # container, key or index, entry
    if isinstance(needs, list):
        entries = [(needs, index, entry) for index, entry in enumerate(needs)]
    else:
        entries = [(body, "needs", needs)]
    for container, key, entry in entries:
        name = text(entry)
        if name is None:
            continue
        source = job.qualify + job.names.get(name.lower(), name)
        job.needs.append(source)
        builder.wait(source, job.id, doc.value_span(container, key), EdgeKind.NEEDS)


def _report_ids_equal_but_for_case(
    builder: RunbookBuilder, doc: Document, jobs_map: dict[Any, Any], prefix: str
) -> None:
    """RL101 for job keys that differ only in case: GitHub reads job ids
    ignoring case, so `needs` and `needs.<job>` cannot tell them apart."""
    by_name: dict[str, list[str]] = {}
    for key in jobs_map:
        by_name.setdefault(str(key).lower(), []).append(key)
    for keys in by_name.values():
        if len(keys) < 2:
            continue
        for key in keys:
            # The first few of the others: a report must not grow with the square of them.
            others = [other for other in keys if other is not key][:_SHOWN]
            spans = [doc.key_span(jobs_map, other) for other in others]
            places = listed(
                (f"`{other}` on line {span.line}" for other, span in zip(others, spans, strict=True)),
                _SHOWN,
                total=len(keys) - 1,
            )
            builder.problems.append(
                (
                    "RL101",
                    Issue(
                        doc.key_span(jobs_map, key),
                        f"job id `{key}` is used more than once ({places}): GitHub reads"
                        " job ids ignoring case, so `needs` and every other reference to it"
                        " are ambiguous",
                        suggestion="give each job an id that differs in more than case",
                        steps=(prefix + str(key),),
                        related=tuple(
                            Related(f"`{other}` also defined here", span)
                            for other, span in zip(others, spans, strict=True)
                        ),
                    ),
                )
            )


def _expressions(value: str, key: Any) -> Iterator[str]:
    """The expression-language texts of a string: an `if` is one whole, other
    values hold theirs in `${{ }}`."""
    if key == "if":
        yield value
    else:
        yield from (expression.inner for expression in delimited(value, _EXPRESSION))


def _needs_references(expression: str) -> Iterator[list[str]]:
    """The property chain after each `needs` of an expression (`*` for a
    wildcard): `[J, 'outputs', X]`, `[J, 'result']`, `[]` for the whole context."""
    for match in _NEEDS.finditer(expression):
        chain: list[str] = []
        position = match.end()
        while True:
            part = _PROPERTY.match(expression, position)
            if part is None:
                break
            chain.append(next(name for name in part.groups() if name is not None))
            position = part.end()
        yield chain


def _read_expressions(
    job: _Job, by_id: dict[str, _Job], problems: list[tuple[str, Issue]]
) -> None:
    """Facts a job takes from other jobs, and the needs its expressions read
    (GitHub gives a job the `needs` context of the jobs it lists, and only
    those): such a need is intended, and gets a reason."""
    body, doc = job.body, job.document
    if not isinstance(body, dict):
        return
    reasons: dict[str, str] = {}
    every_need: str | None = None  # the reason of each need, when all are read
    reported: set[tuple[str, Span]] = set()
    condition = body.get("if")
    if isinstance(condition, str) and _STATUS_CALL.search(condition):
        every_need = "its `if` runs it on how the jobs it needs ended"
    for value, container, key in strings_in(body):
        for expression in _expressions(value, key):
            for chain in _needs_references(expression):
                if not chain or chain[0] == "*":
                    every_need = every_need or "it reads the results of every job it needs"
                    continue
                source = job.qualify + job.names.get(chain[0].lower(), chain[0])
                if source not in job.needs:
                    span = doc.value_span(container, key)
                    if (source, span) not in reported:  # once per string that holds it
                        reported.add((source, span))
                        problems.append(_not_needed(job, chain[0], source in by_id, span))
                elif len(chain) >= 3 and chain[1] == "outputs" and chain[2] != "*":
                    span = doc.value_span(container, key)
                    _use_output(job, by_id.get(source), source, chain[2], span)
                    reasons.setdefault(source, f"it reads `needs.{chain[0]}.outputs`")
                else:
                    reasons.setdefault(source, f"it reads the result of `{source}`")
    needs = job.draft.needs
    for position, need in enumerate(needs):
        reason = reasons.get(need.step, every_need)
        if reason and need.step != job.id:
            needs[position] = replace(need, reason=reason)


def _not_needed(job: _Job, name: str, exists: bool, span: Span) -> tuple[str, Issue]:
    """RL102 for `needs.<name>` naming no job, or a job this one does not
    list in `needs`: GitHub gives a job the `needs` context of the jobs it
    lists and of no other, so the reference is empty whenever the job runs
    (not a race: it never gets a value, whatever order the jobs run in)."""
    suggestion: str | None
    if exists:
        message = (
            f"`needs.{name}` in `{job.id}` refers to a job `{job.id}` does not list in `needs`:"
            " GitHub gives a job the results and outputs of the jobs it needs, and of no other"
        )
        suggestion = f"add `{name}` to the `needs` of `{job.id}`"
    else:
        message = f"`needs.{name}` in `{job.id}` refers to no job of this workflow"
        near = closest(name, job.names.values())
        suggestion = f"did you mean `{near}`?" if near else None
    return "RL102", Issue(span, message, suggestion=suggestion, steps=(job.id,))


def _use_output(
    job: _Job, producer: _Job | None, source: str, output: str, span: Span
) -> None:
    """The fact `source.output` as an input of the job, and as an output of
    the producing job when it declares one of that name (or calls a reusable
    workflow, whose outputs this file cannot show): an output it does not
    declare is empty, and RL104 reports the fact nobody outputs."""
    fact = f"{source}.{output}"
    if fact not in job.facts_used:
        job.facts_used.add(fact)
        job.draft.inputs.append(Ref(fact, span))
    if producer is None or fact in producer.facts_given:
        return
    declared = _output_span(producer, output)
    if declared is None and not _calls_workflow(producer):
        return
    producer.facts_given.add(fact)
    producer.draft.outputs.append(Ref(fact, declared or producer.draft.span))


def _calls_workflow(job: _Job) -> bool:
    return isinstance(job.body, dict) and isinstance(job.body.get("uses"), str)


def _output_span(producer: _Job, output: str) -> Span | None:
    """Where the producing job declares the output (names are case-insensitive)."""
    if producer.declared is None:
        outputs = producer.body.get("outputs") if isinstance(producer.body, dict) else None
        producer.declared = {}
        if isinstance(outputs, dict):
            for key in reversed(list(outputs)):  # the first of names equal but for case
                producer.declared[key.lower()] = producer.document.key_span(outputs, key)
    return producer.declared.get(output.lower())


def _read_steps(job: _Job) -> None:
    """What a job's steps hand over or take: artifacts, caches, and steps
    written elsewhere."""
    body, doc = job.body, job.document
    if not isinstance(body, dict):
        return
    called = body.get("uses")
    if isinstance(called, str):
        job.opaque = (f"calls the workflow `{called.strip()}`", doc.value_span(body, "uses"))
    steps = body.get("steps")
    if not isinstance(steps, list):
        return
    for step in steps:
        if not isinstance(step, dict) or not isinstance(step.get("uses"), str):
            continue
        match = _ACTION.match(step["uses"])
        if match is None:
            continue
        action = match.group(1)
        uses_span = doc.value_span(step, "uses")
        inputs = step.get("with")
        inputs = inputs if isinstance(inputs, dict) else {}
        kind = action.lower()
        if not kind.startswith(("./", ".\\", "actions/", "github/")):
            job.toolkits.add("/".join(kind.split("/")[:2]))
        if action.startswith(("./", ".\\")):
            if job.opaque is None:
                job.opaque = (f"runs the local action `{action}`", uses_span)
        elif kind == "actions/upload-artifact":
            job.uploads.append(_named(doc, inputs, _DEFAULT_UPLOAD, uses_span))
        elif kind == "actions/upload-artifact/merge":
            job.downloads.append(_by_pattern(doc, inputs, "*", uses_span))
            job.uploads.append(_named(doc, inputs, _DEFAULT_MERGE, uses_span))
        elif kind == "actions/download-artifact":
            if text(inputs.get("name")):
                name, span = _named(doc, inputs, "", uses_span)
                job.downloads.append(_Download(span, name=name))
            elif text(inputs.get("pattern")):
                job.downloads.append(_by_pattern(doc, inputs, "", uses_span))
            elif not text(inputs.get("artifact-ids")):
                job.downloads.append(_Download(uses_span))
        elif kind in ("actions/cache", "actions/cache/restore", "actions/cache/save"):
            key = text(inputs.get("key"))
            if key is None:
                continue
            if kind == "actions/cache/save" or (kind == "actions/cache" and _named_for_caching(job)):
                job.saves.add(_normalized(key))  # a job whose purpose is the cache fills it for those after
            if kind != "actions/cache/save":
                job.restores.append((_normalized(key), doc.value_span(inputs, "key")))
        elif kind.endswith(("/save", "/restore")) and kind.count("/") >= 2:
            # A pair of actions saving and restoring files (`org/artifacts/save`, `.../restore`): a hand-over.
            base = kind.rsplit("/", 1)[0]
            if kind.endswith("/save"):
                job.uploads.append((f"{base}/*", uses_span))
            else:
                job.downloads.append(_Download(uses_span, name=f"{base}/*"))


def _named_for_caching(job: _Job) -> bool:
    """Whether a job's id or name says it is there to fill a cache ("Build & cache Go code")."""
    return "cache" in words(job.id[len(job.qualify) :], job.draft.title or "")


def _named(doc: Document, inputs: dict[Any, Any], default: str, uses_span: Span) -> tuple[str, Span]:
    """An artifact's `name` and where it is written (`uses` when it is the default)."""
    name = text(inputs.get("name"))
    if name:
        return _normalized(name), doc.value_span(inputs, "name")
    return default, uses_span


def _by_pattern(doc: Document, inputs: dict[Any, Any], default: str, uses_span: Span) -> _Download:
    pattern = text(inputs.get("pattern"))
    if pattern:
        return _Download(doc.value_span(inputs, "pattern"), pattern=_normalized(pattern))
    return _Download(uses_span, pattern=default)


def _normalized(value: str) -> str:
    """A name as written, spacing inside each `${{ }}` made uniform."""
    return _rewrite_expressions(value.strip(), lambda inner: "${{ " + " ".join(inner.split()) + " }}")


def _rewrite_expressions(value: str, rewrite: Callable[[str], str]) -> str:
    """`value` with each `${{ }}` expression replaced by `rewrite` of its inside."""
    parts: list[str] = []
    position = 0
    for expression in delimited(value, _EXPRESSION):
        parts.append(value[position : expression.start])
        parts.append(rewrite(expression.inner))
        position = expression.end
    parts.append(value[position:])
    return "".join(parts)


def _guard_publishing(builder: RunbookBuilder, jobs: list[_Job]) -> None:
    """A job publishing or deploying outside the run changes what the file
    does not name (a registry through an action of its own, a package
    index, a cluster): every check before it guards it, as it guards a
    change the file shows; and it ships what the jobs before it named for
    building made when the hand-over may be one the file does not show:
    either job runs steps written elsewhere (a reusable workflow, a local
    action), or both call actions of one repository (`org/ci/build` and
    `org/ci/publish`, whose own steps save and restore the files)."""
    publishing = [job for job in jobs if _publishes(job)]
    guards = [job.draft.id for job in jobs if job.draft.guard]
    builds = [job for job in jobs if words(job.id[len(job.qualify) :], job.draft.title or "") & _BUILD_WORDS]
    if not publishing or not (guards or builds):
        return
    before = Descendants(forward_predecessors(builder), builder.limits)
    for job in publishing:
        earlier = before.reached_from([job.draft.id])
        for guard in guards:
            if before.has(earlier, guard):
                builder.require_once(
                    guard, job.draft.id, job.draft.span,
                    f"`{job.draft.id}` publishes outside the run, and `{guard}` checks what it ships",
                )
        for build in builds:
            hidden = job.opaque or build.opaque or job.toolkits & build.toolkits
            if build is not job and hidden and before.has(earlier, build.draft.id):
                builder.require_once(
                    build.draft.id, job.draft.id, job.draft.span,
                    f"`{job.draft.id}` publishes outside the run what `{build.draft.id}` built",
                )


def _publishes(job: _Job) -> bool:
    """Whether a job publishes or deploys outside the run: its name says so,
    or it may write the repository, its packages or deployments, or sign
    with an OIDC token."""
    if words(job.id[len(job.qualify) :], job.draft.title or "") & _SHIPPING_WORDS:
        return True
    permissions = job.body.get("permissions") if isinstance(job.body, dict) else None
    if isinstance(permissions, str):
        return permissions.strip() == "write-all"
    return isinstance(permissions, dict) and any(text(permissions.get(scope)) == "write" for scope in _SHIPPING_SCOPES)


def _checks(jobs: list[_Job]) -> None:
    """A job named for a check (`test`, `lint`, `scan`, `verify`...), or
    running one (`go test`, `make test`, `pytest`, `ct lint`, an action named
    for a check...), stops the run when it fails: a guard of the changes
    after it; one named for the service's health (`smoke`, `health`,
    `canary`...) observes everything."""
    for job in jobs:
        names = (job.id[len(job.qualify) :], job.draft.title or "")
        job.draft.guard = is_check(*names) or bool(words(*names) & _ANALYSIS_WORDS) or _runs_checks(job.body)
        if observes_service(*names):
            job.draft.observes.append(Ref("*", job.draft.span))


def _runs_checks(body: Any) -> bool:
    """Whether a step of the job runs tests, a linter or a scanner that fails
    it on what it finds, or an action named for a check."""
    steps = body.get("steps") if isinstance(body, dict) else None
    for step in steps if isinstance(steps, list) else ():
        if not isinstance(step, dict):
            continue
        if isinstance(step.get("run"), str):
            for command in _commands(_compact(step["run"])):
                if _CHECK_COMMAND.match(" ".join(_without_prefix(command))):
                    return True
        called = _ACTION.match(step["uses"]) if isinstance(step.get("uses"), str) else None
        if called and not called.group(1).startswith(".") and (
            is_check(called.group(1)) or called.group(1).lower() == "github/codeql-action/analyze"
        ):
            return True
        inputs = mapping_at(step, "with")
        trivy = called is not None and called.group(1).lower() == "aquasecurity/trivy-action"
        if trivy and str(inputs.get("exit-code", "0")).strip() not in ("", "0"):
            return True
    return False


@dataclass(frozen=True)
class _Hand:
    """An image or release a job makes (pushes, creates) or takes (pulls,
    signs, uploads to, reads), as written."""

    makes: bool
    kind: str  # "image" or "release"
    ref: str
    span: Span


def _registry_hand_overs(builder: RunbookBuilder, jobs: list[_Job]) -> None:
    """Hand-overs through a registry or a release.  A job pushing an image or
    creating a release changes `image/<ref>` or `release/<tag>` outside the
    run; a job of the same workflow pulling that reference or using that
    release (as written, `${{ }}` spacing aside) takes the fact of that name,
    which the maker outputs.  A reference a script computes (`$name`,
    `${name}`, `$(...)`) is known to its job only: it is written under the
    job (`image/<job>/<ref>`), and a job taking a reference that may be the
    same, reading each expansion and expression as any text, requires the
    maker when the declared order puts it before (it explains a wait, it asks
    for none).  A job creating a release requires the jobs before it that
    push images: a release names the images of its version."""
    hands = {job.id: list(_registry_uses(job)) for job in jobs}
    made: dict[tuple[int, str], list[tuple[_Job, Span]]] = {}
    makers: list[tuple[_Job, _Hand]] = []
    for job in jobs:
        written: set[str] = set()
        for hand in hands[job.id]:
            if not hand.makes:
                continue
            makers.append((job, hand))
            name = _hand_name(job, hand)
            if name not in written:
                written.add(name)
                job.draft.writes.append(Ref(name, hand.span))
            if not _expands(hand.ref):
                made.setdefault((job.workflow, name), []).append((job, hand.span))
    for job in jobs:
        for hand in hands[job.id]:
            name = _hand_name(job, hand)
            if hand.makes or _expands(hand.ref):
                continue
            givers = [(maker, where) for maker, where in made.get((job.workflow, name), ()) if maker is not job]
            if givers and name not in job.facts_used:
                job.facts_used.add(name)
                job.draft.inputs.append(Ref(name, hand.span))
            for maker, where in givers:
                if name not in maker.facts_given:
                    maker.facts_given.add(name)
                    maker.draft.outputs.append(Ref(name, where))
    if makers:
        _require_possible_hand_overs(builder, jobs, hands, makers)


# A reference a job makes, with its tokens for `_may_match`.
_Made = tuple[_Hand, tuple[str, ...]]


def _require_possible_hand_overs(
    builder: RunbookBuilder, jobs: list[_Job], hands: dict[str, list[_Hand]], makers: list[tuple[_Job, _Hand]]
) -> None:
    """D edges along the declared order for references a script computes, and
    for releases after the images of their version."""
    before = _ancestry(jobs)
    if before is None:
        return  # O has a cycle (RL103): no graph is built
    budget = _MATCH_BUDGET
    # (maker, taker) -> where and why: the first reason of each pair.
    pairs: dict[tuple[str, str], tuple[Span, str]] = {}
    pushers = {maker.id: (maker, made) for maker, made in makers if made.kind == "image"}
    # What each job makes, by workflow and kind: a reference is compared with
    # other jobs' only, one job at a time, and a literal one only with those
    # that expand, so that a job making thousands compares with none of them.
    made_by: dict[tuple[int, str], dict[str, tuple[_Job, list[_Made], list[_Made]]]] = {}
    for maker, made in makers:
        group = made_by.setdefault((maker.workflow, made.kind), {})
        _, every, expanding = group.setdefault(maker.id, (maker, [], []))
        entry = (made, _ref_tokens(made.ref))
        every.append(entry)
        if _expands(made.ref):
            expanding.append(entry)
    for job in jobs:
        own = {(hand.kind, hand.ref) for hand in hands[job.id] if hand.makes}
        # Its first release gives each pair its reason: later ones would add none.
        first_release = next((hand for hand in hands[job.id] if hand.makes and hand.kind == "release"), None)
        for hand in hands[job.id]:
            if hand is first_release:
                for maker, made in pushers.values():
                    if maker is not job and maker.workflow == job.workflow and before(maker, job):
                        pairs.setdefault((maker.id, job.id), (hand.span, (
                            f"it creates the release `{hand.ref}` after `{maker.id}` pushes"
                            f" `{made.ref}`: a release names the images of its version")))
            if hand.makes or (hand.kind, hand.ref) in own or budget < 0:
                continue  # what it makes itself, it takes from nobody else
            taken, taken_expands = _ref_tokens(hand.ref), _expands(hand.ref)
            for maker, every, expanding in made_by.get((job.workflow, hand.kind), {}).values():
                if maker is job or not before(maker, job):
                    continue
                for made, given in every if taken_expands else expanding:
                    budget -= (len(taken) + 1) * (len(given) + 1)
                    if budget < 0:
                        break
                    if _literal(taken) and _literal(given) and _may_match(taken, given):
                        # (the first reason of a pair is the one kept)
                        pairs.setdefault((maker.id, job.id), (
                            hand.span, f"it uses `{hand.ref}`, which `{maker.id}` may make as `{made.ref}`"))
                        break
            if len(pairs) > builder.limits.max_edges:
                raise TooLarge(f"over {builder.limits.max_edges:,} registry and release hand-overs")
    for (maker_id, job_id), (span, reason) in pairs.items():
        builder.require(maker_id, job_id, span, reason)


def _hand_name(job: _Job, hand: _Hand) -> str:
    ref = hand.ref.translate(_NOT_IN_REFS)
    if _expands(hand.ref):
        return f"{hand.kind}/{job.id}/{ref}"
    return f"{hand.kind}/{job.qualify}{ref}"


@dataclass(frozen=True)
class _Order:
    """The declared order of the jobs (all the steps): each job's node (by
    id), the topological order, positions in it, and ancestors as bitsets of
    positions."""

    index: dict[str, int]
    order: list[int]
    position: list[int]
    ancestors: list[int]


def _declared_order(jobs: list[_Job]) -> _Order | None:
    """The jobs' declared order; None when it has a cycle (RL103: no graph is built)."""
    index = {job.id: node for node, job in enumerate(jobs)}
    preds = [sorted({index[name] for name in job.needs if name in index} - {node})
             for node, job in enumerate(jobs)]
    order = topological_order(preds)
    if order is None:
        return None
    return _Order(index, order, *ancestor_bitsets(preds, order))


def _ancestry(jobs: list[_Job]) -> Callable[[_Job, _Job], bool] | None:
    """Whether the declared order puts one job before another; None when O
    has a cycle."""
    declared = _declared_order(jobs)
    if declared is None:
        return None
    index, position, ancestors = declared.index, declared.position, declared.ancestors

    def before(first: _Job, second: _Job) -> bool:
        return bool(ancestors[index[second.id]] >> position[index[first.id]] & 1)

    return before


def _registry_uses(job: _Job) -> Iterator[_Hand]:
    """Each image or release the job pushes, creates, pulls or uses."""
    body, doc = job.body, job.document
    if not isinstance(body, dict):
        return
    container = body.get("container")
    holders = [(body, "container")] if isinstance(container, str) else []
    holders += [(container, "image")] if isinstance(container, dict) else []
    services = body.get("services")
    for service in services.values() if isinstance(services, dict) else ():
        holders += [(service, "image")] if isinstance(service, dict) else []
    for holder, key in holders:
        if text(holder.get(key)):
            yield _Hand(False, "image", _compact(str(holder[key])), doc.value_span(holder, key))
    steps = body.get("steps")
    for step in steps if isinstance(steps, list) else ():
        if not isinstance(step, dict):
            continue
        if isinstance(step.get("run"), str):
            span = doc.value_span(step, "run")
            for command in _commands(_compact(step["run"])):
                for makes, kind, ref in _command_uses(_without_prefix(command)):
                    yield _Hand(makes, kind, _tag(ref) if kind == "release" else ref, span)
        called = _ACTION.match(step["uses"]) if isinstance(step.get("uses"), str) else None
        if called:
            inputs = mapping_at(step, "with")
            yield from _action_uses(called.group(1), inputs, doc, doc.value_span(step, "uses"))


def _action_uses(path: str, inputs: dict[Any, Any], doc: Document, uses_span: Span) -> Iterator[_Hand]:
    """What an action step pushes, creates or uses in a registry or a release."""
    action = path.lower()

    def given(key: str | None) -> tuple[str, Span] | None:
        value = text(inputs.get(key)) if key else None
        return (_compact(value), doc.value_span(inputs, key)) if value else None

    if action == "docker/build-push-action" and inputs.get("push") not in (None, False, "false"):
        tags = given("tags")
        if tags is not None:
            written, span = tags
            for tag in re.split(r"[,\n]", written):
                if tag.strip():
                    yield _Hand(True, "image", tag.strip(), span)
    elif action in _RELEASE_ACTIONS:
        makes, key = _RELEASE_ACTIONS[action]
        tag, span = given(key) or (_CURRENT_TAG, uses_span)
        yield _Hand(makes, "release", _tag(tag), span)
    elif action == "goreleaser/goreleaser-action" and inputs.get("install-only") in (None, False, "false"):
        args = given("args")
        if _goreleaser_publishes(args[0].split() if args else []):
            yield _Hand(True, "release", _CURRENT_TAG, args[1] if args else uses_span)
    elif words(path) & _PUBLISH_WORDS and words(path) & _IMAGE_WORDS:
        # An action (often a local one) publishing images to the registry it
        # is given: the image it makes is known to it only.
        registry, repository = given("registry"), given("repository")
        if registry:
            place = f"{registry[0]}/{repository[0]}" if repository else registry[0]
            yield _Hand(True, "image", f"{place}/$image", registry[1])


def _command_uses(argv: list[str]) -> Iterator[tuple[bool, str, str]]:
    """(makes it, `image` or `release`, the reference) for each image or
    release a shell command pushes, pulls, signs, creates or uses."""
    command = [word.lower() for word in argv[:4]]
    program = command[0] if command else ""
    if program == "docker":
        rest = argv[2:] if command[1:2] in (["image"], ["container"]) else argv[1:]
        verb = rest[0].lower() if rest else ""
        if verb in ("push", "pull"):
            yield from ((verb == "push", "image", ref) for ref in _positional(rest[1:])[:1])
        elif verb in ("run", "create"):
            yield from ((False, "image", ref) for ref in _positional(rest[1:], _RUN_OPTIONS)[:1])
        elif verb == "manifest" and rest[1:2] == ["push"]:
            yield from ((True, "image", ref) for ref in _positional(rest[2:])[:1])
        elif verb == "manifest" and rest[1:2] == ["create"]:
            yield from ((False, "image", ref) for ref in _positional(rest[2:])[1:])
        elif verb == "buildx" and [word.lower() for word in rest[1:3]] == ["imagetools", "create"]:
            yield from ((True, "image", tag) for tag in _option_values(rest[3:], _TAG_OPTIONS))
            yield from ((False, "image", ref) for ref in _positional(rest[3:], _VALUED_OPTIONS))
        elif (verb == "build" or (verb == "buildx" and rest[1:2] in (["build"], ["b"]))) and _pushes_build(rest):
            yield from ((True, "image", tag) for tag in _option_values(rest, _TAG_OPTIONS))
    elif program in ("crane", "skopeo") and command[1:2] in (["copy"], ["cp"]):
        refs = [ref.removeprefix("docker://") for ref in _positional(argv[2:], _VALUED_OPTIONS)]
        if len(refs) >= 2:
            yield False, "image", refs[0]
            yield True, "image", refs[1]
    elif program == "cosign" and command[1:2] in (["sign"], ["attest"]):
        yield from ((False, "image", ref) for ref in _positional(argv[2:])[-1:])
    elif (program, command[1:2]) in (("helm", ["push"]), ("oras", ["push"])) or command[:3] == [
        "flux",
        "push",
        "artifact",
    ]:
        skip = 3 if program == "flux" else 2
        refs = [ref.removeprefix("oci://") for ref in _positional(argv[skip:])]
        if refs:
            yield True, "image", refs[-1] if program == "helm" else refs[0]
    elif program == "ko" and command[1:2] in (["build"], ["publish"], ["resolve"], ["apply"]):
        if not {"--local", "-l", "--push=false"} & {word.lower() for word in argv}:
            yield True, "image", "$KO_DOCKER_REPO/$image"
    elif program == "gh" and command[1:2] == ["release"] and command[2:3]:
        verb = command[2]
        if verb in ("create", "upload", "download", "view", "edit"):
            yield from ((verb == "create", "release", tag) for tag in _positional(argv[3:])[:1])
    elif program == "goreleaser" and _goreleaser_publishes(argv[1:]):
        yield True, "release", _CURRENT_TAG


def _goreleaser_publishes(args: list[str]) -> bool:
    """`goreleaser` or `goreleaser release`, unless it skips publishing."""
    verb = next((arg for arg in args if not arg.startswith("-")), "release")
    flags = " ".join(args)
    return verb == "release" and not re.search(r"--snapshot|--skip[-=]publish|--skip[= ]\S*publish", flags)


def _pushes_build(args: list[str]) -> bool:
    """A `docker build` that pushes: `--push`, or an output of type registry
    or with `push=true`."""
    outputs = _option_values(args, ("-o", "--output"))
    return "--push" in args or any(
        "push=true" in output or "type=registry" in output for output in outputs
    )


def _option_values(args: list[str], options: tuple[str, ...]) -> list[str]:
    """The values of the options named (`-t X`, `--tag X`, `--tag=X`)."""
    values: list[str] = []
    for position, arg in enumerate(args):
        if arg in options and position + 1 < len(args):
            values.append(args[position + 1])
        else:
            name, equals, value = arg.partition("=")
            if equals and name in options and value:
                values.append(value)
    return values


def _positional(args: list[str], valued: tuple[str, ...] = ()) -> list[str]:
    """The arguments that are no option nor the value of an option named in `valued`."""
    found: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in valued
        else:
            found.append(arg)
    return found


def _without_prefix(argv: list[str]) -> list[str]:
    """A command without the variable assignments and `sudo` before it."""
    position = 0
    while position < len(argv) and (
        argv[position] == "sudo" or re.match(r"[A-Za-z_]\w*=", argv[position])
    ):
        position += 1
    return argv[position:]


def _commands(script: str) -> list[list[str]]:
    """The words of each simple command of a shell script, in one pass:
    quotes removed, `$(...)`, `${...}`, `${{...}}` and backquotes kept whole
    inside their word, commands split at newlines, `;`, `&` and `|` outside
    them, comments and line continuations left out."""
    commands: list[list[str]] = []
    command: list[str] = []
    word: list[str] = []
    position, end = 0, len(script)

    def close_word() -> None:
        if word:
            command.append("".join(word))
            word.clear()

    def close_command() -> None:
        close_word()
        if command:
            commands.append(command.copy())
            command.clear()

    while position < end:
        char = script[position]
        if char == "\\" and script.startswith("\n", position + 1):
            position += 2
        elif char == "\\" and position + 1 < end:
            word.append(script[position + 1])
            position += 2
        elif char == "'":
            closing = script.find("'", position + 1)
            closing = end if closing == -1 else closing
            word.append(script[position + 1 : closing])
            position = closing + 1
        elif char == '"':
            position += 1
            while position < end and script[position] != '"':
                if script[position] == "$":
                    position = _expansion(script, position, word)
                else:
                    escaped = script[position] == "\\" and position + 1 < end
                    position += 2 if escaped else 1
                    word.append(script[position - 1])
            position += 1
        elif char == "$" or char == "`":
            position = _expansion(script, position, word)
        elif char == "#" and not word:
            newline = script.find("\n", position)
            position = end if newline == -1 else newline
        elif char in "\n;&|":
            close_command()
            position += 1
        elif char.isspace():
            close_word()
            position += 1
        else:
            word.append(char)
            position += 1
    close_command()
    return commands


def _expansion(script: str, position: int, word: list[str]) -> int:
    """Append the expansion at `position` (`${{...}}`, `${...}`, `$(...)`,
    a backquoted command, `$name` or a lone `$`) to the word; its end."""
    if script.startswith("${{", position):
        closing = script.find("}}", position + 3)
        stop = len(script) if closing == -1 else closing + 2
    elif script.startswith(("${", "$("), position) or script[position] == "`":
        opening = "`" if script[position] == "`" else script[position + 1]
        closing_char = {"{": "}", "(": ")", "`": "`"}[opening]
        depth, stop = 1, position + (1 if opening == "`" else 2)
        while stop < len(script) and depth:
            if script[stop] == closing_char:
                depth -= 1
            elif script[stop] == opening and opening != "`":
                depth += 1
            stop += 1
    else:
        name = _SHELL_NAME.match(script, position)
        stop = name.end() if name else position + 1
    word.append(script[position:stop])
    return stop


def _expands(ref: str) -> bool:
    """Whether a reference holds a shell expansion (known only to its script)."""
    return bool(_SHELL_EXPANSION.search(ref.replace("${{", "")))


def _ref_tokens(ref: str) -> tuple[str, ...]:
    """A reference as tokens for `_may_match`: each shell expansion and each
    `${{ }}` expression any text (`_STAR`), other characters themselves."""
    tokens: list[str] = []
    word: list[str] = []
    position = 0
    while position < len(ref):
        if ref[position] in "$`":
            word.clear()
            position = _expansion(ref, position, word)
            tokens.append(_STAR if len(word[0]) > 1 else "c$")
        else:
            tokens.append("c" + ref[position])
            position += 1
    return tuple(tokens)


def _literal(tokens: tuple[str, ...]) -> bool:
    """Whether a reference has a letter or digit of its own (one that is only
    expansions and punctuation may be anything, and says nothing)."""
    return any(token != _STAR and token[1:].isalnum() for token in tokens)


def _tag(tag: str) -> str:
    """A release tag, the spellings of the pushed tag (`github.ref`,
    `refs/tags/...`, `$GITHUB_REF_NAME`...) made one."""
    tag = tag.strip()
    if _CURRENT_REF.fullmatch(tag):
        return _CURRENT_TAG
    return tag.removeprefix("refs/tags/")


def _compact(value: str) -> str:
    """A reference without spacing inside its `${{ }}` expressions, so that
    it is one word of a script."""
    return _rewrite_expressions(value, lambda inner: "${{" + "".join(inner.split()) + "}}").strip()


def _link_artifacts(jobs: list[_Job]) -> None:
    """Artifact names become resources (under the workflow's name when the
    file holds several: each is a run of its own); a download also reads the
    uploads of its workflow whose names it may match once expressions are
    evaluated."""
    qualify = jobs[0].qualify if jobs else ""
    every = f"{_ARTIFACTS}/{qualify[:-1]}" if qualify else _ARTIFACTS

    def resource(name: str) -> str:
        return f"{_ARTIFACTS}/{qualify}{name.translate(_NOT_IN_NAMES)}"

    uploaded = {name: _tokens(name, glob=False) for job in jobs for name, _ in job.uploads}
    with_expressions = {name: tokens for name, tokens in uploaded.items() if _STAR in tokens}
    budget = _MATCH_BUDGET
    for job in jobs:
        draft = job.draft
        draft.writes.extend(Ref(resource(name), span) for name, span in job.uploads)
        for download in job.downloads:
            if download.name is None and download.pattern is None:
                # Every artifact: also those that steps written elsewhere upload.
                draft.reads.append(Ref(every, download.span))
                continue
            read = set()
            if download.name is not None:
                read.add(download.name)
                wanted = _tokens(download.name, glob=False)
            else:
                wanted = _tokens(download.pattern or "", glob=True)
            # Plain names match when equal, as resources do: only wildcards need a search.
            candidates = uploaded if _STAR in wanted or download.pattern else with_expressions
            for name, written in candidates.items():
                budget -= (len(wanted) + 1) * (len(written) + 1)
                if budget < 0:
                    break
                if name not in read and _may_match(wanted, written):
                    read.add(name)
            download.explained = any(name in uploaded for name in read)
            draft.reads.extend(Ref(resource(name), download.span) for name in sorted(read))


_STAR = "*"  # token for any text: an expression, or `*` in a glob
_ANY = "?"  # token for any one character: `?` or a `[...]` class in a glob


def _tokens(value: str, glob: bool) -> tuple[str, ...]:
    """A name as tokens: characters (as `'c'` plus the character, so that no
    character is taken for a wildcard), `_STAR` for each `${{ }}` and, in a
    glob, for `*`, and `_ANY` for a glob's `?` or `[...]`."""
    tokens: list[str] = []
    position = 0
    # The first `}}` after an opening, found once for all the openings before it
    # (searching anew from each one is quadratic on `${{${{${{...`).
    closing: int | None = None
    last_bracket = value.rfind("]")
    while position < len(value):
        if value.startswith("${{", position):
            if closing is None or 0 <= closing < position + 3:
                closing = value.find("}}", position + 3)
            if closing != -1:
                tokens.append(_STAR)
                position = closing + 2
                continue
        char = value[position]
        position += 1
        if glob and char == "*":
            tokens.append(_STAR)
        elif glob and char == "?":
            tokens.append(_ANY)
        elif glob and char == "[" and last_bracket > position:
            tokens.append(_ANY)
            position = value.find("]", position + 1) + 1
        else:
            tokens.append("c" + char)
    return tuple(tokens)


def _may_match(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether some text matches both token sequences: a search over pairs
    of positions, a `_STAR` of either side taking the other's tokens one by one."""
    ends = (len(first), len(second))
    seen: set[tuple[int, int]] = set()
    pending = [(0, 0)]
    while pending:
        state = pending.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if state == ends:
            return True
        left = first[i] if i < ends[0] else None
        right = second[j] if j < ends[1] else None
        if left == _STAR:
            pending.append((i + 1, j))
            if right is not None:
                pending.append((i, j + 1))
        if right == _STAR:
            pending.append((i, j + 1))
            if left is not None:
                pending.append((i + 1, j))
        letters = left not in (None, _STAR) and right not in (None, _STAR)
        if letters and (left == right or _ANY in (left, right)):
            pending.append((i + 1, j + 1))
    return False


def _require_hidden_transfers(builder: RunbookBuilder, jobs: list[_Job]) -> None:
    """D edges for what steps written elsewhere may hand over, and for cache
    hand-offs: only along the declared order (they explain a wait; they are
    no reason to add one)."""
    if not any(job.opaque or job.restores for job in jobs):
        return
    declared = _declared_order(jobs)
    if declared is None:
        return  # O has a cycle (RL103): no graph is built
    index, order, position, ancestors = declared.index, declared.order, declared.position, declared.ancestors

    def mask(holders: Iterable[_Job]) -> int:
        found = 0
        for holder in holders:
            found |= 1 << position[index[holder.id]]
        return found

    def members(found: int) -> list[_Job]:
        """The jobs of a bitset of positions, in file order."""
        digits = bin(found)[:1:-1]  # lowest position first
        nodes = []
        bit = digits.find("1")
        while bit != -1:
            nodes.append(order[bit])
            bit = digits.find("1", bit + 1)
        return [jobs[node] for node in sorted(nodes)]

    uploaders = mask(job for job in jobs if job.uploads)
    opaque = mask(job for job in jobs if job.opaque)
    savers: dict[str, int] = {}
    for job in jobs:
        for key in job.saves:
            savers[key] = savers.get(key, 0) | 1 << position[index[job.id]]
    added = 0
    for node, job in enumerate(jobs):
        before = ancestors[node]
        pairs: list[tuple[_Job, Span, str]] = []
        if job.opaque and before & uploaders:
            what, span = job.opaque
            pairs += [
                (other, span, f"it {what}, which may download the artifacts `{other.id}` uploads")
                for other in members(before & uploaders)
            ]
        unexplained = next((t for t in job.downloads if not t.explained), None)
        if unexplained and before & opaque:
            pairs += [
                (other, unexplained.span, f"`{other.id}` {other.opaque[0]}, which may upload it")
                for other in members(before & opaque)
                if other.opaque
            ]
        for key, span in job.restores:
            if before & savers.get(key, 0):
                pairs += [
                    (other, span, f"it restores the cache `{key}` that `{other.id}` saves")
                    for other in members(before & savers[key])
                ]
        added += len(pairs)
        if added > builder.limits.max_edges:
            raise TooLarge(f"over {builder.limits.max_edges:,} artifact and cache hand-offs")
        for other, span, reason in pairs:
            builder.require(other.id, job.id, span, reason)


FORMAT = InputFormat(
    name=NAME,
    title="GitHub Actions",
    detect=detect,
    build=build,
    keys=("jobs",),
    priority=40,
    wait_key="needs",
)
