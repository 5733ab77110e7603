"""ResourceUses made with less work per name (issue 16): only names at or
under a shared resource look up their owner, and a name one step uses is
stored without a loop.  Both must give what the general way gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.graphs import build_graphs, owner
from recoverylint.graphs.bits import PackedMasks
from recoverylint.native import build_runbook
from recoverylint.source import parse

# `a-` and `a0` sort on either side of `a/`; `a-b` starts with `a` but is not under it.
NAME = st.lists(st.sampled_from(["a", "a-", "a0", "a-b", "b"]), min_size=1, max_size=3).map("/".join)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(NAME, st.booleans(), max_size=5), st.lists(NAME, min_size=1, max_size=8))
def test_a_name_is_shared_when_its_closest_declared_owner_is(declared, used):
    lines = ["runbook: r", "resources:"]
    lines += [f"  {name}: {{concurrency: {'shared' if shared else 'exclusive'}}}" for name, shared in declared.items()]
    if not declared:
        lines[-1] = "resources: {}"
    lines.append("steps:")
    lines += [f"  - {{id: s{number}, writes: [{name}]}}" for number, name in enumerate(used)]
    graphs, _ = build_graphs(build_runbook(parse("\n".join(lines) + "\n"), "r.yaml"))
    for name in used:
        closest = owner(name, declared)
        assert graphs.uses.shared(name) == (closest is not None and declared[closest]), name


def test_a_single_position_is_stored_as_a_mask_of_it_would_be():
    masks: PackedMasks[str] = PackedMasks()
    for position in (0, 1, 63, 64, 5_000):
        masks.add_positions("listed", [position])
        assert masks.get("listed") == 1 << position
        assert masks._packed["listed"] == (position, 1)
        masks.put("put", 1 << position)
        assert masks._packed["put"] == masks._packed["listed"]
