#!/usr/bin/env python3
"""Generate the recoverylint benchmark corpus.

    python benchmarks/generate.py OUTDIR

writes OUTDIR/many/rb-0000.yaml .. rb-0999.yaml (20-60 steps each) and
OUTDIR/single/steps-1000.yaml, steps-10000.yaml, steps-50000.yaml.

The output is a pure function of SEED. YAML text is built as strings (block
style, 2-space indent) rather than dumped through a YAML library, so that the
50,000-step file takes about a second to write.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20250611
MANY_COUNT = 1000
MANY_MIN_STEPS = 20
MANY_MAX_STEPS = 60
SINGLE_SIZES = (1000, 10000, 50000)

SERVICES = (
    "orders", "payments", "checkout", "search", "inventory", "auth", "billing",
    "notifications", "catalog", "shipping", "ledger", "profile", "pricing",
    "recommendations", "sessions", "media", "ingest", "reports",
)
INCIDENTS = (
    ("db-outage", "database unresponsive"),
    ("latency-spike", "p99 latency above SLO"),
    ("bad-deploy", "errors after a deploy"),
    ("cache-poisoning", "stale or poisoned cache entries"),
    ("queue-backlog", "message backlog growing"),
    ("disk-full", "primary disk full"),
    ("conn-exhaustion", "database connections exhausted"),
)
# Weighted by repetition: most estimates are a few minutes.
DURATIONS = ("5m", "5m", "5m", "10m", "10m", "2m", "2m", "90s", "15m", "30m", "1h", "1h30m", "3", "10")
# Why a step waits, by (phase of the waiting step, phase of the step it needs):
# a `needs` reason marks the gate as intended.
REASONS = {
    ("remediate", "diagnose"): ("the cause must be confirmed before anything is changed",
                                "the error signature decides which fix applies"),
    ("remediate", "remediate"): ("one change at a time on this cell",),
    ("verify", "remediate"): ("check only once the change has landed",),
    ("verify", "verify"): ("the check is meaningless while traffic is still shifting",),
    ("communicate", "triage"): ("customers hear about it only once the scope is known",),
    ("diagnose", "diagnose"): ("the logs only make sense once we know which pods fail",),
}
PODS = tuple(f"p{i}" for i in range(1, 10))
Fact = tuple[str, str]  # a fact as (base name, name as written)


@dataclass(frozen=True)
class Kind:
    """A kind of step. Resource specs are `token` or `token/sub`; `pods/*` picks one pod."""

    slug: str
    role: str
    title: str  # str.format fields: svc, pod
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    wants: str | None = None  # base name of the fact the step prefers as input
    output: str | None = None
    run: tuple[str, ...] = ()
    rollback: str | None = None
    check: tuple[str, str, str] | None = None  # how a verify step checks this change: slug, title, shell


KINDS: dict[str, tuple[Kind, ...]] = {
    "detect": (
        Kind("ack-alert", "commander", "Acknowledge the page, open a channel",
             wants="alert", output="incident-open",
             run=('pd incident ack --id "$INCIDENT_ID"', "slack-cli channel create inc-$INCIDENT_ID")),
        Kind("confirm-alert", "diagnostician", "Confirm the {svc} alert is real",
             reads=("lb",), wants="alert", output="impact-confirmed",
             run=("curl -sf https://{svc}.internal/healthz", "curl -s https://{svc}.internal/metrics | grep http_5xx")),
    ),
    "triage": (
        Kind("assess-impact", "diagnostician", "Measure the share of failing {svc} requests",
             reads=("lb",), wants="impact-confirmed", output="impact-scope",
             run=("promql 'sum(rate(http_requests_total{{job=\"{svc}\",code=~\"5..\"}}[5m]))'",)),
        Kind("declare-severity", "commander", "Declare the severity",
             wants="impact-scope", output="severity",
             run=("Declare SEV-2 in the channel if more than 5% of requests fail, SEV-3 otherwise.",)),
        Kind("check-saturation", "diagnostician", "Check saturation of {svc} pods",
             reads=("pods",), output="saturation-overview",
             run=("kubectl -n {svc} top pods --sort-by=cpu | head -20",)),
        Kind("page-secondary", "commander", "Page the {svc} secondary on-call",
             wants="severity", output="responders-paged",
             run=("pd incident add-responder --escalation-policy {svc}-secondary",)),
    ),
    "diagnose": (
        Kind("check-disk", "diagnostician", "Check disk usage on the {svc} primary",
             reads=("db/disk",), output="disk-usage",
             run=("df -h /var/lib/postgresql/data", "du -sh /var/lib/postgresql/data/pg_wal")),
        Kind("check-replication", "diagnostician", "Check replica lag of {svc}-db",
             reads=("db/replica-1", "db/replica-2"), output="replication-lag",
             run=("psql -h {svc}-db -c 'table pg_stat_replication'",)),
        Kind("list-deploys", "diagnostician", "List deploys of {svc} in the last six hours",
             reads=("deploy",), output="recent-deploys",
             run=("kubectl -n {svc} rollout history deploy/{svc}",)),
        Kind("inspect-logs", "diagnostician", "Read the error log of pod {pod}",
             reads=("pods/*",), wants="impact-scope", output="error-signature",
             run=("kubectl -n {svc} logs {pod} --since=30m | grep -i error | tail -50",)),
        Kind("check-cache", "diagnostician", "Check the hit rate of the {svc} cache",
             reads=("cache",), output="cache-hit-rate",
             run=("redis-cli -h {svc}-cache info stats | grep keyspace",)),
        Kind("check-queue", "diagnostician", "Check queue depth and consumer lag",
             reads=("queue",), output="queue-depth",
             run=("rabbitmqctl list_queues name messages consumers | grep {svc}",)),
        Kind("check-connections", "diagnostician", "Count open connections on {svc}-db",
             reads=("db/connections",), output="connection-count",
             run=("psql -h {svc}-db -c 'table pg_stat_activity'",)),
        Kind("check-latency", "diagnostician", "Compare upstream latency in the pool",
             reads=("lb/pool",), output="latency-breakdown",
             run=("curl -s http://lb.internal/stats/{svc} | jq '.upstreams[] | {{name, p99}}'",)),
        Kind("capture-heap", "diagnostician", "Capture a heap dump from pod {pod}",
             reads=("pods/*",), wants="saturation-overview", output="heap-dump",
             run=("kubectl -n {svc} exec {pod} -- jcmd 1 GC.heap_dump /tmp/heap.hprof",
                  "kubectl -n {svc} cp {pod}:/tmp/heap.hprof ./heap-{pod}.hprof")),
    ),
    "remediate": (
        Kind("clear-archive", "remediator", "Delete WAL archives older than seven days",
             reads=("db/disk",), writes=("db/disk",), wants="disk-usage", output="space-freed",
             run=("find /var/lib/postgresql/archive -name '*.gz' -mtime +7 -delete",),
             rollback="restore the archive from the nightly snapshot",
             check=("confirm-disk-space", "Confirm disk usage on the primary is below 80%", "df -h /var/lib/postgresql/data")),
        Kind("restart-pod", "remediator", "Restart pod {pod}",
             writes=("pods/*",), wants="error-signature", output="pod-restarted",
             run=("kubectl -n {svc} delete pod {pod} --wait=false",),
             rollback="nothing to undo, the deployment recreates the pod",
             check=("confirm-pod-ready", "Confirm the replacement pod is ready", "kubectl -n {svc} get pods -o wide")),
        Kind("rollback-deploy", "remediator", "Roll {svc} back to the previous release",
             writes=("deploy",), wants="recent-deploys", output="release-rolled-back",
             run=("kubectl -n {svc} rollout undo deploy/{svc}", "kubectl -n {svc} rollout status deploy/{svc} --timeout=5m"),
             rollback="kubectl rollout undo again to return to the new release",
             check=("confirm-release", "Confirm every pod runs the previous image", "kubectl -n {svc} get deploy {svc} -o jsonpath='{{.spec.template.spec.containers[0].image}}'")),
        Kind("scale-out", "remediator", "Scale {svc} out to twelve replicas",
             writes=("deploy/replicas",), wants="latency-breakdown", output="capacity-added",
             run=("kubectl -n {svc} scale deploy/{svc} --replicas=12",),
             rollback="scale back to six replicas",
             check=("confirm-capacity", "Confirm twelve replicas are serving", "kubectl -n {svc} get deploy {svc}")),
        Kind("flush-cache", "remediator", "Flush poisoned session keys from the {svc} cache",
             writes=("cache/keys",), wants="cache-hit-rate", output="cache-flushed",
             run=("redis-cli -h {svc}-cache --scan --pattern 'session:*' | xargs -r redis-cli -h {svc}-cache del",),
             rollback="nothing to undo, the cache refills from the database",
             check=("confirm-hit-rate", "Confirm the cache hit rate recovers above 90%", "redis-cli -h {svc}-cache info stats")),
        Kind("failover-db", "remediator", "Fail {svc}-db over to replica-1",
             reads=("db/replica-1",), writes=("db/primary", "db/replica-1"), wants="replication-lag", output="primary-promoted",
             run=("patronictl -c /etc/patroni.yml failover --candidate {svc}-db-replica-1 --force",),
             rollback="fail back once the old primary has been rebuilt",
             check=("confirm-primary", "Confirm the new primary accepts writes", "psql -h {svc}-db -c 'select pg_is_in_recovery()'")),
        Kind("drain-traffic", "remediator", "Drain unhealthy pool members",
             writes=("lb/weights",), wants="latency-breakdown", output="traffic-drained",
             run=("lbctl set-weight {svc} --member unhealthy --weight 0",),
             rollback="restore the weights from lb/{svc}.weights.bak",
             check=("confirm-drain", "Confirm drained members receive no requests", "curl -s http://lb.internal/stats/{svc}")),
        Kind("raise-conn-limit", "remediator", "Raise max_connections on {svc}-db to 400",
             writes=("db/config",), wants="connection-count", output="conn-limit-raised",
             run=("psql -h {svc}-db -c 'alter system set max_connections = 400'", "pg_ctl reload -D /var/lib/postgresql/data"),
             rollback="alter system reset max_connections and reload",
             check=("confirm-connections", "Confirm connection errors have stopped", "psql -h {svc}-db -c 'select count(*) from pg_stat_activity'")),
        Kind("pause-consumers", "remediator", "Pause consumers and park poison messages",
             writes=("queue/consumers", "queue/dlq"), wants="queue-depth", output="consumers-paused",
             run=("rabbitmqctl set_parameter shovel park-{svc} '{{\"src-queue\": \"{svc}\", \"dest-queue\": \"{svc}.dlq\"}}'",),
             rollback="resume the consumers and replay the parked messages",
             check=("confirm-queue-drain", "Confirm the backlog is shrinking", "rabbitmqctl list_queues name messages | grep {svc}")),
    ),
    "verify": (
        Kind("check-slo", "diagnostician", "Watch the {svc} error rate for ten minutes",
             reads=("lb",), wants="impact-scope", output="slo-restored",
             run=("promql 'sum(rate(http_requests_total{{job=\"{svc}\",code=~\"5..\"}}[10m]))'",)),
    ),
    "communicate": (
        Kind("post-status", "communicator", "Post an update on the status page",
             writes=("page",), wants="severity", output="status-posted",
             run=("statuspage incidents update --component {svc} --status identified",)),
        Kind("notify-stakeholders", "communicator", "Post a summary in the incidents channel",
             wants="impact-scope", output="stakeholders-notified",
             run=("Post impact, current hypothesis and next update time in #incidents.",)),
        Kind("update-support", "communicator", "Brief customer support on the workaround",
             output="support-briefed",
             run=("Send the support macro with the workaround to the support lead.",)),
    ),
    "close": (
        Kind("resolve-incident", "commander", "Declare the incident resolved",
             wants="slo-restored", output="incident-resolved",
             run=("Declare the incident resolved in the channel and stop the pager.",)),
        Kind("schedule-postmortem", "commander", "Schedule the postmortem",
             output="postmortem-scheduled",
             run=("Book the postmortem within five working days and assign an owner.",)),
    ),
}
DECIDE = Kind("choose-remediation", "commander", "Choose between rolling back and a hotfix",
              wants="recent-deploys", output="remediation-chosen",
              run=("Pick the rollback unless the release contains a schema migration.",))
HOTFIX = Kind("deploy-hotfix", "remediator", "Deploy the hotfix build of {svc}",
              writes=("deploy",), wants="error-signature", output="hotfix-deployed",
              run=("kubectl -n {svc} set image deploy/{svc} app=registry.internal/{svc}:hotfix",),
              rollback="kubectl rollout undo to the release before the hotfix",
              check=("confirm-hotfix", "Confirm the hotfix pods serve without errors", "kubectl -n {svc} logs -l app={svc} --since=5m | grep -c ERROR"))
# Facts a step may use as supporting evidence besides the one it wants.
EVIDENCE = {k.output for ph in ("detect", "triage", "diagnose") for k in KINDS[ph]}
ROLLBACK = next(k for k in KINDS["remediate"] if k.slug == "rollback-deploy")
KICKOFF = Kind("assign-cells", "commander", "Assign cells to responders for this stage",
               output="cells-assigned", run=("Post the cell assignment table in the incident channel.",))


@dataclass
class Cell:
    """One service (a small runbook) or one cell of a fleet (a big runbook) and its resources."""

    name: str
    res: dict[str, str]  # resource token -> declared resource name


@dataclass
class Step:
    """A step planned in file order; `needs` and `inputs` are filled when it is emitted."""

    sid: str
    phase: str
    kind: Kind
    cell: Cell
    pod: str
    reads: list[str]
    writes: list[str]
    outputs: list[str]
    duration: str | None
    verifies: Step | None = None
    decides: list[str] = field(default_factory=list)
    excludes: str | None = None
    pre_approved: bool = False
    needs: list[str] = field(default_factory=list)
    pool: list[Fact] = field(default_factory=list)  # facts known to be produced before it


def make_cell(rng: random.Random, name: str) -> Cell:
    """A handful of resources: always a database, pods, a deployment and a load balancer."""
    res = {
        "db": f"{name}-db",
        "pods": f"k8s/{name}/pods",
        "deploy": f"k8s/{name}/deploy",
        "lb": f"lb/{name}",
        "page": "status-page",
    }
    if rng.random() < 0.5:
        res["cache"] = f"{name}-cache"
    if rng.random() < 0.4:
        res["queue"] = f"mq/{name}"
    return Cell(name, res)


RESOURCE_KINDS = {
    "db": "database", "pods": "pods", "deploy": "deployment", "lb": "load-balancer",
    "cache": "cache", "queue": "queue",
}


class Planner:
    """Plans the steps of one runbook in file order: kinds, ids, resources, facts, verifications."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.seen_facts: set[str] = set()
        self.unverified: dict[str, list[Step]] = {}  # cell name -> changes not yet verified
        self.used: dict[tuple[str, str], int] = {}  # (cell name, kind slug) -> times used

    def usable(self, phase: str, cell: Cell) -> list[Kind]:
        return [k for k in KINDS[phase]
                if all(spec.split("/")[0] in cell.res for spec in k.reads + k.writes)]

    def pick(self, phase: str, cell: Cell) -> Kind:
        """The least used kind of the phase in this cell, so a runbook repeats a step kind
        only once it has used the others; opening and closing steps keep catalogue order."""
        kinds = self.usable(phase, cell)
        least = min(self.used.get((cell.name, k.slug), 0) for k in kinds)
        fresh = [k for k in kinds if self.used.get((cell.name, k.slug), 0) == least]
        return fresh[0] if phase in ("detect", "close") else self.rng.choice(fresh)

    def resolve(self, spec: str, cell: Cell, pod: str) -> str:
        token, _, sub = spec.partition("/")
        if sub == "*":
            sub = pod
        return f"{cell.res[token]}/{sub}" if sub else cell.res[token]

    def fact(self, base: str) -> str:
        # The first producer gets the plain name; later ones are suffixed so a
        # big runbook does not have thousands of producers of one fact.
        name = base if base not in self.seen_facts else f"{base}-{self.count}"
        self.seen_facts.add(name)
        return name

    def step(self, phase: str, cell: Cell, kind: Kind | None = None) -> Step:
        rng = self.rng
        self.count += 1
        verifies = None
        if phase == "verify" and kind is None and self.unverified.get(cell.name) and rng.random() < 0.85:
            pending = self.unverified[cell.name]
            verifies = pending.pop(rng.randrange(len(pending)))
        if kind is None:
            kind = self.pick(phase, cell)
        key = (cell.name, kind.slug)
        self.used[key] = self.used.get(key, 0) + 1
        pod = rng.choice(PODS)
        duration = rng.choice(DURATIONS) if rng.random() < 0.85 else None
        if verifies is not None:
            assert verifies.kind.check is not None, "every kind that writes says how to check it"
            slug, title, shell = verifies.kind.check
            kind = Kind(slug, "diagnostician", title, wants=verifies.outputs[0] if verifies.outputs else None,
                        output=slug.removeprefix("confirm-") + "-confirmed", run=(shell,))
            reads = list(verifies.writes)
            pod = verifies.pod
        else:
            reads = [self.resolve(spec, cell, pod) for spec in kind.reads]
        writes = [self.resolve(spec, cell, pod) for spec in kind.writes]
        outputs = [self.fact(kind.output)] if kind.output else []
        st = Step(f"s-{self.count:05d}-{kind.slug}", phase, kind, cell, pod, reads, writes, outputs,
                  duration, verifies=verifies)
        if writes and phase == "remediate":
            self.unverified.setdefault(cell.name, []).append(st)
            st.pre_approved = rng.random() < 0.1
        return st

    def phases(self, n: int, full: bool) -> list[str]:
        """A plausible phase order for n steps. `full`: detect, triage, a status post, the
        body, a status post, close. Otherwise (one cell of a fleet) the body and a report.
        The body is diagnosis, then fixes with verifications shuffled in after the first fix."""
        rng = self.rng
        if full:
            head = ["detect"] * rng.randint(1, 2) + ["triage"] * min(4, max(2, n // 12)) + ["communicate"]
            tail = ["communicate"] + ["close"] * rng.randint(1, 2)
        else:
            head, tail = [], ["communicate"]
        body_n = max(n - len(head) - len(tail), 3)
        n_diag = max(1, round(body_n * 0.42))
        n_fix = max(1, round(body_n * 0.32))
        fixes = ["remediate"] * n_fix + ["verify"] * max(0, body_n - n_diag - n_fix)
        rest = fixes[1:]
        rng.shuffle(rest)
        return (head + ["diagnose"] * n_diag + fixes[:1] + rest + tail)[:n]

    def plan(self, phases: list[str], cell: Cell, allow_decide: bool) -> list[Step]:
        """Steps for a phase list; may turn three remediation steps into a decision and two alternatives."""
        steps: list[Step] = []
        decide_at = -1
        if allow_decide and "deploy" in cell.res:
            fix_idx = [i for i, p in enumerate(phases) if p == "remediate"]
            if len(fix_idx) >= 3 and fix_idx[2] - fix_idx[0] == 2:
                decide_at = fix_idx[0]
        i = 0
        while i < len(phases):
            if i == decide_at:
                chooser = self.step("remediate", cell, DECIDE)
                first = self.step("remediate", cell, ROLLBACK)
                second = self.step("remediate", cell, HOTFIX)
                chooser.decides = [first.sid, second.sid]
                first.excludes, second.excludes = second.sid, first.sid
                steps += [chooser, first, second]
                i += 3
                continue
            steps.append(self.step(phases[i], cell))
            i += 1
        return steps


class Writer:
    """Turns planned steps into YAML lines; fills in needs and inputs from the flow structure."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []

    def inputs(self, st: Step, pool: list[Fact]) -> list[str]:
        """Inputs only ever name facts produced before the step (or `alert`)."""
        rng = self.rng
        picked: list[str] = []
        want = st.kind.wants
        if want == "alert":
            picked.append("alert")
        elif want:
            for base, name in reversed(pool[-40:]):
                if base == want or name == want:
                    picked.append(name)
                    break
        evidence = [name for base, name in pool[-12:] if base in EVIDENCE]
        if evidence and (not picked or rng.random() < 0.15):
            extra = rng.choice(evidence)
            if extra not in picked:
                picked.append(extra)
        if not picked and rng.random() < 0.5:
            picked.append("alert")
        return picked

    def emit(self, st: Step, ind: str, pool: list[Fact]) -> None:
        """Write one step at indentation `ind` (where its `- ` goes)."""
        k, p, out = st.kind, ind + "  ", self.lines
        fmt = {"svc": st.cell.name, "pod": st.pod}
        out.append(f"{ind}- id: {st.sid}")
        out.append(f"{p}title: {k.title.format(**fmt)}")
        out.append(f"{p}role: {k.role}")
        out.append(f"{p}phase: {st.phase}")
        if st.duration is not None:
            out.append(f"{p}duration: {st.duration}")
        if st.needs:
            out.append(f"{p}needs: [{', '.join(st.needs)}]")
        ins = self.inputs(st, pool)
        if ins:
            out.append(f"{p}inputs: [{', '.join(ins)}]")
        if st.outputs:
            out.append(f"{p}outputs: [{', '.join(st.outputs)}]")
        if st.reads:
            out.append(f"{p}reads: [{', '.join(st.reads)}]")
        if st.writes:
            out.append(f"{p}writes: [{', '.join(st.writes)}]")
        if st.verifies is not None:
            out.append(f"{p}verifies: [{st.verifies.sid}]")
        if st.decides:
            out.append(f"{p}decides: [{', '.join(st.decides)}]")
        if st.excludes:
            out.append(f"{p}excludes: [{st.excludes}]")
        if st.pre_approved:
            out.append(f"{p}pre_approved: true")
        if k.rollback and self.rng.random() < 0.8:
            out.append(f"{p}rollback: {k.rollback.format(**fmt)}")
        if k.run:
            out.append(f"{p}run: |")
            for line in k.run[: self.rng.randint(1, 3)]:
                out.append(f"{p}  {line.format(**fmt)}")

    def need_ref(self, st: Step, need: Step) -> str:
        reasons = REASONS.get((st.phase, need.phase))
        if reasons and self.rng.random() < 0.2:
            return f'{{step: {need.sid}, reason: "{self.rng.choice(reasons)}"}}'
        return need.sid

    def sequential(self, steps: list[Step], ind: str, pool: list[Fact], blocks: bool) -> None:
        """A checklist. With `blocks`, a run of three or more diagnosis steps becomes a
        `parallel:` block (investigation fans out, then joins). Extends `pool`."""
        i = 0
        while i < len(steps):
            run = 0
            while blocks and i + run < len(steps) and steps[i + run].phase == "diagnose" and run < 6:
                run += 1
            if run >= 3:
                self.parallel_block(steps[i:i + run], ind, pool)
                i += run
            else:
                self.emit(steps[i], ind, pool)
                pool.extend(facts_of(steps[i]))
                i += 1

    def parallel_block(self, steps: list[Step], ind: str, pool: list[Fact]) -> None:
        """A `parallel:` block whose branches are steps or two-step `sequence:` threads."""
        rng = self.rng
        before = list(pool)  # every branch only knows what was known when the block started
        self.lines.append(f"{ind}- parallel:")
        inner = ind + "    "
        i = 0
        while i < len(steps):
            if i + 1 < len(steps) and rng.random() < 0.35:
                self.lines.append(f"{inner}- sequence:")
                thread = list(before)
                for st in steps[i:i + 2]:
                    self.emit(st, inner + "    ", thread)
                    thread.extend(facts_of(st))
                i += 2
            else:
                self.emit(steps[i], inner, before)
                i += 1
        for st in steps:
            pool.extend(facts_of(st))

    def with_needs(self, steps: list[Step], ind: str, settled: list[Fact], entry: list[str],
                   back: int, dense: float) -> list[Step]:
        """Items of a `flow: parallel` list, ordered only by needs. With probability `dense`
        a step needs 1-2 of the `back` steps before it, so needs never point forward and
        there are no cycles; steps that need nothing else need `entry`. Inputs come from
        `settled` (known before the list starts) and from the needed steps. Returns the
        sinks: the steps no other step of the list needs."""
        rng = self.rng
        needed: set[str] = set()
        last_diag: Step | None = None
        for j, st in enumerate(steps):
            chosen: list[Step] = []
            if j > 0 and rng.random() < dense:
                window = steps[max(0, j - back):j]
                chosen = rng.sample(window, min(len(window), 1 if rng.random() < 0.7 else 2))
            if st.writes and last_diag is not None and last_diag not in chosen:
                chosen.append(last_diag)  # a fix waits for a diagnosis
            if st.verifies is not None and st.verifies in steps[:j] and st.verifies not in chosen:
                chosen.append(st.verifies)
            if st.excludes:
                # An alternative waits for the decision, never for the other alternative.
                chosen = [c for c in chosen if c.sid != st.excludes and not c.decides]
                chosen += [s for s in steps[max(0, j - 2):j] if st.sid in s.decides]
            pool = settled[-20:]
            for c in chosen:
                pool += c.pool[-10:]
                pool += facts_of(c)
            st.pool = pool
            st.needs = [self.need_ref(st, c) for c in chosen] or list(entry)
            needed.update(c.sid for c in chosen)
            self.emit(st, ind, pool)
            if st.phase == "diagnose":
                last_diag = st
        return [st for st in steps if st.sid not in needed]



def facts_of(st: Step) -> list[Fact]:
    return [(st.kind.output or "", f) for f in st.outputs]


def header(rng: random.Random, slug: str, title: str, service: str, cells: list[Cell],
           team_size: int) -> list[str]:
    crit = rng.choice(("critical", "high", "high", "medium", "medium", "low"))
    out = [f"runbook: {slug}", f"title: {title}", f"service: {service}"]
    if rng.random() < 0.5:
        out.append("format: 1")
    out.append(f"criticality: {crit}")
    if rng.random() < 0.1:
        out.append("regulated: true")
    out += [
        "team:", f"  size: {team_size}", f"  drilled: {yaml_bool(rng.random() < 0.5)}",
        "tooling:", f"  automation: {yaml_bool(rng.random() < 0.6)}",
        f"  observability: {yaml_bool(rng.random() < 0.8)}",
        f"cost_per_minute: {rng.choice((50, 200, 800, 1500, 5000, 12000))}",
        "sync_overhead: 1m", "default_duration: 5m", "given: [alert]",
        "roles:",
        "  commander:", "    authority: [decide, approve, communicate]", "    people: 1",
        "  diagnostician:", "    authority: [observe]", f"    people: {rng.randint(1, 3)}",
        "  remediator:", "    authority: [apply, emergency]", "    approval: commander",
        f"    people: {rng.randint(1, 3)}",
        "  communicator:", "    authority: [communicate]", f"    people: {rng.randint(1, 2)}",
        "resources:",
    ]
    for cell in cells:
        for token, name in cell.res.items():
            if token != "page":
                out.append(f"  {name}: {{kind: {RESOURCE_KINDS[token]}}}")
    out.append("  status-page: {kind: page, concurrency: shared}")
    return out


def yaml_bool(value: bool) -> str:
    return "true" if value else "false"


def many_runbook(rng: random.Random, index: int) -> str:
    """One service's runbook; index % 3 picks a checklist, a parallel flow or stages."""
    base = SERVICES[index % len(SERVICES)]
    service = f"{base}-{index}"
    inc_slug, inc_title = rng.choice(INCIDENTS)
    cell = make_cell(rng, service)
    planner, writer = Planner(rng), Writer(rng)
    n = rng.randint(MANY_MIN_STEPS, MANY_MAX_STEPS)
    steps = planner.plan(planner.phases(n, full=True), cell, allow_decide=rng.random() < 0.3)
    out = writer.lines
    out += header(rng, f"{service}-{inc_slug}", f"{base.capitalize()} {inc_title}", service, [cell],
                  rng.randint(2, 8))
    shape = index % 3
    if shape == 0:
        if rng.random() < 0.2:
            out.append("flow: sequential")
        out.append("steps:")
        writer.sequential(steps, "  ", [], blocks=rng.random() < 0.4)
    elif shape == 1:
        out += ["flow: parallel", "steps:"]
        body = [s for s in steps if s.phase != "close"]
        sinks = writer.with_needs(body, "  ", [], [], back=4, dense=0.95)
        for st in (s for s in steps if s.phase == "close"):
            # Closing waits for every open thread.
            st.needs = [s.sid for s in sinks]
            writer.emit(st, "  ", [f for s in sinks for f in facts_of(s)])
            sinks = [st]
    else:
        out.append("stages:")
        small_stages(writer, steps)
    return "\n".join(out) + "\n"


def small_stages(writer: Writer, steps: list[Step]) -> None:
    """Stages of one service: triage sequential, investigate parallel, remediate
    sequential (sometimes with a parallel block), verify either way, close sequential."""
    rng = writer.rng
    groups: dict[str, list[Step]] = {"triage": [], "investigate": [], "remediate": [], "verify": [], "close": []}
    stage_of = {"detect": "triage", "triage": "triage", "diagnose": "investigate",
                "remediate": "remediate", "verify": "verify", "close": "close"}
    for st in steps:
        # The opening status post belongs to triage, the final one to close.
        default = "close" if groups["remediate"] else "triage"
        groups[stage_of.get(st.phase, default)].append(st)
    pool: list[Fact] = []
    for name, members in groups.items():
        if not members:
            continue
        parallel = name == "investigate" or (name == "verify" and rng.random() < 0.5)
        writer.lines += [f"  - stage: {name}", f"    flow: {'parallel' if parallel else 'sequential'}",
                         "    steps:"]
        if parallel:
            # Most investigation starts at once; a few checks wait for another.
            writer.with_needs(members, "      ", pool, [], back=3, dense=0.3)
            pool.extend(f for st in members for f in facts_of(st))
        else:
            writer.sequential(members, "      ", pool, blocks=name == "remediate" and rng.random() < 0.4)


def single_runbook(size: int) -> str:
    """A fleet-wide runbook of exactly `size` steps: a triage head, one segment of
    20-60 steps per cell, and a closing tail. 1,000 steps are a checklist with
    parallel blocks, 10,000 a parallel flow, 50,000 parallel stages."""
    rng = random.Random(SEED * 7 + size)
    planner, writer = Planner(rng), Writer(rng)
    first = make_cell(rng, "cell-0")
    head = planner.plan(["detect", "triage", "triage", "triage", "communicate"], first, allow_decide=False)
    cells = [first]
    segments: list[list[Step]] = []
    # A parallel stage opens with a kickoff that every cell thread needs, as a
    # commander would brief before fanning out; it also keeps each stage gate
    # one join instead of a product of the threads on both sides.
    shape = {1000: "checklist", 10000: "parallel"}.get(size, "stages")
    kickoffs = [planner.step("communicate", first, KICKOFF) for _ in range(3)] if shape == "stages" else []
    left = size - len(head) - len(kickoffs) - 3
    while left > 0:
        m = min(left, rng.randint(20, 60))
        if left - m < 10:
            m = left  # no tiny last segment
        cell = first if not segments else make_cell(rng, f"cell-{len(cells)}")
        if cell is not first:
            cells.append(cell)
        segments.append(planner.plan(planner.phases(m, full=False), cell, allow_decide=rng.random() < 0.3))
        left -= m
    tail = planner.plan(["communicate", "close", "close"], first, allow_decide=False)
    out = writer.lines
    out += header(rng, f"fleet-{size}-region-evacuation", f"Evacuate a failing region across {len(cells)} cells",
                  "edge-fleet", cells, 40)
    if shape == "checklist":
        out.append("steps:")
        writer.sequential(head + [s for seg in segments for s in seg] + tail, "  ", [], blocks=True)
    elif shape == "parallel":
        out += ["flow: parallel", "steps:"]
        writer.with_needs(head, "  ", [], [], back=1, dense=1.0)
        settled = [f for st in head for f in facts_of(st)]
        ends: list[str] = []
        for seg in segments:
            # Cells recover side by side: each cell is a thread that starts after triage.
            ends += [s.sid for s in writer.with_needs(seg, "  ", settled, [head[-1].sid], back=5, dense=0.95)]
        tail[0].needs = ends
        writer.emit(tail[0], "  ", settled)
        for prev, st in zip(tail, tail[1:]):
            st.needs = [prev.sid]
            writer.emit(st, "  ", settled + facts_of(prev))
    else:
        out.append("stages:")
        by_phase: dict[str, list[Step]] = {}
        for st in (s for seg in segments for s in seg):
            by_phase.setdefault(st.phase, []).append(st)
        stages = [
            ("triage", head, False),
            ("investigate", by_phase.get("diagnose", []), True),
            ("remediate", by_phase.get("remediate", []), True),
            ("verify", by_phase.get("verify", []) + by_phase.get("communicate", []), True),
            ("close", tail, False),
        ]
        pool: list[Fact] = []
        kickoff_iter = iter(kickoffs)
        for name, members, parallel in stages:
            writer.lines += [f"  - stage: {name}", f"    flow: {'parallel' if parallel else 'sequential'}",
                             "    steps:"]
            if parallel:
                kickoff = next(kickoff_iter)
                writer.emit(kickoff, "      ", pool)
                # Needs stay inside a cell, so every cell is its own thread: a wide DAG.
                for cell_steps in split_by_cell(members):
                    writer.with_needs(cell_steps, "      ", pool, [kickoff.sid], back=4, dense=0.85)
                members = [kickoff, *members]
                pool.extend(f for st in members for f in facts_of(st))
            else:
                writer.sequential(members, "      ", pool, blocks=False)
            pool = pool[-50:]  # later steps draw inputs from recent facts only
    return "\n".join(out) + "\n"


def split_by_cell(steps: list[Step]) -> list[list[Step]]:
    groups: dict[str, list[Step]] = {}
    for st in steps:
        groups.setdefault(st.cell.name, []).append(st)
    return list(groups.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    args = ap.parse_args(argv)
    many, single = args.outdir / "many", args.outdir / "single"
    many.mkdir(parents=True, exist_ok=True)
    single.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for i in range(MANY_COUNT):
        (many / f"rb-{i:04d}.yaml").write_text(many_runbook(rng, i), encoding="utf-8")
    for size in SINGLE_SIZES:
        (single / f"steps-{size}.yaml").write_text(single_runbook(size), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
