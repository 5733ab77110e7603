"""AWS Systems Manager documents: Automation runbooks (schemaVersion 0.3)
and Command documents (2.x, or 1.2), YAML or JSON.

A document is an Automation runbook when it is a mapping with `schemaVersion`
0.3 (the string '0.3' or the number) and a `mainSteps` key; `mainSteps` that
is not a list is RL002.  The runbook id is the file's stem, its title the
first line of `description`, its place the `mainSteps` key.  Each `mainSteps`
mapping with a `name` is a step; an entry that is no mapping, has no `name`
or no `action` is RL002 (SSM refuses it; a step with no action is still a
step, so that jumps to it resolve).  A step's title is
its action, with `Service.Api` for the API actions or the document, function
or command it runs.  An `aws:sleep` step lasts its ISO 8601 `Duration`, an
`aws:branch` no time; every other step's duration is unknown.
When a stream holds several runbooks, step ids are `<n>/<name>` (n: the
runbook's place in the stream).

Command documents (what Run Command and State Manager run on managed
instances; Policy documents share the form): `schemaVersion` 2.x with
`mainSteps` (its steps as above, titled by their plugin and the document or
package they run), or 1.2 with a `runtimeConfig` mapping of plugins, each
entry of a plugin's `properties` a step named by its `id` (else by the
plugin).  The agent runs the steps of 2.x one after the other in list
order, so each step waits for the one before it (1.2 names no order, the
sequencing of `mainSteps` came with 2.x: its plugins are taken in file order).
Every plugin runs on the instance and may change it (what a script, package
or child document does there cannot be seen): it writes the resource
`instance`, except `aws:softwareInventory`, which collects what is there and
reads it.  A `precondition` (`StringEquals: [platformType, Linux]`) makes a
step run only where it holds; it is no data the step waits for.  Two steps
whose preconditions want different values of one variable never both run on
an instance: each excludes the other.  Left out: `onFailure` and `onSuccess`
(`exit`, `successAndExit`: how a run ends, not what a step needs) and
`finallyStep`.

Declared order O (`EdgeKind.SEQUENCE`, loops allowed: a jump back to an
earlier step is a retry and is left out of O):
- a step waits for the step before it in the list, unless that one has
  `isEnd: true`, a `nextStep` (then that step waits for it) or is an
  `aws:branch`: then each `Choices[].NextStep` and the `Default` wait for the
  branch, or, with no `Default`, the next step in the list (as Automation
  runs it) unless the branch has `isEnd: true`;
- `onFailure: step:X` and `onCancel: step:X` make X wait for the step too.
Spans are where the jump is written, or the waiting step's name.  Names that
are no step of the runbook are RL102.

Alternatives: an `aws:branch` decides between its targets; two targets
exclude each other unless one reaches the other along normal jumps (a choice
that skips ahead to a step the other path also runs); a target that excludes
no other one is required by the branch (a need with a reason) instead of
decided.  (A branch of more than 64 choices gets no `excludes`: `decides`
already keeps them apart, and the pairs grow with the square of the
choices.)  A failure target X of step S is an alternative to S's normal
successor N (S decides both, each excludes the other) when they differ and
neither reaches the other along normal jumps: a cleanup step both paths end
in is no alternative.

Facts: `{{ Step.Output }}` written anywhere in a step (inputs, `Choices`
variables, inside JSON strings...; not its `description`), where Step names
another step of the runbook, is the input `Step.Output` of the step and an
output of Step (declared at the matching `outputs` entry's `Name`, or at
Step's name for built-in outputs).  Parameters (`{{ Name }}`) and
`{{ global:... }}` / `{{ automation:... }}` variables are not facts.

Resources: the identifiers a step passes under `inputs`, found by key, then
by value.  A key names a resource when its last word (camelCase or
snake_case split) is id, ids, identifier(s), arn(s), name(s), url(s) or a resource noun (bucket,
cluster, instance, snapshot, table, topic, queue, trail, vpc, subnet, group,
role, profile, secret, function, repository, project, stack, distribution,
alarm, volume, image, user, workgroup, alias, launch configuration, log
group...), and its first word is not `expected` or `desired` (values to
compare with).  An AWS filter or target (`{Name|Key: field, Values: [...]}`)
names resources in its `Values` when its field does, and a stack's parameter
(`{ParameterKey: field, ParameterValue: value}`) in its value.  Any other
value of the inputs (in a payload, a filter on a tag, a stack's parameter...)
is the resource some step of the runbook passes by key when it names the
same one (a value with spaces outside its `{{ }}` is prose): ids are matched
by the value passed, not by the argument's name.  Never resources:
`Service`, `Api`, selectors, desired values, script code and runtime, the
document run, `TargetLocations`, and the roles Automation assumes to run
(`AutomationAssumeRole`, `ExecutionRoleName`).  A value names one resource
per `{{ reference }}` it holds to a parameter or step output (written without
spaces, so two steps passing one parameter touch one resource), or, with
none, the literal id itself, variables such as `{{ automation:EXECUTION_ID }}`
kept in it without their spaces (`Fn-{{automation:EXECUTION_ID}}` in two
steps is one function; a value with spaces is prose, not an id; a glob
segment and what follows it is cut off); a list names one resource per item;
a string holding a JSON object is read as one.  A step's output used as an
id stands for the resources (at most 8) that step was given when the step
reads, checks, or runs a script, child automation or command (a Describe
returns the id of what it described, a script returns what it made of its
input; an API call that creates returns a new id, which stays its own), so
`{{ DescribeDBClusters.DbClusterIdentifier }}` and `{{ RDSClusterARN }}`
passed to DescribeDBClusters are one cluster.  A step that names no id
touches what its call addresses: an API call the account setting named by
the API without its verb (`ec2/EbsEncryptionByDefault` for both
EnableEbsEncryptionByDefault and GetEbsEncryptionByDefault), a child
automation or command what its document manages (`executeAutomation/<doc>`).
Then:
- `aws:executeAwsApi` reads when its Api starts with Describe, Get, List,
  BatchGet, Head, Lookup or Search, and writes otherwise;
- `aws:waitForAwsResourceProperty` and `aws:assertAwsResourceProperty` read;
- `aws:branch`, `aws:sleep`, `aws:approve` and `aws:pause` touch nothing;
- every other action (scripts, child automations, commands, Lambda
  functions, stacks, tags, instance state...) writes what it is given: what
  a script or child automation does with it cannot be seen, so it is taken
  to change it;
- but what a step runs is read (the `FunctionName` of
  `aws:invokeLambdaFunction` or of Lambda's Invoke, the state machine of
  `aws:executeStateMachine` or StartExecution), and so is an id matched by
  value only, handed over under another name (a script making a new name
  from `OriginalString` uses the id, it does not change it).
An `aws:createStack` is the parent of what its `Parameters` name (the
function it deploys): deleting the stack deletes them, so the delete
conflicts with every use of them, and the stack's creation with every use
after it.  A stack whose resources another step uses is set-up: its failure
stops the run before anything changes, so it is a guard.

Intended waits (needs with a reason: D only).  A step that fails stops the
run (onFailure defaults to Abort), so a step whose purpose is to stop the run
gates what comes after it:
- `aws:sleep` exists to wait after the step before it: it requires its O
  predecessors and its O successors require it;
- checks: `aws:assertAwsResourceProperty`, `aws:waitForAwsResourceProperty`
  and an `aws:executeScript` given no resource (it can only compute or
  check, as a step parsing and validating the runbook's input does) are
  required by every writing step after them in O; a wait is also required
  by the later steps reading what it waits on, or observing a scope that
  holds it, as an alarm check observes everything (they need the state it
  waits for); and a wait requires the step right before it when that one
  changes something through the same AWS service (it waits for the state
  that change makes, however the two name it);
- a step without an `action` (RL002) is a stub of something not written
  yet, of unknown effect: it requires every step before it, and every step
  after it requires it (RunbookBuilder.require_around);
- a script reading the clock makes a stopwatch with the script using the
  moment it outputs (adapters/_behaviour.py); a script the document does
  not hold (an attachment, or a `Script` naming code kept elsewhere) is
  taken to read the clock when it outputs a start or takes such a moment;
- `aws:approve` / `aws:pause`: the approver reviews what ran before, so it
  requires its O predecessors, and it approves every writing step after it;
- a status report (Security Hub BatchUpdateFindings/UpdateFindings/
  BatchImportFindings, SNS Publish, SES SendEmail, Incident Manager timeline
  events and incident updates) tells the outcome of everything before it
  (a finding marked RESOLVED), so it requires every step before it in O
  (those before an earlier report through that report).

Left out: `isCritical`, `maxAttempts` and timeouts (how a step fails, not
what it needs); `onFailure: Continue` and `Abort` (no jump); what a script
or child automation does inside; the runbook's `outputs` list.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ..durations import format_default
from ..finding import Issue
from ..graphs import Reachability, overlaps, reachability
from ..limits import TooLarge
from ..model import DeclaredEdge, Duration, EdgeKind, Ref, Span
from ..source import Document
from . import Adapted, AdapterError, InputFormat, documents
from ._behaviour import mark_clocks, names_a_moment, observes_service, reads_time, words
from ._builder import RunbookBuilder, StepDraft, mapping_at, strings_in, text

# `{{ Step.Output }}`: a step's name, a dot, an output name (parameters have no dot).
# (What follows the output name starts with a character the name cannot hold:
# `[^{}]*?` right after it would try every split of a long name, quadratic.)
_OUTPUT_REFERENCE = re.compile(r"\{\{\s*([^\s{}.:]+)\.([^\s{}.]+)(?:[\s.][^{}]*)?\}\}")
# Any `{{ ... }}`, for resource names.
_REFERENCE = re.compile(r"\{\{([^{}]*)\}\}")
_VARIABLE_PREFIXES = ("global:", "automation:")
_ISO_DURATION = re.compile(
    r"P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# An output so named is the start of what a script measures (`StartTime`).
_START_WORDS = frozenset({"start", "started", "begin"})
# A line of a `Script` naming code kept elsewhere, not code
# (`SCRIPT_PLACEHOLDER::common_util.start_time`, which a build replaces).
_CODE_REFERENCE = re.compile(r"[\w.:/-]+")
_COMMAND_VERSION = re.compile(r"2\.\d+")
_GLOB = re.compile(r"[*?\[]")

_READ_APIS = ("describe", "get", "list", "batchget", "head", "lookup", "search")
_TOUCHES_NOTHING = {"aws:branch", "aws:sleep", "aws:approve", "aws:pause"}
_READS_ONLY = {"aws:waitForAwsResourceProperty", "aws:assertAwsResourceProperty"}
_APPROVALS = {"aws:approve", "aws:pause"}
# What a step runs, by the input key naming it: a use of the function or state
# machine (a read), whatever the run does to the ids it is handed.
_INVOKING_ACTIONS = {
    "aws:invokeLambdaFunction": frozenset({"FunctionName"}),
    "aws:executeStateMachine": frozenset({"stateMachineArn"}),
}
_INVOKING_APIS = {
    ("lambda", "invoke"): frozenset({"FunctionName"}),
    ("lambda", "invokeasync"): frozenset({"FunctionName"}),
    ("states", "startexecution"): frozenset({"stateMachineArn"}),
    ("states", "startsyncexecution"): frozenset({"stateMachineArn"}),
}
# Actions that run another document: given no id, they change what it manages.
_RUNS_DOCUMENT = {"aws:executeAutomation", "aws:runCommand"}
# What a Command document's steps run on: the managed instance (each of its
# targets); what a script, package or child document does there cannot be seen.
_INSTANCE = "instance"
# Command plugins that only collect what is on the instance.
_COLLECTS = {"aws:softwareInventory"}
_REPORTS = {
    ("securityhub", "batchupdatefindings"),
    ("securityhub", "updatefindings"),
    ("securityhub", "batchimportfindings"),
    ("sns", "publish"),
    ("ses", "sendemail"),
    ("ses", "sendrawemail"),
    ("sesv2", "sendemail"),
    ("ssm-incidents", "createtimelineevent"),
    ("ssm-incidents", "updateincidentrecord"),
}
# Last words of an input key that says it names a resource.
_RESOURCE_WORDS = {
    "id", "ids", "identifier", "identifiers", "arn", "arns", "name", "names", "url", "urls",
    "bucket", "buckets", "cluster", "clusters", "instance", "instances", "snapshot", "snapshots",
    "table", "tables", "topic", "topics", "queue", "queues", "trail", "trails", "vpc", "vpcs",
    "subnet", "subnets", "group", "groups", "role", "roles", "profile", "secret", "secrets",
    "function", "functions", "repository", "project", "stack", "stacks", "distribution",
    "alarm", "alarms", "volume", "volumes", "image", "images", "user", "users", "workgroup",
    "loadbalancer", "certificate", "domain", "stream", "alias", "resource", "resources",
}
# Two last words that together name a resource.
_RESOURCE_PHRASES = {("launch", "configuration"), ("log", "group"), ("load", "balancer")}
# Input keys whose values are never resources the step touches.
_NOT_RESOURCES = {
    "Service", "Api", "PropertySelector", "DesiredValues", "Selector", "Runtime", "Handler",
    "Script", "Attachment", "DocumentName", "DocumentVersion", "TargetLocations",
    "TargetParameterName", "MaxConcurrency", "MaxErrors", "AutomationAssumeRole",
    "ExecutionRoleName",
}
# A branch of more choices than this decides between them without `excludes`.
_MAX_EXCLUDING_CHOICES = 64
# A step's output stands for what the step was given when that is this many resources at most.
_MAX_ALIASES = 8


def detect(document: Document) -> bool:
    return any(_is_automation(doc.data) or _is_command(doc.data) for doc in documents(document))


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    runbooks = [
        doc for doc in documents(document) if _is_automation(doc.data) or _is_command(doc.data)
    ]
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=None)
    automations: list[_RunbookReader] = []
    commands: list[_CommandReader] = []
    for ordinal, doc in enumerate(runbooks, 1):
        prefix = f"{ordinal}/" if len(runbooks) > 1 else ""
        if _is_automation(doc.data):
            reader = _RunbookReader(builder, doc, prefix)
            reader.add_steps()
            automations.append(reader)
        else:
            command = _CommandReader(builder, doc, prefix)
            command.add_steps()
            commands.append(command)
    for reader in automations:
        reader.add_flow()
    for command in commands:
        command.add_flow()
    # Intended waits follow the order O ends up with (retry jumps left out).
    ordered = builder.forward_edges()
    for reader in automations:
        reader.add_intended_waits(ordered)
    # A step without an `action` stands for something not yet written, which
    # may make or need anything: the steps around it keep their places.
    builder.require_around(
        {
            step: (reason, reason)
            for reader in automations
            for step in reader.unstated
            for reason in [f"`{step}` has no `action`: what it is to do is not known"]
        }
    )
    first = runbooks[0]
    return builder.build(
        PurePath(path).stem,
        first.key_span(first.data, _steps_key(first.data)),
        title=_first_line(first.data.get("description")),
        loops=True,
    )


def _script_elsewhere(inputs: dict[str, Any]) -> bool:
    """Whether an `aws:executeScript`'s code is not in the document: it runs
    an attachment (no `Script`), or each line of its `Script` names code kept elsewhere."""
    script = text(inputs.get("Script"))
    lines = [line.strip() for line in (script or "").splitlines() if line.strip()]
    return script is None or all(_CODE_REFERENCE.fullmatch(line) for line in lines)


def _is_automation(data: Any) -> bool:
    if not isinstance(data, dict) or "mainSteps" not in data:
        return False
    return _version(data) == "0.3"


def _is_command(data: Any) -> bool:
    """A Command (or Policy) document: schema 2.x `mainSteps`, or schema 1.2
    `runtimeConfig`."""
    if not isinstance(data, dict):
        return False
    version = _version(data)
    if "mainSteps" in data:
        return version is not None and _COMMAND_VERSION.fullmatch(version) is not None
    return version == "1.2" and "runtimeConfig" in data


def _version(data: dict[Any, Any]) -> str | None:
    """`schemaVersion` as written: a string, or a YAML number (`0.3`, `2.2`)."""
    version = data.get("schemaVersion")
    if isinstance(version, str):
        return version.strip()
    if isinstance(version, float):
        return repr(version)
    return None


def _steps_key(data: dict[Any, Any]) -> str:
    return "mainSteps" if "mainSteps" in data else "runtimeConfig"


def _first_line(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    for line in value.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line
    return None


def _step_name(builder: RunbookBuilder, doc: Document, steps: list[Any], position: int) -> str | None:
    """The name of the step at `position` of `mainSteps`, or None (RL002: SSM
    refuses a step that is no mapping or has no name)."""
    item = steps[position]
    name = text(item.get("name")) if isinstance(item, dict) else None
    if name and name.strip():
        return name
    what = "has no `name`" if isinstance(item, dict) else "is not a mapping"
    issue = Issue(doc.value_span(steps, position), f"`mainSteps[{position}]` {what}: it is no step")
    builder.problems.append(("RL002", issue))
    return None


def _step_action(builder: RunbookBuilder, doc: Document, item: dict[Any, Any], name: str) -> str:
    """The step's `action`, or "" (RL002 at its name: a step with no action
    does nothing, which SSM refuses; it is kept so that jumps to it resolve)."""
    action = text(item.get("action"))
    if action and action.strip():
        return action
    builder.problems.append(
        (
            "RL002",
            Issue(
                doc.value_span(item, "name"),
                f"step `{name}` has no `action`: it would do nothing",
                suggestion="say what the step runs with `action: aws:...`",
            ),
        )
    )
    return ""


@dataclass(frozen=True)
class _Jump:
    """A step another one goes to next, and where that is written."""

    target: str
    span: Span
    failure: bool = False  # an onFailure / onCancel jump


class _RunbookReader:
    """One Automation document of the stream into the builder."""

    def __init__(self, builder: RunbookBuilder, doc: Document, prefix: str) -> None:
        self.builder = builder
        self.doc = doc
        self.prefix = prefix  # of step ids, when the stream holds several runbooks
        main_steps = doc.data["mainSteps"]
        if not isinstance(main_steps, list):
            raise AdapterError(
                Issue(doc.value_span(doc.data, "mainSteps"), "`mainSteps` must be a list of steps")
            )
        self.main_steps = main_steps
        self.steps: list[tuple[dict[Any, Any], StepDraft]] = []  # in list order
        self.items: dict[str, dict[Any, Any]] = {}  # step id -> the mapping of the first step of that id
        self.names: set[str] = set()  # step names as written (without the prefix)
        self.index: dict[str, int] = {}  # step id -> its place among this runbook's steps
        self.jumps: dict[str, list[_Jump]] = {}  # step id -> where it goes next
        self._normal: _Reach | None = None  # reachability along normal jumps, when asked
        self._implied: set[tuple[str, str, str]] = set()  # needs and excludes added
        self._declared: set[str] = set()  # facts declared as outputs
        self._stacks: dict[str, set[str]] = {}  # a step creating a stack -> what its Parameters name
        # Steps creating a stack whose resources later steps use: set-up that
        # fails the run before anything changes (guards).
        self._setups: set[str] = set()
        # Steps without an `action` (RL002): a stub of something the author meant to do there.
        self.unstated: list[str] = []

    # -- steps -------------------------------------------------------------

    def add_steps(self) -> None:
        for position, item in enumerate(self.main_steps):
            name = _step_name(self.builder, self.doc, self.main_steps, position)
            if name is None:
                continue
            action = _step_action(self.builder, self.doc, item, name)
            draft = self.builder.step(
                self.prefix + name,
                self.doc.value_span(item, "name"),
                title=_title(action, item.get("inputs")),
                extent=self.doc.value_span(self.main_steps, position),
                duration=_default_duration(action, item),
            )
            if not action:
                self.unstated.append(draft.id)
            self.steps.append((item, draft))
            self.items.setdefault(draft.id, item)
            self.names.add(name)
            self.index.setdefault(draft.id, len(self.index))

    # -- O and alternatives ----------------------------------------------------

    def add_flow(self) -> None:
        for position, (item, draft) in enumerate(self.steps):
            following = self.steps[position + 1][1] if position + 1 < len(self.steps) else None
            jumps = self._normal_jumps(item, following) + self._failure_jumps(item)
            self.jumps[draft.id] = jumps
            for jump in jumps:
                self.builder.wait(draft.id, jump.target, jump.span, EdgeKind.SEQUENCE)
        for item, draft in self.steps:
            if text(item.get("action")) == "aws:branch":
                self._branch_alternatives(draft)
            self._failure_alternatives(draft)
        for item, draft in self.steps:
            self._facts(item, draft)
        self._resources()
        self._behaviour()

    def _normal_jumps(self, item: dict[Any, Any], following: StepDraft | None) -> list[_Jump]:
        """Where the step goes when it succeeds."""
        ends = _is_true(item.get("isEnd"))
        next_in_list = [_Jump(following.id, following.span)] if following and not ends else []
        explicit = self._jump_at(item, "nextStep")
        if text(item.get("action")) != "aws:branch":
            if ends:
                return []
            return [explicit] if explicit else next_in_list
        inputs = item.get("inputs")
        jumps = []
        default = None
        if isinstance(inputs, dict):
            choices = inputs.get("Choices")
            for choice in choices if isinstance(choices, list) else ():
                jump = self._jump_at(choice, "NextStep") if isinstance(choice, dict) else None
                if jump:
                    jumps.append(jump)
            default = self._jump_at(inputs, "Default")
        # With no Default, Automation goes on to the next step when no choice holds.
        fallback = default or explicit
        jumps.extend([fallback] if fallback else next_in_list)
        return jumps

    def _failure_jumps(self, item: dict[Any, Any]) -> list[_Jump]:
        jumps = []
        for key in ("onFailure", "onCancel"):
            value = item.get(key)
            if isinstance(value, str) and value.strip().startswith("step:"):
                target = value.strip()[len("step:"):].strip()
                if target:
                    jumps.append(_Jump(self.prefix + target, self.doc.value_span(item, key), True))
        return jumps

    def _jump_at(self, container: dict[Any, Any], key: str) -> _Jump | None:
        target = text(container.get(key))
        if not target or not target.strip():
            return None
        return _Jump(self.prefix + target.strip(), self.doc.value_span(container, key))

    def _apart(self, a: str, b: str) -> bool:
        """Neither step runs after the other along normal jumps."""
        if self._normal is None:
            normal = [
                (step_id, jump.target)
                for step_id, jumps in self.jumps.items()
                for jump in jumps
                if not jump.failure
            ]
            self._normal = _Reach(self.index, normal)
        return a != b and not self._normal.reaches(a, b) and not self._normal.reaches(b, a)

    def _branch_alternatives(self, branch: StepDraft) -> None:
        targets: dict[str, _Jump] = {}
        for jump in self.jumps[branch.id]:
            if not jump.failure and jump.target in self.builder.by_id:
                targets.setdefault(jump.target, jump)
        for name, jump in targets.items():
            excluded = [other for other in targets.values() if self._apart(name, other.target)]
            if not excluded:
                self._require(branch.id, name, jump.span, f"`{branch.id}` chooses whether `{name}` runs")
                continue
            branch.decides.append(Ref(name, jump.span))
            # `decides` alone keeps the targets apart; pairs of exclusions grow
            # with the square of the choices, so a branch of many is left at that.
            if len(targets) <= _MAX_EXCLUDING_CHOICES:
                for other in excluded:
                    self._exclude(name, other.target, other.span)

    def _failure_alternatives(self, step: StepDraft) -> None:
        jumps = self.jumps[step.id]
        normal = [jump for jump in jumps if not jump.failure and jump.target in self.builder.by_id]
        for failure in jumps:
            if not failure.failure or failure.target not in self.builder.by_id:
                continue
            for success in normal:
                if not self._apart(failure.target, success.target):
                    continue
                for jump in (success, failure):
                    if all(ref.name != jump.target for ref in step.decides):
                        step.decides.append(Ref(jump.target, jump.span))
                self._exclude(failure.target, success.target, failure.span)
                self._exclude(success.target, failure.target, failure.span)

    def _behaviour(self) -> None:
        """Checks are guards; CloudWatch alarm and metric reads observe
        everything; an `onFailure`/`onCancel` target is the step's failure
        path (RL307 follows it);
        scripts reading the time make stopwatches (adapters/_behaviour.py).
        A script the document does not hold (a placeholder, an attachment)
        is taken to read the time when it outputs a start (`StartTime`), or
        takes a moment a clock-reading step outputs: why else pass it one."""
        readers: set[str] = set()
        elsewhere: set[str] = set()
        for item, draft in self.steps:
            inputs = mapping_at(item, "inputs")
            draft.guard = _is_check(item, draft) or draft.id in self._setups
            service, api = text(inputs.get("Service")) or "", text(inputs.get("Api")) or ""
            if service.lower() == "cloudwatch" and observes_service(api):
                draft.observes.append(Ref("*", draft.span))
            draft.on_failure.extend(
                Ref(jump.target, jump.span)
                for jump in self.jumps.get(draft.id, ())
                if jump.failure and jump.target in self.builder.by_id
            )
            if text(item.get("action")) == "aws:executeScript":
                if reads_time(string for string, _, _ in strings_in(inputs)):
                    readers.add(draft.id)
                elif _script_elsewhere(inputs):
                    elsewhere.add(draft.id)
        drafts = [draft for _, draft in self.steps]
        readers |= {
            draft.id for draft in drafts
            if draft.id in elsewhere and any(words(ref.name) & _START_WORDS for ref in draft.outputs)
        }
        moments = {
            ref.name for draft in drafts if draft.id in readers for ref in draft.outputs if names_a_moment(ref.name)
        }
        readers |= {
            draft.id for draft in drafts if draft.id in elsewhere and any(ref.name in moments for ref in draft.inputs)
        }
        mark_clocks(drafts, readers)

    def _exclude(self, step_id: str, other: str, span: Span) -> None:
        if self._implied_once("excludes", other, step_id):
            self.builder.by_id[step_id].excludes.append(Ref(other, span))

    # -- facts ---------------------------------------------------------------

    def _facts(self, item: dict[Any, Any], draft: StepDraft) -> None:
        seen: set[str] = set()
        for string, container, where in strings_in(item, leaving_out=("name", "description")):
            for match in _OUTPUT_REFERENCE.finditer(string):
                producer, output = self.prefix + match.group(1), match.group(2)
                if match.group(1) not in self.names or producer == draft.id:
                    continue
                fact = f"{producer}.{output}"
                if fact not in seen:
                    seen.add(fact)
                    draft.inputs.append(Ref(fact, self.doc.value_span(container, where)))
                    self._declare_output(producer, output, fact)

    def _declare_output(self, producer: str, output: str, fact: str) -> None:
        """The fact as an output of its step, where the step declares it (or at
        its name: built-in outputs such as ExecutionId are not declared)."""
        if fact in self._declared:
            return
        self._declared.add(fact)
        draft = self.builder.by_id[producer]
        span = draft.span
        outputs = self.items[producer].get("outputs")
        for entry in outputs if isinstance(outputs, list) else ():
            if isinstance(entry, dict) and text(entry.get("Name")) == output:
                span = self.doc.value_span(entry, "Name")
                break
        draft.outputs.append(Ref(fact, span))

    # -- resources -----------------------------------------------------------

    def _resources(self) -> None:
        values = {draft.id: _values(self.doc, item) for item, draft in self.steps}
        # A value is an id wherever it sits when a step of the runbook passes
        # it under a key naming one (a Lambda payload's `target`, a filter on
        # a tag, a stack's parameter): ids are matched by value, not by key.
        known = {value.name for found in values.values() for value in found if value.by_key}
        passed = {draft.id: _passed(self.doc, item, values[draft.id], known) for item, draft in self.steps}
        # Outputs that stand for what their step was given: not those of a call
        # that creates or changes (RunInstances returns a new instance's id).
        aliasing = {
            draft.id
            for item, draft in self.steps
            if text(item.get("action")) != "aws:executeAwsApi" or _reads_only(item.get("inputs"))
        }
        resolved: dict[str, list[_Value]] = {}
        for item, draft in self.steps:
            action = text(item.get("action")) or ""
            if action in _READS_ONLY:
                uses = draft.reads
            elif action == "aws:executeAwsApi":
                uses = draft.reads if _reads_only(item.get("inputs")) else draft.writes
            else:
                uses = draft.writes
            invoked = _invoked(item)
            creates = action == "aws:createStack"
            seen: set[tuple[int, str]] = set()
            for value in self._resolved(draft.id, passed, aliasing, resolved):
                # An id handed over under another name (a script's `OriginalString`)
                # is used, not changed, as what the step runs is.
                used = value.top in invoked or (not value.by_key and not (creates and value.top == "Parameters"))
                refs = draft.reads if used else uses
                if (id(refs), value.name) not in seen:
                    seen.add((id(refs), value.name))
                    refs.append(Ref(value.name, value.span))
            if creates:
                self._stack_children(draft, resolved[draft.id])
        for stack, children in self._stacks.items():
            others_use = (
                ref.name for _, other in self.steps if other.id != stack for ref in other.reads + other.writes
            )
            if any(name in children for name in others_use):
                self._setups.add(stack)

    def _stack_children(self, draft: StepDraft, passed: list[_Value]) -> None:
        """A stack a step creates is the parent of what its `Parameters` name
        (the function it deploys, the bucket it makes): deleting the stack
        deletes them, so it conflicts with every use of them."""
        stack = next((value for value in passed if value.top == "StackName"), None)
        if stack is None:
            return
        children = self._stacks.setdefault(draft.id, set())
        for value in passed:
            if value.top == "Parameters" and value.name != stack.name:
                self.builder.parents.setdefault(value.name, Ref(stack.name, stack.span))
                children.add(value.name)

    def _producer(self, name: str) -> str | None:
        """The step a resource name `{{Step.Output}}` comes from."""
        match = _OUTPUT_REFERENCE.fullmatch(name)
        return self.prefix + match.group(1) if match else None

    def _resolved(
        self,
        start: str,
        passed: dict[str, list[_Value]],
        aliasing: set[str],
        resolved: dict[str, list[_Value]],
    ) -> list[_Value]:
        """The resources a step passes, a step's output standing for the few
        resources that step was given (a Describe returns the id of what it
        described, a script returns what it made of its input).  Depth first
        without recursion: outputs may be passed along a chain of any length."""
        on_path = {start}
        stack = [start]
        while stack:
            step_id = stack[-1]
            waiting = [
                producer
                for producer in (self._producer(value.name) for value in passed.get(step_id, ()))
                if producer in aliasing and producer not in resolved and producer not in on_path
            ]
            if waiting:
                on_path.add(waiting[0])
                stack.append(waiting[0])
                continue
            names: list[_Value] = []
            for value in passed.get(step_id, ()):
                producer = self._producer(value.name)
                given = resolved.get(producer) if producer in aliasing else None
                if given and len(given) <= _MAX_ALIASES:
                    names.extend(_Value(alias.name, value.span, value.by_key, value.top) for alias in given)
                else:
                    names.append(value)
            resolved[step_id] = names
            on_path.discard(step_id)
            stack.pop()
        return resolved[start]

    # -- intended waits ----------------------------------------------------------

    def add_intended_waits(self, ordered: list[DeclaredEdge]) -> None:
        order = _Reach(self.index, [(edge.source, edge.target) for edge in ordered])
        writers = order.mask([draft.id for _, draft in self.steps if draft.writes])
        touching = order.mask([draft.id for _, draft in self.steps if draft.writes or draft.reads])
        reports = order.mask([draft.id for item, draft in self.steps if _is_report(item)], after=False)
        for item, draft in self.steps:
            action = text(item.get("action")) or ""
            span = self.doc.value_span(item, "action") if "action" in item else draft.span
            if action == "aws:sleep":
                for pred in order.direct_before(draft.id):
                    self._require(pred, draft.id, span, f"`{draft.id}` waits after `{pred}`")
                for succ in order.direct_after(draft.id):
                    self._require(draft.id, succ, span, f"`{draft.id}` delays `{succ}`")
            elif action in _APPROVALS:
                for pred in order.direct_before(draft.id):
                    self._require(
                        pred, draft.id, span, f"the approver of `{draft.id}` reviews what `{pred}` did"
                    )
                for later in order.after(draft.id, writers):
                    if self._implied_once("approves", draft.id, later):
                        draft.approves.append(Ref(later, draft.span))
            elif _is_check(item, draft):
                waits = action == "aws:waitForAwsResourceProperty"
                if waits:
                    self._wait_for_change(draft, item, order.direct_before(draft.id))
                for later in order.after(draft.id, touching if waits else writers):
                    step = self.builder.by_id[later]
                    if step.writes:
                        reason = f"`{later}` runs only if `{draft.id}` passed"
                    elif _overlapping(draft.reads, step.reads) or _observing(step, draft.reads):
                        reason = f"`{later}` needs the state `{draft.id}` waits for"
                    else:
                        continue
                    self._require(draft.id, later, span, reason)
            elif _is_report(item):
                api_span = self.doc.value_span(item["inputs"], "Api")
                for earlier in order.before(draft.id, past=reports):
                    self._require(
                        earlier, draft.id, api_span, f"`{draft.id}` reports the outcome of `{earlier}`"
                    )

    def _wait_for_change(self, draft: StepDraft, item: dict[Any, Any], before: Iterable[str]) -> None:
        """A wait right after a change through the same AWS service waits for
        the state that change makes, even when the two name it differently
        (a DB instance rebooted, the cluster's instances described)."""
        service = (text(mapping_at(item, "inputs").get("Service")) or "").lower()
        for pred in before:
            called = mapping_at(self.items.get(pred, {}), "inputs")
            if service and (text(called.get("Service")) or "").lower() == service and self.builder.by_id[pred].writes:
                self._require(pred, draft.id, draft.span, f"`{draft.id}` waits for the state `{pred}` changes")

    def _require(self, source: str, target: str, span: Span, reason: str) -> None:
        """One need per pair, with the first reason found."""
        if self._implied_once("needs", source, target):
            self.builder.require(source, target, span, reason)

    def _implied_once(self, kind: str, source: str, target: str) -> bool:
        """Whether this link is new; past the edge limit the runbook is too
        large (a branch of thousands of choices, thousands of reports)."""
        key = (kind, source, target)
        if key in self._implied:
            return False
        self._implied.add(key)
        if len(self._implied) > self.builder.limits.max_edges:
            raise TooLarge(f"the order it implies has over {self.builder.limits.max_edges:,} edges")
        return True


class _Reach:
    """Which steps come before which along some edges (cycles allowed), as
    ancestor bitsets: one pass, then each question is a bit test or a walk
    over the bits set."""

    def __init__(self, index: dict[str, int], edges: list[tuple[str, str]]) -> None:
        self.index = index
        self.ids = list(index)
        self.preds: list[list[int]] = [[] for _ in self.ids]
        self.succs: list[list[int]] = [[] for _ in self.ids]
        for source, target in edges:
            if source in index and target in index:
                self.preds[index[target]].append(index[source])
                self.succs[index[source]].append(index[target])
        self._forward = reachability(self.preds)
        self._backward: Reachability | None = None  # built when `after` is first asked
        self._at: dict[int, list[list[int]]] = {}  # id of a reachability -> position -> steps

    def reaches(self, source: str, target: str) -> bool:
        if source not in self.index or target not in self.index:
            return False
        return self._forward.reaches(self.index[source], self.index[target])

    def direct_before(self, step_id: str) -> list[str]:
        return [self.ids[node] for node in self.preds[self.index[step_id]]]

    def direct_after(self, step_id: str) -> list[str]:
        return [self.ids[node] for node in self.succs[self.index[step_id]]]

    def before(self, step_id: str, past: int) -> list[str]:
        """The steps before this one, less those before a step of `past` (a
        `mask`) that is itself before it: such a step (an earlier report)
        already requires them, so that a chain of reports is a chain in D,
        not a clique."""
        reach, node = self._forward, self.index[step_id]
        earlier = reach.ancestors[node]
        covered = 0
        pending = earlier & past
        while pending:
            latest = pending.bit_length() - 1  # positions are in topological order
            covered |= reach.ancestors[self._steps_at(reach)[latest][0]]
            pending &= ~(1 << latest | covered)
        return self._members(reach, node, ~covered)

    def after(self, step_id: str, among: int) -> list[str]:
        """The steps of `among` (a `mask`) after this one."""
        return self._members(self._after(), self.index[step_id], among)

    def mask(self, step_ids: list[str], after: bool = True) -> int:
        """A bitset of steps for `after` (or `before`): made once, so that a
        long chain of checks costs bit operations, not a walk over every step each."""
        positions = (self._after() if after else self._forward).position
        mask = 0
        for step_id in step_ids:
            mask |= 1 << positions[self.index[step_id]]
        return mask

    def _after(self) -> Reachability:
        if self._backward is None:
            self._backward = reachability(self.succs)
        return self._backward

    def _steps_at(self, reach: Reachability) -> list[list[int]]:
        """Position -> the steps there (the steps of a cycle share one)."""
        at = self._at.get(id(reach))
        if at is None:
            at = self._at[id(reach)] = [[] for _ in reach.position]
            for node, position in enumerate(reach.position):
                at[position].append(node)
        return at

    def _members(self, reach: Reachability, node: int, among: int) -> list[str]:
        mask = reach.ancestors[node]
        if reach.cyclic[node]:
            mask |= 1 << reach.position[node]
        mask &= among
        at = self._steps_at(reach)
        found: list[str] = []
        while mask:
            low = mask & -mask
            mask ^= low
            found.extend(self.ids[other] for other in at[low.bit_length() - 1] if other != node)
        return found


class _CommandReader:
    """One Command document of the stream into the builder: its steps run
    one after the other on each instance it targets, and change it."""

    def __init__(self, builder: RunbookBuilder, doc: Document, prefix: str) -> None:
        self.builder = builder
        self.doc = doc
        self.prefix = prefix
        key = _steps_key(doc.data)
        self.container = doc.data[key]
        wanted = list if key == "mainSteps" else dict
        if not isinstance(self.container, wanted):
            what = "a list of steps" if wanted is list else "a mapping of plugins to their properties"
            raise AdapterError(Issue(doc.value_span(doc.data, key), f"`{key}` must be {what}"))
        # (the step's mapping, its draft, its action or plugin, where that is written), in order
        self.steps: list[tuple[Any, StepDraft, str, Span]] = []

    def add_steps(self) -> None:
        if isinstance(self.container, list):
            self._main_steps(self.container)
        else:
            self._plugins(self.container)

    def _main_steps(self, steps: list[Any]) -> None:
        for position, item in enumerate(steps):
            name = _step_name(self.builder, self.doc, steps, position)
            if name is None:
                continue
            action = _step_action(self.builder, self.doc, item, name)
            draft = self.builder.step(
                self.prefix + name,
                self.doc.value_span(item, "name"),
                title=_command_title(action, item.get("inputs")),
                extent=self.doc.value_span(steps, position),
            )
            span = self.doc.value_span(item, "action") if action else draft.span
            self.steps.append((item, draft, action, span))

    def _plugins(self, plugins: dict[Any, Any]) -> None:
        """Schema 1.2: each entry of a plugin's `properties` is a run of the
        plugin, named by its `id` (else by the plugin).  The document names no
        order between them: file order is taken."""
        for plugin, config in plugins.items():
            properties = config.get("properties") if isinstance(config, dict) else None
            entries: list[tuple[Any, Any, Any]]  # container, key or index, entry
            if isinstance(properties, list):
                entries = [(properties, index, entry) for index, entry in enumerate(properties)]
            elif isinstance(properties, dict):
                entries = [(config, "properties", properties)]
            else:
                entries = [(plugins, plugin, config)]
            plugin_span = self.doc.key_span(plugins, plugin)
            for container, key, entry in entries:
                given = text(entry.get("id")) if isinstance(entry, dict) else None
                if given and given.strip():
                    name, span = given, self.doc.value_span(entry, "id")
                else:
                    name = plugin if len(entries) == 1 else f"{plugin}/{key}"
                    span = plugin_span
                draft = self.builder.step(
                    self.prefix + name,
                    span,
                    title=_command_title(str(plugin), entry),
                    extent=self.doc.value_span(container, key),
                )
                self.steps.append((entry, draft, str(plugin), plugin_span))

    def add_flow(self) -> None:
        for (_, before, _, _), (_, after, _, _) in itertools.pairwise(self.steps):
            self.builder.wait(before.id, after.id, after.span, EdgeKind.SEQUENCE)
        for _, draft, action, span in self.steps:
            if not action:
                continue  # (RL002) it does nothing
            uses = draft.reads if action.strip() in _COLLECTS else draft.writes
            uses.append(Ref(_INSTANCE, span))
        self._platform_alternatives()

    def _platform_alternatives(self) -> None:
        """Two steps whose preconditions want different values of one variable
        (`platformType` Linux and Windows) never both run on an instance: each
        excludes the other.  A step's precondition is no data it waits for."""
        conditions = [
            (draft, condition)
            for item, draft, _, _ in self.steps
            if (condition := _precondition(self.doc, item)) is not None
        ]
        # The pairs grow with the square of the steps; they only keep apart
        # steps that run one after the other anyway, so many are left at that.
        if len(conditions) > _MAX_EXCLUDING_CHOICES:
            return
        for draft, (variable, value, span) in conditions:
            for other, (other_variable, other_value, _) in conditions:
                if other is not draft and other_variable == variable and other_value != value:
                    draft.excludes.append(Ref(other.id, span))


def _precondition(doc: Document, item: Any) -> tuple[str, str, Span] | None:
    """(variable, value, where it is written) of a Command step's
    `precondition: {StringEquals: [variable, value]}`, or None: the step runs
    only where the variable (`platformType`, or a `{{ parameter }}`) has that value."""
    condition = item.get("precondition") if isinstance(item, dict) else None
    operands = condition.get("StringEquals") if isinstance(condition, dict) else None
    if not isinstance(operands, list) or len(operands) != 2:
        return None
    variable, value = text(operands[0]), text(operands[1])
    if not variable or value is None:
        return None
    return variable.strip(), value.strip(), doc.value_span(item, "precondition")


def _command_title(action: str, inputs: Any) -> str | None:
    """A Command step's plugin, with the document or package it runs."""
    if not action:
        return None
    subject = None
    if isinstance(inputs, dict):
        subject = text(inputs.get("documentPath")) or text(inputs.get("name"))
    return f"{action} {subject}" if subject else action


def _is_check(item: dict[Any, Any], draft: StepDraft) -> bool:
    """An assertion, a wait, or a script given no resource (it can only
    compute or check): when it fails the run stops before the changes after it."""
    action = text(item.get("action"))
    return action in _READS_ONLY or (action == "aws:executeScript" and not draft.writes)


def _overlapping(refs: list[Ref], others: list[Ref]) -> bool:
    return any(overlaps(ref.name, other.name) for ref in refs for other in others)


def _observing(step: StepDraft, refs: list[Ref]) -> bool:
    """Whether a step observes a scope holding one of `refs` (an alarm
    check reads the state of everything: `*`)."""
    return any(scope.name == "*" for scope in step.observes) or _overlapping(step.observes, refs)


def _is_report(item: dict[Any, Any]) -> bool:
    inputs = item.get("inputs")
    if text(item.get("action")) != "aws:executeAwsApi" or not isinstance(inputs, dict):
        return False
    service, api = text(inputs.get("Service")), text(inputs.get("Api"))
    if not service or not api:
        return False
    return (service.lower(), api.lower()) in _REPORTS


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _title(action: str, inputs: Any) -> str | None:
    if not action:
        return None
    if not isinstance(inputs, dict):
        return action
    service, api = text(inputs.get("Service")), text(inputs.get("Api"))
    if service and api:
        return f"{action} {service}.{api}"
    for key in ("DocumentName", "FunctionName", "StackName"):
        subject = text(inputs.get(key))
        if subject:
            return f"{action} {subject}"
    return action


def _default_duration(action: str | None, item: dict[Any, Any]) -> Duration | None:
    """SSM's default for each kind of step (docs/format.md, Durations): an
    `aws:branch` takes no time, an `aws:sleep` its `Duration`; anything
    else (an `aws:sleep` until a `Timestamp`, an approval, a pause until
    resumed, a wait, an API call or a script) is unknown."""
    if action == "aws:branch":
        return format_default(0.0, "an `aws:branch` step")
    if action == "aws:sleep":
        return format_default(_sleep_minutes(item), "an `aws:sleep` step (its `Duration`)")
    return None


def _sleep_minutes(item: dict[Any, Any]) -> float | None:
    inputs = item.get("inputs")
    value = inputs.get("Duration") if isinstance(inputs, dict) else None
    match = _ISO_DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (float(part) if part else 0.0 for part in match.groups())
    return days * 1440 + hours * 60 + minutes + seconds / 60


# -- resource names ------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """A resource name a step's inputs may pass, and where."""

    name: str
    span: Span
    by_key: bool  # under a key (or filter field) that says it names a resource
    top: str  # the input key it is written under ("" for what the call addresses)


def _values(doc: Document, item: dict[Any, Any]) -> list[_Value]:
    """Every name a step's inputs hold: ids by key, and the other values
    (a resource when some step of the runbook passes the same one by key)."""
    action = text(item.get("action")) or ""
    inputs = item.get("inputs")
    if action in _TOUCHES_NOTHING or not isinstance(inputs, dict):
        return []
    return list(_resource_names(doc, inputs))


def _passed(doc: Document, item: dict[Any, Any], values: list[_Value], known: set[str]) -> list[_Value]:
    """The resources a step passes, as written: ids by key and values that
    equal an id of `known` wherever they sit, or for a call naming none,
    what it addresses (an account setting, a child document)."""
    action = text(item.get("action")) or ""
    inputs = item.get("inputs")
    if action in _TOUCHES_NOTHING or not isinstance(inputs, dict):
        return []
    by_key = {value.name for value in values if value.by_key}
    # (a value the step also passes by key is that use, not a second one)
    # (tested name by name: `known` holds every id of the runbook, too many
    # to copy for each step)
    named = [value for value in values if value.by_key or (value.name in known and value.name not in by_key)]
    if named:
        return named
    service, api = text(inputs.get("Service")), text(inputs.get("Api"))
    document = text(inputs.get("DocumentName"))
    if service and api:
        name, span = f"{service}/{_api_subject(api)}", doc.value_span(inputs, "Api")
    elif document and action in _RUNS_DOCUMENT:
        name, span = f"{action[len('aws:'):]}/{document}", doc.value_span(inputs, "DocumentName")
    else:
        return []
    resource = _without_globs(name)
    return [_Value(resource, span, True, "")] if resource else []


def _invoked(item: dict[Any, Any]) -> frozenset[str]:
    """The input keys naming what the step runs (a Lambda function, a state
    machine): it uses that, it does not change it."""
    action = text(item.get("action")) or ""
    inputs = mapping_at(item, "inputs")
    if action == "aws:executeAwsApi":
        service, api = text(inputs.get("Service")) or "", text(inputs.get("Api")) or ""
        return _INVOKING_APIS.get((service.lower(), api.lower()), frozenset())
    return _INVOKING_ACTIONS.get(action, frozenset())


def _reads_only(inputs: Any) -> bool:
    """An API call that only reads (Describe, Get, List...)."""
    api = text(inputs.get("Api")) if isinstance(inputs, dict) else None
    return bool(api and api.lower().startswith(_READ_APIS))


def _api_subject(api: str) -> str:
    """What an API call is about, without its verb: `EnableEbsEncryptionByDefault`
    and `GetEbsEncryptionByDefault` both address `EbsEncryptionByDefault`."""
    words = _WORD.findall(api)
    verbs = 2 if words[:1] == ["Batch"] else 1
    return "".join(words[verbs:]) or api


def _resource_names(doc: Document, inputs: dict[Any, Any]) -> Iterator[_Value]:
    """The names the inputs pass.  An Application Auto Scaling call's
    `ScalableDimension` names a part of the resource it is keyed with (a
    table's read and its write capacity are scaled apart)."""
    dimension = text(inputs.get("ScalableDimension"))
    part = _without_globs(dimension.replace("/", ":")) if dimension and "{{" not in dimension else None
    for value in _values_written(doc, inputs):
        if part and value.by_key:
            value = _Value(f"{value.name}/{part}", value.span, True, value.top)
        yield value


def _values_written(doc: Document, inputs: dict[Any, Any]) -> Iterator[_Value]:
    # (node, the key naming it, a span fixed inside a JSON string or None,
    # container, key or index, the input key it is under)
    pending: deque[tuple[Any, str | None, Span | None, Any, Any, str]] = deque(
        [(inputs, None, None, None, None, "")]
    )
    while pending:
        node, key, fixed, container, where, top = pending.popleft()
        if isinstance(node, dict):
            pair = _pair(node)
            for child_key, child in node.items():
                if child_key in _NOT_RESOURCES:
                    continue
                under = top or str(child_key)
                if pair is not None and child_key in pair[1]:
                    if child_key == pair[1][-1]:
                        # The values of a filter on a field naming ids are ids.
                        named = "Id" if _names_resource(pair[0]) else None
                        pending.append((child, named, fixed, node, child_key, under))
                    continue
                pending.append((child, str(child_key), fixed, node, child_key, under))
        elif isinstance(node, list):
            pending.extend((child, key, fixed, node, index, top) for index, child in enumerate(node))
        elif isinstance(node, str) and (parsed := _json_object(node)) is not None:
            pending.append((parsed, None, fixed or doc.value_span(container, where), None, None, top))
        elif isinstance(node, bool) or not (value := text(node)):
            continue
        elif key is not None and _names_resource(key):
            for name, span in _named(value, fixed or doc.value_span(container, where)):
                yield _Value(name, span, True, top)
        elif isinstance(node, str) and not _is_prose(value):
            for name, span in _named(value, fixed or doc.value_span(container, where)):
                yield _Value(name, span, False, top)


def _is_prose(value: str) -> bool:
    """Words, not a name: white space outside its `{{ references }}`."""
    return any(char.isspace() for char in _REFERENCE.sub("", value.strip()))


def _json_object(value: str) -> dict[Any, Any] | None:
    """A string holding a JSON object (an InputPayload or Payload written as JSON)."""
    if not value.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _pair(node: dict[Any, Any]) -> tuple[str, tuple[str, ...]] | None:
    """(the field, its keys: the field's and the value's last) of an AWS
    filter or target (`{Name|Key: field, Values: [...]}`) or a stack's
    parameter (`{ParameterKey: field, ParameterValue: value}`)."""
    if "Values" in node:
        field = text(node.get("Name")) or text(node.get("Key"))
        return (field, ("Name", "Key", "Values")) if field is not None else None
    if "ParameterValue" in node:
        field = text(node.get("ParameterKey"))
        return (field, ("ParameterKey", "ParameterValue")) if field is not None else None
    return None


def _names_resource(key: str) -> bool:
    words = [word.lower() for word in _WORD.findall(key)]
    if not words:
        return False
    if words[-1] == "role" and len(words) > 1 and words[-2] == "assume":
        return False
    if words[0] in ("expected", "desired"):  # a value to compare with, like DesiredValues
        return False
    return words[-1] in _RESOURCE_WORDS or tuple(words[-2:]) in _RESOURCE_PHRASES


def _named(value: str, span: Span) -> Iterator[tuple[str, Span]]:
    """The resources a value names: its references, else the literal id."""
    references = [
        re.sub(r"\s+", "", match.group(1))
        for match in _REFERENCE.finditer(value)
        if not match.group(1).strip().startswith(_VARIABLE_PREFIXES)
    ]
    # `{{ automation:EXECUTION_ID }}` is part of the name, however spaced.
    literal = _REFERENCE.sub(lambda match: "{{" + re.sub(r"\s+", "", match.group(1)) + "}}", value.strip())
    if not references and any(char.isspace() for char in literal):
        return  # prose, not an id
    for written in ["{{" + reference + "}}" for reference in references if reference] or [literal]:
        name = _without_globs(written)
        if name:
            yield name, span


def _without_globs(name: str) -> str | None:
    """A resource name cut before its first segment holding a glob character
    (`arn:aws:s3:::bucket/*` is the bucket), or None when nothing is left."""
    kept = []
    for segment in name.split("/"):
        if _GLOB.search(segment):
            break
        kept.append(segment)
    cut = "/".join(kept)
    return cut if cut.strip("/") else None


FORMAT = InputFormat(
    name="ssm",
    title="AWS SSM Automation or Command",
    detect=detect,
    build=build,
    keys=("mainSteps", "runtimeConfig"),
    priority=10,
    wait_key=None,
)
