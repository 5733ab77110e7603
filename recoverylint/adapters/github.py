"""GitHub Actions workflows (`.github/workflows/*.yml`).

A document is a workflow when it is a mapping with an `on` key (YAML 1.2: a
plain string key) and a `jobs` mapping in which at least one job is a mapping
with `runs-on`, `uses` or `steps`.  Action metadata files (`runs: {using: ...}`)
have no `jobs` and are not read.  The runbook id is the workflow's `name`,
slugged (the file's stem when it has none), and its title is `name`.

- Steps: the jobs, in file order.  A step's id is the job's key (where findings
  point), its extent the job's mapping, its title the job's `name`.  The
  steps a job lists are not steps of the model: one runner runs them in order.
  `timeout-minutes` is a bound, not an estimate: every job takes the default
  duration.
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
    in both jobs is the usual per-job setup, not a hand-off.
- Checks and hand-overs outside the run: a job named for a check (`test`,
  `lint`, `scan`, `verify`...) is a guard, one named for the service's
  health (`smoke`, `health`, `canary`...) observes everything; a job
  pushing an image or creating a release changes `image/<ref>` or
  `release/<tag>` and outputs that fact to the jobs of its workflow pulling
  the same reference (`docker pull`, `container`, a service's `image`) or
  uploading to or downloading from the same release (`gh release`).
- Left out: alternatives (an `if` skips a job; nothing chooses between
  jobs), stages, roles, approvals (`environment` protection rules live
  outside the file), `concurrency` groups (they serialise runs, they do not
  order jobs), and what `run` scripts and other actions do outside the run
  but push and pull images and make and use releases (deployments, `gh run
  download`...).  A `needs`
  whose job hands nothing over that the file shows is what RL201 reports: a
  success gate that costs time.  When it guards such an outside hand-over,
  say so with `# recoverylint: disable=RL201 -- <why>` on its line.

Files with several workflows (`---`) qualify job ids as `<workflow>/<job>`
(`<workflow>`: its slugged `name`, or `<file stem>-<place>`), and artifacts
as `artifact/<workflow>/<name>`: each workflow is a run of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Iterable, Iterator, Optional

from ..finding import Issue, Related
from ..graphs import ancestor_bitsets, topological_order
from ..limits import TooLarge
from ..model import EdgeKind, Ref, Span
from ..rules._words import closest, listed
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import is_check, observes_service
from ._builder import RunbookBuilder, StepDraft, delimited, strings_in, text

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
# `docker push|pull [options] <ref>` (also `docker image push`) in a `run` script.
_DOCKER = re.compile(r"\bdocker\s+(?:image\s+)?(push|pull)\s+(?:-\S+\s+)*([^\s;&|)]+)")
# `gh release create|upload|download [options] <tag>`.
_GH_RELEASE = re.compile(r"\bgh\s+release\s+(create|upload|download)\s+(?:-\S+\s+)*([^\s;&|)]+)")
# Release actions and the input naming the tag of the release they create.
_RELEASE_ACTIONS = {
    "softprops/action-gh-release": "tag_name",
    "actions/create-release": "tag_name",
    "ncipollo/release-action": "tag",
}
_NOT_IN_NAMES = str.maketrans({"*": "%2A", "?": "%3F", "[": "%5B", "/": "%2F"})
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
    name: Optional[str] = None
    pattern: Optional[str] = None
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
    opaque: Optional[tuple[str, Span]] = None  # a local action or reusable workflow
    saves: set[str] = field(default_factory=set)  # cache keys saved explicitly
    restores: list[tuple[str, Span]] = field(default_factory=list)
    facts_used: set[str] = field(default_factory=set)  # names of its inputs
    facts_given: set[str] = field(default_factory=set)  # names of its outputs
    declared: Optional[dict[str, Span]] = None  # its `outputs` by lowercase name, once read


def build(document: Document, path: str, default_duration: Optional[float]) -> Adapted:
    workflows = [doc for doc in documents(document) if _claims(doc.data)]
    for doc in workflows:
        if not isinstance(doc.data["jobs"], dict):
            span = doc.value_span(doc.data, "jobs")
            raise AdapterError(Issue(span, "`jobs` must be a mapping of job ids to jobs"))
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key="needs")
    stem = PurePath(path).stem
    prefixes = _prefixes(workflows, stem) if len(workflows) > 1 else [""]
    jobs: list[_Job] = []
    for number, (doc, prefix) in enumerate(zip(workflows, prefixes)):
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
    _checks_by_name(jobs)
    _registry_hand_overs(jobs)

    first = workflows[0]
    name = first.data.get("name")
    slug = _slug(name) if isinstance(name, str) else ""
    runbook_id = slug if slug and len(workflows) == 1 else stem
    if isinstance(name, str):
        return builder.build(runbook_id, first.value_span(first.data, "name"), title=name)
    return builder.build(runbook_id, first.key_span(first.data, "jobs"))


def _prefixes(workflows: list[Document], stem: str) -> list[str]:
    """`<workflow>/` for each workflow of a file holding several: its slugged
    name, or the file's stem and its place, made unique by its place."""
    prefixes: list[str] = []
    for number, doc in enumerate(workflows, 1):
        name = doc.data.get("name")
        prefix = (_slug(name) if isinstance(name, str) else "") or f"{stem}-{number}"
        if prefix in prefixes:
            prefix = f"{prefix}-{number}"
        prefixes.append(prefix)
    return [prefix + "/" for prefix in prefixes]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _declare_needs(builder: RunbookBuilder, job: _Job) -> None:
    body, doc = job.body, job.document
    if not isinstance(body, dict) or "needs" not in body:
        return
    needs = body["needs"]
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
    builder: RunbookBuilder, doc: Document, jobs_map: dict, prefix: str
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
                (f"`{other}` on line {span.line}" for other, span in zip(others, spans)),
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
                            for other, span in zip(others, spans)
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
    every_need: Optional[str] = None  # the reason of each need, when all are read
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
    job: _Job, producer: Optional[_Job], source: str, output: str, span: Span
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


def _output_span(producer: _Job, output: str) -> Optional[Span]:
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
            if kind == "actions/cache/save":
                job.saves.add(_normalized(key))
            else:
                job.restores.append((_normalized(key), doc.value_span(inputs, "key")))


def _named(doc: Document, inputs: dict, default: str, uses_span: Span) -> tuple[str, Span]:
    """An artifact's `name` and where it is written (`uses` when it is the default)."""
    name = text(inputs.get("name"))
    if name:
        return _normalized(name), doc.value_span(inputs, "name")
    return default, uses_span


def _by_pattern(doc: Document, inputs: dict, default: str, uses_span: Span) -> _Download:
    pattern = text(inputs.get("pattern"))
    if pattern:
        return _Download(doc.value_span(inputs, "pattern"), pattern=_normalized(pattern))
    return _Download(uses_span, pattern=default)


def _normalized(value: str) -> str:
    """A name as written, spacing inside each `${{ }}` made uniform."""
    value = value.strip()
    parts: list[str] = []
    position = 0
    for expression in delimited(value, _EXPRESSION):
        parts.append(value[position : expression.start])
        parts.append("${{ " + " ".join(expression.inner.split()) + " }}")
        position = expression.end
    parts.append(value[position:])
    return "".join(parts)


def _checks_by_name(jobs: list[_Job]) -> None:
    """A job named for a check (`test`, `lint`, `scan`, `verify`...) stops the
    run when it fails: a guard of the changes after it; one named for the
    service's health (`smoke`, `health`, `canary`...) observes everything."""
    for job in jobs:
        names = (job.id[len(job.qualify) :], job.draft.title or "")
        job.draft.guard = is_check(*names)
        if observes_service(*names):
            job.draft.observes.append(Ref("*", job.draft.span))


def _registry_hand_overs(jobs: list[_Job]) -> None:
    """Hand-overs through a registry or a release: a job pushing an image
    (`docker push`, `docker/build-push-action` with `push`) or creating a
    release (`gh release create`, a release action's `tag_name`) changes
    `image/<ref>` or `release/<tag>` outside the run; a job of the same
    workflow pulling that reference (`docker pull`, its `container` or a
    service's `image`) or uploading to or downloading from that release
    (`gh release upload|download`) uses the fact of the same name, which the
    maker outputs.  References are compared as written (`${{ }}` spacing aside)."""
    made: dict[tuple[int, str], list[tuple[_Job, Span]]] = {}
    taken: list[tuple[_Job, str, Span]] = []
    for job in jobs:
        for makes, name, span in _registry_uses(job):
            if makes:
                made.setdefault((job.workflow, name), []).append((job, span))
                job.draft.writes.append(Ref(name, span))
            else:
                taken.append((job, name, span))
    for job, name, span in taken:
        makers = [(maker, where) for maker, where in made.get((job.workflow, name), ()) if maker is not job]
        if makers and name not in job.facts_used:
            job.facts_used.add(name)
            job.draft.inputs.append(Ref(name, span))
        for maker, where in makers:
            if name not in maker.facts_given:
                maker.facts_given.add(name)
                maker.draft.outputs.append(Ref(name, where))


def _registry_uses(job: _Job) -> Iterator[tuple[bool, str, Span]]:
    """(makes it, `image/<ref>` or `release/<tag>`, where) for each image or
    release the job pushes, creates, pulls or uses."""
    body, doc = job.body, job.document
    if not isinstance(body, dict):
        return

    def image(ref: str) -> str:
        return f"image/{job.qualify}{_compact(ref)}"

    def release(tag: str) -> str:
        return f"release/{job.qualify}{_compact(tag)}"

    container = body.get("container")
    holders = [(body, "container")] if isinstance(container, str) else []
    holders += [(container, "image")] if isinstance(container, dict) else []
    services = body.get("services")
    for service in services.values() if isinstance(services, dict) else ():
        holders += [(service, "image")] if isinstance(service, dict) else []
    for holder, key in holders:
        if text(holder.get(key)):
            yield False, image(str(holder[key])), doc.value_span(holder, key)
    steps = body.get("steps")
    for step in steps if isinstance(steps, list) else ():
        if not isinstance(step, dict):
            continue
        run = step.get("run")
        if isinstance(run, str):
            span = doc.value_span(step, "run")
            script = _compact(run)
            for match in _DOCKER.finditer(script):
                yield match.group(1) == "push", image(match.group(2)), span
            for match in _GH_RELEASE.finditer(script):
                yield match.group(1) == "create", release(match.group(2)), span
        called = _ACTION.match(step["uses"]) if isinstance(step.get("uses"), str) else None
        action = called.group(1).lower() if called else ""
        inputs = step.get("with") if isinstance(step.get("with"), dict) else {}
        if action == "docker/build-push-action" and inputs.get("push") not in (None, False, "false"):
            tags = text(inputs.get("tags")) or ""
            for tag in re.split(r"[,\n]", _compact(tags)):
                if tag.strip():
                    yield True, image(tag.strip()), doc.value_span(inputs, "tags")
        key = _RELEASE_ACTIONS.get(action)
        if key is not None and text(inputs.get(key)):
            yield True, release(str(inputs[key])), doc.value_span(inputs, key)


def _compact(value: str) -> str:
    """A reference without spacing inside its `${{ }}` expressions, so that
    it is one word of a script."""
    parts: list[str] = []
    position = 0
    for expression in delimited(value, _EXPRESSION):
        parts.append(value[position : expression.start])
        parts.append("${{" + "".join(expression.inner.split()) + "}}")
        position = expression.end
    parts.append(value[position:])
    return "".join(parts).strip()


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
    closing: Optional[int] = None
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
    index = {job.id: node for node, job in enumerate(jobs)}  # jobs are all the steps
    preds = [sorted({index[name] for name in job.needs if name in index} - {node})
             for node, job in enumerate(jobs)]
    order = topological_order(preds)
    if order is None:
        return  # O has a cycle (RL103): no graph is built
    position, ancestors = ancestor_bitsets(preds, order)

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
    wait_key="needs",
)
