"""RL401-RL405: shared-resource conflicts, alternatives and staffing.

Triggers with exact locations and words, and the near misses each rule must
leave alone."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def two_in_parallel(first: str, second: str, resources: str = "") -> str:
    """A runbook with two steps in a parallel block; `first` and `second` are
    their extra keys, one per line, indented for a step."""
    return (
        "runbook: r\n"
        + resources
        + "steps:\n"
        + "  - parallel:\n"
        + "      - id: a\n"
        + "".join(f"        {line}\n" for line in first.splitlines())
        + "      - id: b\n"
        + "".join(f"        {line}\n" for line in second.splitlines())
    )


# -- RL401 concurrent-writes ------------------------------------------------


def test_rl401_reports_a_pair_once_at_the_later_writes_entry(lint):
    text = """
        runbook: r
        steps:
          - parallel:
              - id: kill-idle
                writes: [orders-db/connections]
              - id: raise-limit
                writes: [orders-db]
        """
    (found,) = lint(text, "RL401")
    assert (found.span.line, found.span.column) == (7, 18)  # `orders-db` in raise-limit's writes
    assert (found.span.end_line, found.span.end_column) == (7, 27)
    assert found.message == (
        "`raise-limit` writes `orders-db` while `kill-idle` can write `orders-db/connections`"
        " at the same time: the changes can interleave and leave it in a state neither intended"
    )
    assert found.suggestion == "needs: [kill-idle]"
    assert found.steps == ("kill-idle", "raise-limit")
    (related,) = found.related
    assert related.message == "`kill-idle` writes `orders-db/connections` here"
    assert (related.span.line, related.span.column) == (5, 18)
    assert found.severity.value == "error"


@pytest.mark.parametrize(
    "first, second",
    [
        ("k8s/orders", "k8s/orders/pods/p1"),  # a prefix path
        ("k8s/*/pods", "k8s/orders/pods"),  # a glob segment
        ("k8s/*/pods", "k8s/orders/pods/p1"),  # a glob, then a prefix
        ("k8s/orders/pods", "k8s/orders/pods"),  # the same name
    ],
)
def test_rl401_prefix_and_glob_names_overlap(lint, first, second):
    assert len(lint(two_in_parallel(f"writes: [{first}]", f"writes: [{second}]"), "RL401")) == 1
    assert len(lint(two_in_parallel(f"writes: [{second}]", f"writes: [{first}]"), "RL401")) == 1


@pytest.mark.parametrize(
    "first, second",
    [
        ("k8s/orders", "k8s/orders-v2/pods"),  # a prefix of the text, not of the path
        ("k8s/*/pods", "k8s/orders/deploy"),
        ("orders-db", "payments-db"),
    ],
)
def test_rl401_names_that_do_not_overlap(lint, first, second):
    assert lint(two_in_parallel(f"writes: [{first}]", f"writes: [{second}]"), "RL401") == []


def test_rl401_ordered_writers_do_not_race(lint):
    text = """
        runbook: r
        steps:
          - id: a
            writes: [orders-db]
          - id: b
            writes: [orders-db]
        """
    assert lint(text, "RL401") == []
    assert len(lint(text.replace("steps:", "flow: parallel\n        steps:"), "RL401")) == 1


def test_rl401_shared_only_when_both_names_are_shared(lint):
    resources = (
        "resources:\n"
        "  status-page: {kind: page, concurrency: shared}\n"
        "  orders-db: {kind: database}\n"
    )
    both_shared = two_in_parallel("writes: [status-page]", "writes: [status-page/banner]", resources)
    assert lint(both_shared, "RL401") == []
    not_shared = resources.replace(", concurrency: shared", "")
    unshared = two_in_parallel("writes: [status-page]", "writes: [status-page/banner]", not_shared)
    assert len(lint(unshared, "RL401")) == 1


def test_rl401_shared_name_against_an_unshared_one_under_a_glob(lint):
    # `*` overlaps the shared page but lies under no shared resource itself:
    # one shared name is not enough.
    text = two_in_parallel(
        "writes: [status-page]",
        "writes: ['*']",
        "resources:\n  status-page: {kind: page, concurrency: shared}\n  orders-db: {kind: database}\n",
    )
    assert len(lint(text, "RL401")) == 1


def test_rl401_leaves_excluding_and_decided_pairs_to_rl403(lint):
    excluding = two_in_parallel("writes: [deploy]\nexcludes: [b]", "writes: [deploy]")
    assert lint(excluding, "RL401") == []
    assert len(lint(excluding, "RL403")) == 1
    decided = """
        runbook: r
        roles:
          commander:
            authority: [decide]
        steps:
          - id: choose
            role: commander
            decides: [a, b]
          - parallel:
              - id: a
                writes: [deploy]
              - id: b
                writes: [deploy]
        """
    assert lint(decided, "RL401") == []
    assert len(lint(decided.replace("decides: [a, b]", "title: nothing decided"), "RL401")) == 1


def test_rl401_one_finding_per_step_naming_every_earlier_racer(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: first
            writes: [db]
          - id: second
            writes: [db]
          - id: third
            writes: [db/table]
        """
    found = lint(text, "RL401")
    assert [(f.span.line, f.steps) for f in found] == [
        (7, ("first", "second")),
        (9, ("first", "second", "third")),
    ]
    assert found[1].message.startswith(
        "`third` writes `db/table` while `first` and `second` can write overlapping resources"
    )
    assert found[1].suggestion == "needs: [first, second]"
    assert len(found[1].related) == 2
    assert found[0].message.startswith("`first` and `second` can both write `db` at the same time")


def test_rl401_all_writing_one_name_and_many_racers_are_counted(lint):
    steps = "".join(f"  - id: s{i}\n    writes: [db]\n" for i in range(13))
    found = lint("runbook: r\nflow: parallel\nsteps:\n" + steps, "RL401")
    assert len(found) == 12  # one per step that races an earlier one, not one per pair
    assert found[1].message.startswith("`s2` writes `db` while `s0` and `s1` can write it at the same time")
    last = found[-1]
    assert "and 2 more can write overlapping resources" in last.message
    assert last.suggestion == "needs: [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, …] (12 steps)"
    assert len(last.steps) == 11 and last.steps[-1] == "s12"


def test_rl401_kept_on_the_step_later_in_the_order_when_the_file_says_otherwise(lint):
    # `a` waits for `c`, so `b` comes before `a` in the order the graph is
    # walked; the finding sits on `a`, later in that order though written first.
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: a
            needs: [c]
            writes: [db]
          - id: b
            writes: [db]
          - id: c
        """
    (found,) = lint(text, "RL401")
    assert found.span.line == 6
    assert found.steps == ("b", "a")


def test_rl401_second_writes_entry_located(lint):
    text = two_in_parallel("writes: [cache, db]", "writes: [db/rows]")
    (found,) = lint(text, "RL401")
    assert found.span.line == 7  # b's entry
    assert found.related[0].message == "`a` writes `db` here"
    assert found.related[0].span.column == 25


# -- RL402 read-during-write ------------------------------------------------


def test_rl402_at_the_reads_entry_with_the_writer_related(lint):
    text = """
        runbook: r
        steps:
          - parallel:
              - id: capture
                reads: [logs, orders-db]
              - id: kill-idle
                writes: [orders-db/connections]
        """
    (found,) = lint(text, "RL402")
    assert (found.span.line, found.span.column, found.span.end_column) == (5, 23, 32)
    assert found.message == (
        "`capture` reads `orders-db` while `kill-idle` can be changing `orders-db/connections`"
        " at the same time: what it sees may be neither the state before the change nor the"
        " one after it"
    )
    assert found.suggestion == (
        "needs: [kill-idle] to read after the change, or make it wait for `capture` to read before"
    )
    assert found.steps == ("kill-idle", "capture")
    assert found.related[0].span.line == 7
    assert found.severity.value == "warning"


def test_rl402_found_whichever_of_the_two_comes_first(lint):
    reader_first = two_in_parallel("reads: [db]", "writes: [db]")
    writer_first = two_in_parallel("writes: [db]", "reads: [db]")
    assert [f.span.line for f in lint(reader_first, "RL402")] == [5]
    assert [f.span.line for f in lint(writer_first, "RL402")] == [7]


def test_rl402_ordered_or_shared_uses_are_fine(lint):
    ordered = "runbook: r\nsteps:\n  - id: a\n    reads: [db]\n  - id: b\n    writes: [db]\n"
    assert lint(ordered, "RL402") == []
    shared = two_in_parallel(
        "reads: [channel]", "writes: [channel]", "resources:\n  channel: {kind: chat, concurrency: shared}\n"
    )
    assert lint(shared, "RL402") == []


def test_rl402_leaves_a_reader_that_also_writes_to_rl401(lint):
    text = two_in_parallel("reads: [db]\nwrites: [db/rows]", "writes: [db]")
    assert lint(text, "RL402") == []
    assert len(lint(text, "RL401")) == 1


def test_rl402_leaves_verifications_of_that_writer_to_rl303(lint):
    for explicit in (
        two_in_parallel("reads: [db]\nverifies: [b]", "writes: [db]"),
        two_in_parallel("writes: [db]", "reads: [db]\nverifies: [a]"),
    ):
        assert lint(explicit, "RL402") == []
        assert len(lint(explicit, "RL303")) == 1
    implicit = two_in_parallel("phase: verify\nreads: [db]", "writes: [db]")
    assert lint(implicit, "RL402") == []
    assert len(lint(implicit, "RL303")) == 1
    # A verification of something else still reads while this writer changes it.
    other = """
        runbook: r
        steps:
          - id: fix
            writes: [db/index]
          - parallel:
              - id: check
                verifies: [fix]
                reads: [db]
              - id: vacuum
                writes: [db/rows]
        """
    (found,) = lint(other, "RL402")
    assert found.steps == ("vacuum", "check")


def test_rl402_many_writers_in_one_finding(lint):
    writers = "".join(f"  - id: w{i}\n    writes: [db/t{i}]\n" for i in range(3))
    text = "runbook: r\nflow: parallel\nsteps:\n  - id: look\n    reads: [db]\n" + writers
    (found,) = lint(text, "RL402")
    assert found.message.startswith(
        "`look` reads `db` while `w0`, `w1` and `w2` can be changing overlapping resources"
        " at the same time"
    )
    assert found.suggestion.startswith("needs: [w0, w1, w2] to read after the changes, or make them")


# -- RL403 concurrent-alternatives -------------------------------------------

ALTERNATIVES = """
runbook: r
roles:
  commander:
    authority: [decide, approve, communicate]
  oncall:
    authority: [observe, apply]
    people: 3
steps:
  - parallel:
      - id: hotfix
        role: oncall
        writes: [deploy]
        excludes: [rollback-deploy]
      - id: rollback-deploy
        role: oncall
        writes: [deploy]
"""


def test_rl403_at_the_excludes_entry(lint):
    (found,) = lint(ALTERNATIVES, "RL403")
    assert (found.span.line, found.span.column, found.span.end_column) == (13, 20, 35)
    assert found.message == (
        "`hotfix` and `rollback-deploy` exclude each other but can run at the same time and"
        " no step before both decides between them: both may be applied at once"
    )
    assert found.suggestion == (
        "add a step before both with `decides: [hotfix, rollback-deploy]`, performed by a role"
        " holding `decide`"
    )
    assert found.steps == ("rollback-deploy", "hotfix")
    assert lint(ALTERNATIVES, "RL404") == []  # never both for one pair


def test_rl403_a_decider_before_both_settles_it(lint):
    decided = ALTERNATIVES.replace(
        "steps:\n", "steps:\n  - id: choose\n    role: commander\n    decides: [hotfix, rollback-deploy]\n"
    )
    assert lint(decided, "RL403") == []
    assert lint(decided, "RL404") == []


def test_rl403_a_decider_after_one_of_the_pair_is_too_late(lint):
    text = """
        runbook: r
        flow: parallel
        roles:
          commander:
            authority: [decide]
        steps:
          - id: hotfix
            excludes: [rollback-deploy]
          - id: choose
            role: commander
            needs: [hotfix]
            decides: [hotfix, rollback-deploy]
          - id: rollback-deploy
        """
    (found,) = lint(text, "RL403")
    assert found.message == (
        "`hotfix` and `rollback-deploy` exclude each other but can run at the same time and"
        " `choose`, which decides between them, does not come before both: both may be applied"
        " at once"
    )
    assert found.suggestion == "move `choose` so that both `hotfix` and `rollback-deploy` wait for it"
    assert lint(text, "RL404") == []


def test_rl403_ordered_alternatives_are_rl404(lint):
    text = """
        runbook: r
        steps:
          - id: hotfix
            excludes: [rollback-deploy]
          - id: rollback-deploy
            excludes: [hotfix]
        """
    assert lint(text, "RL403") == []
    (found,) = lint(text, "RL404")
    assert (found.span.line, found.span.column) == (4, 16)  # the first `excludes` entry


# -- RL404 undecided-alternatives ---------------------------------------------


def test_rl404_ordered_alternatives_nobody_decides(lint):
    text = """
        runbook: r
        steps:
          - id: rollback-deploy
          - id: hotfix
            excludes: [rollback-deploy]
        """
    (found,) = lint(text, "RL404")
    assert (found.span.line, found.span.column, found.span.end_column) == (5, 16, 31)
    assert found.message == (
        "`rollback-deploy` and `hotfix` exclude each other but no step decides between them:"
        " both may be applied, one after the other"
    )
    assert found.suggestion.startswith("add a step before both with `decides: [rollback-deploy, hotfix]`")
    assert found.steps == ("rollback-deploy", "hotfix")
    assert found.severity.value == "warning"


DECIDED_BY = """
runbook: r
roles:
  commander:
    authority: [decide]
  oncall:
    authority: [observe, apply]
    people: 2
steps:
  - id: choose
    ROLE
    decides: [hotfix, rollback-deploy]
  - parallel:
      - id: hotfix
        excludes: [rollback-deploy]
      - id: rollback-deploy
"""


@pytest.mark.parametrize(
    "role, why",
    [
        ("role: oncall", "is performed by `oncall`, which does not hold `decide`"),
        ("role: nobody", "is performed by `nobody`, which is not a declared role"),
        ("title: no role", "has no role"),
    ],
)
def test_rl404_the_decider_before_both_lacks_authority(lint, role, why):
    (found,) = lint(DECIDED_BY.replace("ROLE", role), "RL404")
    assert found.message == (
        f"`hotfix` and `rollback-deploy` exclude each other but `choose`, the step that decides"
        f" between them, {why}: nobody with the authority chooses one"
    )
    assert found.suggestion == "have `choose` performed by the role holding `decide`"
    assert found.span.line == 14
    assert lint(DECIDED_BY.replace("ROLE", role), "RL403") == []


def test_rl404_a_decider_with_authority_settles_it(lint):
    assert lint(DECIDED_BY.replace("ROLE", "role: commander"), "RL404") == []


def test_rl404_one_authorised_decider_before_both_is_enough(lint):
    text = DECIDED_BY.replace("ROLE", "role: oncall").replace(
        "  - parallel:",
        "  - id: commander-choice\n    role: commander\n"
        "    decides: [hotfix, rollback-deploy]\n  - parallel:",
    )
    assert lint(text, "RL404") == []


def test_rl404_decider_between_ordered_alternatives_is_too_late(lint):
    text = """
        runbook: r
        roles:
          commander:
            authority: [decide]
        steps:
          - id: rollback-deploy
            excludes: [hotfix]
          - id: choose
            role: commander
            decides: [rollback-deploy, hotfix]
          - id: hotfix
        """
    (found,) = lint(text, "RL404")
    assert found.message == (
        "`rollback-deploy` and `hotfix` exclude each other but `choose`, which decides between"
        " them, does not come before both: both may be applied, one after the other"
    )


# -- RL405 understaffed-parallelism -------------------------------------------


def staffed(people: int, parallel: int, team: str = "") -> str:
    branches = "".join(f"      - id: look-{i}\n        role: diagnostician\n" for i in range(parallel))
    return (
        "runbook: r\n"
        + team
        + "roles:\n"
        + "  diagnostician:\n"
        + "    authority: [observe]\n"
        + f"    people: {people}\n"
        + "steps:\n"
        + "  - id: start\n"
        + "    role: diagnostician\n"
        + "  - parallel:\n"
        + branches
    )


def test_rl405_at_the_role_key_naming_the_widest_point(lint):
    (found,) = lint(staffed(2, 3), "RL405")
    assert (found.span.line, found.span.column, found.span.end_column) == (3, 3, 16)
    assert found.message == (
        "3 steps of `diagnostician` can run at once (`look-0`, `look-1` and `look-2`) but the"
        " role has 2 people: the declared parallelism cannot be staffed, so they will wait for"
        " each other"
    )
    assert found.suggestion == (
        "set `people: 3` on `diagnostician` if that many can fill it; or order these steps with"
        ' a reason, e.g. on `look-2`: `needs: [{step: look-0, reason: "too few people for both at'
        ' once"}]` (a wait without a reason is reported as needless, RL201), or give them'
        " `duration`s if they never really run at once"
    )
    assert found.steps == ("look-0", "look-1", "look-2")


def test_rl405_enough_people(lint):
    assert lint(staffed(3, 3), "RL405") == []
    assert lint(staffed(1, 1), "RL405") == []
    assert "the role has 1 person:" in lint(staffed(1, 2), "RL405")[0].message


def test_rl405_team_size_at_its_key(lint):
    team = "team:\n  size: 2\n"
    found = lint(staffed(3, 3, team), "RL405")
    assert len(found) == 1
    (over,) = found
    assert (over.span.line, over.span.column) == (3, 3)  # `size` under `team`
    assert over.message.startswith(
        "3 steps can run at once (`look-0`, `look-1` and `look-2`) but the team has 2 people:"
    )
    assert over.suggestion.startswith("set `team.size: 3`")
    assert lint(staffed(3, 3, "team:\n  size: 3\n"), "RL405") == []
    assert lint(staffed(3, 3), "RL405") == []  # no team.size: not checked


def test_rl405_alternatives_a_step_decides_between_count_once(lint):
    text = """
        runbook: r
        roles:
          commander:
            authority: [decide]
          oncall:
            authority: [apply]
        steps:
          - id: choose
            role: commander
            decides: [hotfix, rollback-deploy]
          - parallel:
              - id: hotfix
                role: oncall
              - id: rollback-deploy
                role: oncall
        """
    assert lint(text, "RL405") == []
    assert len(lint(text.replace("decides: [hotfix, rollback-deploy]", "title: x"), "RL405")) == 1


def test_rl405_undeclared_roles_are_rl102s(lint):
    text = two_in_parallel("role: ghost", "role: ghost", "roles:\n  commander:\n    authority: [decide]\n")
    assert lint(text, "RL405") == []
    assert lint(text, "RL102")


def test_rl405_one_finding_per_role_at_most(lint):
    text = staffed(1, 4).replace(
        "  - parallel:\n", "  - parallel:\n      - id: more-0\n        role: diagnostician\n"
    )
    assert len(lint(text, "RL405")) == 1


def test_resource_rules_ignore_a_runbook_without_resources_or_alternatives(lint):
    text = """
        runbook: r
        flow: parallel
        steps:
          - id: a
          - id: b
        """
    assert [f for f in lint(text) if f.code.startswith("RL40")] == []
    # The same two steps writing one resource do race.
    racing = text.replace("- id: a\n", "- id: a\n            writes: [db]\n").replace(
        "- id: b\n", "- id: b\n            writes: [db]\n"
    )
    assert [f.code for f in lint(racing) if f.code.startswith("RL40")] == ["RL401"]


# -- the bitset search against every pair, on random runbooks -----------------

NAMES = ["db", "db/rows", "db/*", "cache", "page", "page/banner", "*"]


@st.composite
def random_runbooks(draw):
    count = draw(st.integers(2, 9))
    lines = [
        "runbook: r",
        "flow: parallel",
        "resources:",
        "  db: {kind: database}",
        "  cache: {kind: cache}",
        "  page: {kind: page, concurrency: shared}",
        "steps:",
    ]
    # Needs follow one random order (so no cycles), not always the file's:
    # `s3` may wait for `s5`.
    order = draw(st.permutations(range(count)))
    for node in range(count):
        lines.append(f"  - id: s{node}")
        needs = draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True))
        needs = [n for n in needs if order.index(n) < order.index(node)]
        if needs:
            lines.append(f"    needs: [{', '.join(f's{n}' for n in needs)}]")
        for key in ("reads", "writes"):
            names = draw(st.lists(st.sampled_from(NAMES), max_size=2, unique=True))
            if names:
                lines.append(f"    {key}: [{', '.join(repr(n) for n in names)}]")
        if draw(st.integers(0, 5)) == 0:
            lines.append(f"    excludes: [s{draw(st.integers(0, count - 1))}]")
        if draw(st.integers(0, 5)) == 0:
            chosen = draw(st.lists(st.integers(0, count - 1), min_size=2, max_size=2))
            lines.append(f"    decides: [{', '.join(f's{n}' for n in chosen)}]")
        if draw(st.integers(0, 4)) == 0:
            lines.append("    phase: verify")
        if draw(st.integers(0, 4)) == 0:
            lines.append(f"    verifies: [s{draw(st.integers(0, count - 1))}]")
    return "\n".join(lines) + "\n"


def _graphs(text):
    from recoverylint.graphs import build_graphs
    from recoverylint.native import build_runbook
    from recoverylint.source import parse

    return build_graphs(build_runbook(parse(text), "t.yaml"))[0]


def _groups(partners):
    return {
        (step.id, ref.name, ref.span): (count, {other.id for other in shown})
        for step, ref, count, shown in partners.groups()
    }


def _expected(graphs, pairs, entries):
    """Group (reporting step, partner) pairs by the reporting step's first entry
    conflicting with the partner, as the rules do."""
    expected = {}
    for step, other in pairs:
        ref, _ = graphs.uses.first_conflict(entries(step), other.writes)
        key = (step.id, ref.name, ref.span)
        count, ids = expected.get(key, (0, set()))
        expected[key] = (count + 1, ids | {other.id})
    return expected


@settings(max_examples=300, deadline=None)
@given(random_runbooks())
def test_conflicts_found_by_bitsets_are_exactly_the_pairs(text):
    from recoverylint.graphs.races import read_partners, write_partners

    graphs = _graphs(text)
    steps = graphs.steps
    excluded = {frozenset((a, b)) for a, b, _ in graphs.exclusive_pairs()}

    def racing(a, b):
        return graphs.concurrent(a.index, b.index) and frozenset((a.index, b.index)) not in excluded

    # Each racing pair of writers is kept on the one later in O's topological order.
    position = graphs.position
    writes = [
        (later, earlier)
        for later in steps
        for earlier in steps
        if position[earlier.index] < position[later.index]
        and racing(later, earlier)
        and graphs.uses.first_conflict(later.writes, earlier.writes)
    ]
    assert _groups(write_partners(graphs)) == _expected(graphs, writes, lambda s: s.writes)

    reads = [
        (reader, writer)
        for reader in steps
        for writer in steps
        if racing(reader, writer)
        and graphs.uses.first_conflict(reader.reads, writer.writes)
        and not (reader.is_verification and writer.index in graphs.verified_changes(reader))
        and not graphs.uses.first_conflict(reader.writes, writer.writes)
    ]
    assert _groups(read_partners(graphs)) == _expected(graphs, reads, lambda s: s.reads)


def test_rl404_a_step_deciding_between_itself_and_another_decides_nothing(lint):
    text = """
        runbook: r
        roles:
          lead: {authority: [decide, apply]}
        steps:
          - id: hotfix
            role: lead
            decides: [hotfix, rollback]
            excludes: [rollback]
          - id: rollback
            role: lead
        """
    (found,) = lint(text, "RL404")
    assert "move `hotfix`" not in (found.suggestion or "")
