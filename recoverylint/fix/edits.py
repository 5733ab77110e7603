"""Applying fix edits to a runbook's text, changing nothing else.

The edits are made on ruamel.yaml's round-trip model of the document, but its
dump is never written as is: ruamel writes some things its own way (spacing
after colons and in flow lists, indentation, blank lines, trailing spaces)
even where no edit was made.  Instead, the lines that the edits change in
ruamel's dump (its dump of the unedited document, *base*, against its dump of
the edited one, *theirs*) are carried over to the original text, each only
where the original reads as *base* around it (whitespace aside), shifted to
the original's indentation; every other line of the original stays byte for
byte, and so do all its comment lines.  The result is read again and must
hold exactly the edited data, or the edit is refused with FixError.
"""

from __future__ import annotations

import bisect
import io
import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from ..finding import Edit, MakeFlowParallel, RemoveNeed, RemoveNeeds

FLOW_COMMENT = (
    "restructured by `recoverylint --unsafe-fixes` from a sequential checklist"
    " to the order the work requires"
)


class FixError(Exception):
    """An edit that cannot be applied; the message says why, for the user."""


@dataclass(frozen=True)
class Replacement:
    """A region of the original text, and what replaces it.  Lines and columns
    (in characters) are 1-based, the end exclusive; `offset` and `length`
    give the same region in characters of the text."""

    line: int
    column: int
    end_line: int
    end_column: int
    offset: int
    length: int
    text: str


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The text with every edit applied, in order. Lines the edits do not touch
    stay byte-for-byte the same."""
    return _apply(text, replacements(text, edits))


def replacements(text: str, edits: Sequence[Edit]) -> list[Replacement]:
    """What apply_edits changes, as non-overlapping replacements of the original
    text (for SARIF `fixes` and for `--diff`), in the order of the text."""
    if not edits:
        return []
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    # ruamel reads the same lines with LF line breaks (it keeps fewer blank
    # lines of a CRLF text) and a final one (without it, a block scalar on
    # the last line is written back `|-`): as the result is, to check it.
    final_break = "" if body.endswith("\n") else "\n"
    yaml, data = _load(body.replace("\r\n", "\n") + final_break)
    before = _plain(data)
    base = _dump(yaml, data)
    editor = _Editor(data)
    for edit in edits:
        editor.apply(edit)
    intended = _plain(data)
    # Nothing but the edited keys may change: a list shared through a YAML
    # anchor would change in every step that uses it.
    if _without(before, editor.edited_keys) != _without(_plain(data), editor.edited_keys):
        raise FixError(
            f"{editor.describe_all()}: the edit would also change other parts of the"
            " runbook (a list shared through a YAML anchor?); edit the file by hand"
        )
    lines = _split_lines(body)
    hunks = _merge([content for content, _ in lines], base, _dump(yaml, data), editor)
    offsets = _LineOffsets(text, len(bom), lines)
    result = [
        replacement
        for replacement in (offsets.replacement(*region) for region in _regions(lines, hunks))
        if replacement is not None
    ]
    try:
        reloaded = _plain(YAML(typ="safe").load(_apply(text, result)[len(bom):] + final_break))
    except YAMLError as error:
        raise FixError(
            f"{editor.describe_all()}: the fixed runbook would not be valid YAML ({_problem(error)})"
        ) from None
    if reloaded != intended:
        raise FixError(
            f"{editor.describe_all()}: the fixed text would not hold the intended data;"
            " edit the file by hand"
        )
    return result


def _apply(text: str, changes: Sequence[Replacement]) -> str:
    parts = []
    position = 0
    for change in sorted(changes, key=lambda change: change.offset):
        parts += [text[position:change.offset], change.text]
        position = change.offset + change.length
    parts.append(text[position:])
    return "".join(parts)


# -- Loading and dumping ------------------------------------------------------

_NO_WRAP = 1 << 30  # a line width no scalar reaches: ruamel must not re-wrap
_DOCUMENT_START = re.compile(r"^---(?=[ \t]|$)", re.MULTILINE)


def _load(body: str) -> tuple[YAML, Any]:
    """The round-trip model of `body`, and a YAML instance that dumps it in
    the text's own indentation and style."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = _NO_WRAP
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # `[{step: a}]`, not `[step: a]`
    try:
        data, indent, dash_offset = load_yaml_guess_indent(body, yaml=yaml)
    except YAMLError as error:
        raise FixError(f"ruamel.yaml cannot read the runbook: {_problem(error)}") from None
    if indent is not None:
        yaml.indent(mapping=indent, sequence=indent, offset=dash_offset or 0)
    yaml.explicit_start = bool(_DOCUMENT_START.search(body))
    return yaml, data


def _problem(error: YAMLError) -> str:
    """What ruamel says went wrong, on one line."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).strip().splitlines()[0]
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def _dump(yaml: YAML, data: Any) -> list[str]:
    """ruamel's text for `data`, in lines (it writes only LF line breaks)."""
    stream = io.StringIO()
    try:
        yaml.dump(data, stream)
    except YAMLError as error:
        raise FixError(f"ruamel.yaml cannot write the runbook back: {_problem(error)}") from None
    return stream.getvalue().split("\n")[:-1]


# -- The edits, on ruamel's model ---------------------------------------------

# Keys the format documents before `needs` in a step: a new `needs` goes after them.
_KEYS_BEFORE_NEEDS = frozenset(("id", "title", "role", "phase", "duration"))

Path = tuple[str | int, ...]  # keys and indices from the document's root


@dataclass(frozen=True)
class _Step:
    path: Path
    node: CommentedMap


class _Editor:
    """Applies edits to the round-trip model, and remembers which keys it
    edited (nothing else may change) and on which lines (to name the edit
    when the text cannot take it)."""

    def __init__(self, data: Any) -> None:
        if not isinstance(data, CommentedMap):
            raise FixError("the document is not a mapping: it is not a runbook")
        self.data = data
        self.edited_keys: list[tuple[Path, str]] = []
        self.edits: list[str] = []  # what each edit does, for messages
        self.places: list[tuple[int, str]] = []  # (0-based line of the original, what is edited there)
        self.steps = list(_steps(data))
        self.by_id: dict[str, list[_Step]] = {}
        for step in self.steps:
            self.by_id.setdefault(str(step.node["id"]), []).append(step)

    def apply(self, edit: Edit) -> None:
        if isinstance(edit, RemoveNeed):
            self.remove_need(edit)
        elif isinstance(edit, RemoveNeeds):
            self.remove_needs(edit)
        elif isinstance(edit, MakeFlowParallel):
            self.make_flow_parallel(edit)
        else:
            raise FixError(f"unknown edit {edit!r}")

    def describe_all(self) -> str:
        return "; ".join(dict.fromkeys(self.edits))

    def describe_at(self, line: int) -> str:
        """The edit made on the closest line of the original before `line`."""
        before = [place for place in self.places if place[0] <= line]
        return max(before)[1] if before else self.describe_all()

    def remove_need(self, edit: RemoveNeed) -> None:
        what = f"removing `{edit.need}` from the `needs` of `{edit.step}`"
        step, needs = self.needs_of(edit.step, what)
        positions = [index for index, entry in enumerate(needs) if _names(entry) == edit.need]
        if not positions:
            raise FixError(f"{what}: `{edit.step}` has no `needs` entry naming `{edit.need}`")
        if edit.occurrence >= len(positions):
            times = "once" if len(positions) == 1 else f"{len(positions)} times"
            raise FixError(
                f"{what}: the `needs` of `{edit.step}` name `{edit.need}` {times},"
                f" so there is no occurrence {edit.occurrence} (counted from 0)"
            )
        self.delete_entries(step, needs, [positions[edit.occurrence]], what)

    def remove_needs(self, edit: RemoveNeeds) -> None:
        names = ", ".join(f"`{need}`" for need in edit.needs)
        what = f"removing {names} from the `needs` of `{edit.step}`"
        step, needs = self.needs_of(edit.step, what)
        positions = []
        for need in edit.needs:
            found = [index for index, entry in enumerate(needs) if _names(entry) == need]
            if len(found) != 1:
                raise FixError(
                    f"{what}: the `needs` of `{edit.step}` name `{need}` {len(found)} times, not once"
                )
            positions += found
        self.delete_entries(step, needs, positions, what)

    def needs_of(self, step_id: str, what: str) -> tuple[_Step, CommentedSeq]:
        self.edits.append(what)
        step = self.step(step_id, what)
        needs = step.node.get("needs")
        if not isinstance(needs, CommentedSeq):
            raise FixError(f"{what}: step `{step_id}` has no `needs` list")
        _not_shared(needs, step_id, what)
        return step, needs

    def delete_entries(self, step: _Step, needs: CommentedSeq, positions: list[int], what: str) -> None:
        for position in positions:
            if _reason(needs[position]):
                raise FixError(
                    f"{what}: the entry naming `{_names(needs[position])}` gives a reason,"
                    " which is the author's word: it stays"
                )
        self.note(step, what)
        if len(set(positions)) == len(needs):
            _replace_needs(step.node, _flow_list(()))
            return
        for position in sorted(set(positions), reverse=True):
            del needs[position]  # its comment goes with it

    def make_flow_parallel(self, edit: MakeFlowParallel) -> None:
        what = "restructuring the checklist as `flow: parallel`"
        self.edits.append(what)
        data = self.data
        if "stages" in data or not isinstance(data.get("steps"), CommentedSeq):
            raise FixError(f"{what}: the runbook has no top-level `steps` list")
        if data.get("flow", "sequential") != "sequential":
            raise FixError(f"{what}: the runbook is not `flow: sequential`")
        if not all(isinstance(item, CommentedMap) and "id" in item for item in data["steps"]):
            raise FixError(
                f"{what}: its steps are not a plain checklist (it has `parallel:` or `sequence:` blocks)"
            )
        if data.merge:
            raise FixError(f"{what}: the runbook takes keys from a YAML merge key (`<<`)")
        wanted = dict(edit.needs)
        if len(wanted) != len(edit.needs):
            raise FixError(f"{what}: a step is given its `needs` twice")
        for step_id, needs in edit.needs:
            self.step(step_id, what)
            for need in needs:
                if need not in self.by_id:
                    raise FixError(f"{what}: `{step_id}` would need `{need}`, which is not a step")
        block_style = _writes_needs_in_blocks(step.node for step in self.steps)
        for step in self.steps:
            step_id = str(step.node["id"])
            self.step(step_id, what)  # unique, no merge key
            self.note(step, f"{what} (the `needs` of `{step_id}`)")
            _rewrite_needs(step.node, wanted.get(step_id, ()), block_style, what)
        self.edited_keys.append(((), "flow"))
        if "flow" in data:
            self.places.append((data.lc.key("flow")[0], what))
            data["flow"] = "parallel"
        else:
            self.places.append((data.lc.key("steps")[0], what))
            data.insert(list(data).index("steps"), "flow", "parallel")
        data.yaml_add_eol_comment(FLOW_COMMENT, "flow", column=len("flow: parallel  "))

    def step(self, step_id: str, what: str) -> _Step:
        found = self.by_id.get(step_id, [])
        if not found:
            raise FixError(f"{what}: no step has the id `{step_id}`")
        if len(found) > 1:
            raise FixError(
                f"{what}: {len(found)} steps have the id `{step_id}`, so which one to edit is unclear"
            )
        if found[0].node.merge:
            raise FixError(
                f"{what}: step `{step_id}` takes keys from a YAML merge key (`<<`); edit it by hand"
            )
        return found[0]

    def note(self, step: _Step, what: str) -> None:
        self.edited_keys.append((step.path, "needs"))
        self.places.append((step.node.lc.line, what))


def _steps(data: CommentedMap) -> Iterator[_Step]:
    """Every step, in file order, where native.py finds them."""
    if isinstance(data.get("stages"), list):
        for index, stage in enumerate(data["stages"]):
            if isinstance(stage, dict) and isinstance(stage.get("steps"), list):
                yield from _flow_steps(stage["steps"], ("stages", index, "steps"))
    elif isinstance(data.get("steps"), list):
        yield from _flow_steps(data["steps"], ("steps",))


def _flow_steps(items: list[Any], path: Path) -> Iterator[_Step]:
    for index, item in enumerate(items):
        if not isinstance(item, CommentedMap):
            continue
        if "id" in item:
            yield _Step((*path, index), item)
        elif isinstance(item.get("parallel"), list):
            yield from _flow_steps(item["parallel"], (*path, index, "parallel"))
        elif isinstance(item.get("sequence"), list):
            yield from _flow_steps(item["sequence"], (*path, index, "sequence"))


def _not_shared(needs: CommentedSeq, step_id: str, what: str) -> None:
    """Refuse to edit a list that other steps share through a YAML anchor:
    the edit would change them too, or the anchor would move."""
    if needs.anchor.value is not None:
        raise FixError(
            f"{what}: the `needs` of `{step_id}` is shared through the YAML anchor"
            f" `&{needs.anchor.value}`; edit the file by hand"
        )


def _names(entry: Any) -> str | None:
    """The step a `needs` entry names: `a` or `{step: a, reason: ...}`."""
    if isinstance(entry, str):
        return str(entry)
    if isinstance(entry, dict) and isinstance(entry.get("step"), str):
        return str(entry["step"])
    return None


def _reason(entry: Any) -> bool:
    """Whether a `needs` entry gives a reason (`{step: a, reason: ...}`)."""
    reason = entry.get("reason") if isinstance(entry, dict) else None
    return isinstance(reason, str) and bool(reason.strip())  # as native.py reads it


def _flow_list(items: Iterable[str]) -> CommentedSeq:
    written = CommentedSeq(items)
    written.fa.set_flow_style()
    return written


def _replace_needs(step: CommentedMap, needs: CommentedSeq) -> None:
    step["needs"] = needs
    # ruamel keeps the comment lines between `needs:` and the old list's first
    # entry with the key, and its dump of a flow list breaks on them.  (The
    # original's comment lines stay all the same: see _keeping_comments.)
    key_comments = step.ca.items.get("needs")
    if key_comments is not None and len(key_comments) > 3:
        key_comments[3] = None


def _writes_needs_in_blocks(steps: Iterable[CommentedMap]) -> bool:
    """Whether the runbook writes its `needs` lists one entry a line, as new
    lists should; flow style `[a, b]` when it has none."""
    for step in steps:
        needs = step.get("needs")
        if isinstance(needs, CommentedSeq) and needs:
            return not needs.fa.flow_style()
    return False


def _rewrite_needs(step: CommentedMap, ids: tuple[str, ...], block_style: bool, what: str) -> None:
    """Make the step's `needs` name exactly `ids`: the entries that stay are
    left as they are, where they are (with their quoting and comments), and
    new ones are added after them; no `needs` key when `ids` is empty.  An
    entry with a reason always stays."""
    needs = step.get("needs")
    if isinstance(needs, CommentedSeq):
        for entry in needs:
            if _reason(entry) and _names(entry) not in ids:
                raise FixError(
                    f"{what}: it would remove `{_names(entry)}`, which `{step['id']}` needs"
                    " with a reason (the author's word: it stays)"
                )
    if ids and isinstance(needs, CommentedSeq) and Counter(map(_names, needs)) == Counter(ids):
        return
    if isinstance(needs, CommentedSeq):
        _not_shared(needs, str(step["id"]), what)
    if not ids:
        if "needs" in step:
            del step["needs"]
        return
    if "needs" not in step:
        needs = CommentedSeq(ids) if block_style else _flow_list(ids)
        after = max(index for index, key in enumerate(step) if key in _KEYS_BEFORE_NEEDS)
        step.insert(after + 1, "needs", needs)
        return
    if not isinstance(needs, CommentedSeq):
        raise FixError(f"{what}: the `needs` of `{step['id']}` is not a list")
    # One entry naming each wanted id stays (the first with a reason, else
    # the first); the others go.
    staying: dict[str | None, int] = {}
    for index, entry in enumerate(needs):
        name = _names(entry)
        if name not in staying or (_reason(entry) and not _reason(needs[staying[name]])):
            staying[name] = index
    kept = {name for name in ids if name in staying}
    for index in reversed(range(len(needs))):
        if _names(needs[index]) not in kept or staying[_names(needs[index])] != index:
            del needs[index]  # its comment goes with it
    needs.extend(need for need in ids if need not in kept)


# -- Plain data, to compare ---------------------------------------------------

_NAN = object()  # stands for NaN, which is not equal to itself


def _plain(value: Any) -> Any:
    """`value` as plain dicts and lists, which compare equal whatever ruamel
    type holds them: a copy, where an alias is a copy of its anchor's value."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    return value


def _without(data: Any, keys: list[tuple[Path, str]]) -> Any:
    """Plain `data`, changed in place: less the keys at those paths."""
    for path, key in keys:
        container = data
        for part in path:
            container = container[part]
        container.pop(key, None)
    return data


# -- Carrying ruamel's changed lines over to the original ---------------------


@dataclass(frozen=True)
class _Hunk:
    """Lines [start, end) (of *base*, or of the original) become `lines`."""

    start: int
    end: int
    lines: list[str]


def _merge(ours: list[str], base: list[str], theirs: list[str], editor: _Editor) -> list[_Hunk]:
    """The changes from *base* to *theirs*, as hunks of the original (*ours*)."""
    to_ours = _matching_lines([_comparable(line) for line in base], [_comparable(line) for line in ours])
    # No line may match one of another step: a `needs` list removed from one
    # step and one added to the next must not pass for a move of the step between.
    base_keys, theirs_keys = _keys_by_step(base), _keys_by_step(theirs)
    to_theirs = _matching_lines(base_keys, theirs_keys)
    hunks: list[_Hunk] = []
    for equal_from, i1, i2, j1, j2 in _changes(to_theirs, base_keys, theirs_keys):
        if i1 == i2:
            i1 = i2 = _below_comments(base, i1, equal_from, theirs[j1])
        for change in _keeping_comments(_Hunk(i1, i2, theirs[j1:j2]), base):
            # The lines changed, and one line of context each side, must read
            # in the original as in *base*, one after another.
            first, last = max(change.start - 1, 0), min(change.end + 1, len(base))
            anchor = to_ours.get(first)
            if anchor is None or any(
                to_ours.get(line) != anchor + line - first for line in range(first, last)
            ):
                # Where the change would go, from the closest line placed before it.
                placed = next((line for line in range(change.start, -1, -1) if line in to_ours), None)
                near = 0 if placed is None else to_ours[placed] + change.start - placed
                raise FixError(
                    f"{editor.describe_at(near)}: the runbook around line {near + 1} is laid out"
                    " in a way the fixer cannot follow (a list over several lines?), so the"
                    " change cannot be placed safely; edit the file by hand"
                )
            start = anchor + change.start - first
            lines = _reindented(change, base, ours, to_ours, editor)
            end = start + change.end - change.start
            if hunks and hunks[-1].end == start:  # one replacement for touching changes
                hunks[-1] = _Hunk(hunks[-1].start, end, hunks[-1].lines + lines)
            else:
                hunks.append(_Hunk(start, end, lines))
    return hunks


def _comparable(line: str) -> str:
    """A line without its whitespace: ruamel may space what the original
    holds (`key:   value`, `[ a, b ]`, indentation) its own way.  Lines that
    only compare equal are never written: text comes from the original or from
    *theirs*, and the result is checked against the intended data."""
    return "".join(line.split())


_STEPS_KEY = re.compile(r"steps:\s*(#.*)?$")


def _keys_by_step(dumped: list[str]) -> list[tuple[int, str]]:
    """Each line of a ruamel dump, comparable, with the number of the item of
    the top-level `steps` list that holds it: 0 before the list, and one more
    than its last item after it."""
    keys = []
    number, dash = 0, None  # dash: the column of the items' dashes
    in_list = False
    for line in dumped:
        stripped = line.strip()
        if number == 0 and not in_list and _STEPS_KEY.match(line):
            in_list = True
        elif in_list and stripped and not stripped.startswith("#"):
            column = _indent(line)
            dash = column if dash is None else dash
            if column == dash and stripped.startswith("-"):
                number += 1
            elif column <= dash:
                in_list, number = False, number + 1
        keys.append((number, _comparable(line)))
    return keys


def _matching_lines(a: Sequence[Hashable], b: Sequence[Hashable]) -> dict[int, int]:
    """A common subsequence of `a` and `b`, as a map from lines of `a` to lines
    of `b`: lines that occur once in each anchor it (as in patience diff), and
    difflib matches the runs between anchors, which stays fast on long files
    where lines such as `role: sre` repeat."""
    count_a, count_b = Counter(a), Counter(b)
    unique_in_b = {line: index for index, line in enumerate(b) if count_b[line] == 1}
    pairs = [
        (index, unique_in_b[line])
        for index, line in enumerate(a)
        if count_a[line] == 1 and line in unique_in_b
    ]
    matched: dict[int, int] = {}
    previous_a = previous_b = 0
    for anchor_a, anchor_b in [*_increasing_run(pairs), (len(a), len(b))]:
        gap = SequenceMatcher(None, a[previous_a:anchor_a], b[previous_b:anchor_b], autojunk=False)
        for block in gap.get_matching_blocks():
            for offset in range(block.size):
                matched[previous_a + block.a + offset] = previous_b + block.b + offset
        if anchor_a < len(a):
            matched[anchor_a] = anchor_b
        previous_a, previous_b = anchor_a + 1, anchor_b + 1
    return matched


def _increasing_run(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of `pairs` (increasing in their first item)
    whose second items increase too (patience sorting)."""
    tails: list[int] = []  # tails[k]: second item ending the best run of length k + 1
    tail_index: list[int] = []
    previous: list[int] = []
    for index, (_, second) in enumerate(pairs):
        length = bisect.bisect_left(tails, second)
        if length == len(tails):
            tails.append(second)
            tail_index.append(index)
        else:
            tails[length] = second
            tail_index[length] = index
        previous.append(tail_index[length - 1] if length else -1)
    run = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        run.append(pairs[index])
        index = previous[index]
    return run[::-1]


def _changes(
    matched: dict[int, int], keys_a: list[tuple[int, str]], keys_b: list[tuple[int, str]],
) -> Iterator[tuple[int, int, int, int, int]]:
    """The runs of lines between matched ones, in a piece for each step they
    are in: (equal_from, i1, i2, j1, j2) for a's lines [i1, i2) and b's lines
    [j1, j2); equal_from is where the matched run before the piece starts, or
    i1 when a piece of the same run comes before."""
    equal_from = previous_a = previous_b = 0
    for line_a, line_b in [*sorted(matched.items()), (len(keys_a), len(keys_b))]:
        i1, j1 = previous_a, previous_b
        while i1 < line_a or j1 < line_b:
            step = min(
                keys[line][0]
                for keys, line, end in ((keys_a, i1, line_a), (keys_b, j1, line_b))
                if line < end
            )
            i2, j2 = i1, j1
            while i2 < line_a and keys_a[i2][0] == step:
                i2 += 1
            while j2 < line_b and keys_b[j2][0] == step:
                j2 += 1
            yield equal_from, i1, i2, j1, j2
            equal_from, i1, j1 = i2, i2, j2
        if line_a > previous_a or line_b > previous_b:
            equal_from = line_a
        previous_a, previous_b = line_a + 1, line_b + 1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _below_comments(base: list[str], line: int, equal_from: int, inserted: str) -> int:
    """Where to insert lines that ruamel put at `line` of *base*.  ruamel
    writes them after the comment lines that end the entry before, while those
    describe what follows (a comment nested deeper than the new lines may be
    text of a block scalar, and stays above them); and after its blank lines,
    which end a paragraph that lines nested deeper than what follows belong to.
    Not past the start of the unchanged run (a file's header comment stays first)."""
    deeper = line == len(base) or _indent(inserted) > _indent(base[line])
    above = line
    while above > equal_from and (
        (base[above - 1].lstrip().startswith("#") and _indent(base[above - 1]) <= _indent(inserted))
        or (deeper and not base[above - 1].strip())
    ):
        above -= 1
    return line if above == equal_from else above


def _reindented(
    change: _Hunk, base: list[str], ours: list[str], to_ours: dict[int, int], editor: _Editor,
) -> list[str]:
    """The new lines of a change of *base*, moved to the original's
    indentation: shifted as much as the first line they replace (for an
    insertion, the line around it at their indentation) is in the original."""
    new = change.lines
    replaced = change.end > change.start
    around = [
        line for line in ((change.start,) if replaced else (change.start - 1, change.start))
        if 0 <= line < len(base)
    ]
    if not (new and around):
        return new
    level = [line for line in around if _indent(base[line]) == _indent(new[0])]
    reference = (level or around)[0]
    shift = _indent(ours[to_ours[reference]]) - _indent(base[reference])
    if any(line.strip() and _indent(line) + shift < 0 for line in new):
        raise FixError(
            f"{editor.describe_all()}: the original's indentation cannot be followed;"
            " edit the file by hand"
        )
    if shift >= 0:
        return [" " * shift + line if line.strip() else line for line in new]
    return [line[-shift:] if line.strip() else line for line in new]


def _keeping_comments(change: _Hunk, base: list[str]) -> Iterator[_Hunk]:
    """A change of *base*, less the comment lines and blank lines it would
    delete or add: a file's comment lines all stay where they are.  ruamel
    attaches the comment lines that follow an entry to it, and drops them
    with it while they describe what follows, or moves them with an entry it
    moves.  (The comment at the end of a removed line goes with it.)  The new
    lines go where the first line deleted was."""
    new_lines = [line for line in change.lines if not _is_comment_or_blank(line)]
    run_start = None
    for line in range(change.start, change.end + 1):
        deleted = line < change.end and not _is_comment_or_blank(base[line])
        if deleted and run_start is None:
            run_start = line
        elif not deleted and run_start is not None:
            yield _Hunk(run_start, line, new_lines)
            new_lines, run_start = [], None
    if new_lines:  # nothing deleted: an insertion
        yield _Hunk(change.start, change.start, new_lines)


# -- Hunks as replacements of the text ----------------------------------------

_LINE_END = re.compile(r"\r\n|\n")  # where ruamel's dump has a line break
_YAML_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # how findings count lines


def _split_lines(text: str) -> list[tuple[str, str]]:
    """(content, line ending) of each line; the last line's ending may be ''."""
    lines = []
    position = 0
    for match in _LINE_END.finditer(text):
        lines.append((text[position:match.start()], match.group()))
        position = match.end()
    if position < len(text):
        lines.append((text[position:], ""))
    return lines


def _regions(original: list[tuple[str, str]], hunks: list[_Hunk]) -> Iterator[tuple[int, int, str]]:
    """Each hunk as (first line, end line, the text that replaces them), in the
    original's line endings: its most common one on new lines, and none at the
    end of a file that has no final line break."""
    endings = [ending for _, ending in original]
    newline = "\r\n" if endings.count("\r\n") > endings.count("\n") else "\n"
    unterminated = bool(original) and endings[-1] == ""
    for hunk in hunks:
        start, lines = hunk.start, hunk.lines
        at_end = hunk.end == len(original)
        if at_end and unterminated and start > 0 and (not lines or start == hunk.end):
            # The line before becomes the last one, or stops being it: its
            # ending changes.
            start -= 1
            lines = [original[start][0], *lines]
        replaced = "".join(line + newline for line in lines)
        if at_end and unterminated:
            replaced = replaced[: len(replaced) - len(newline)]
        yield start, hunk.end, replaced


class _LineOffsets:
    """Where the original's lines start, to turn hunks into Replacements."""

    def __init__(self, text: str, bom_length: int, lines: list[tuple[str, str]]) -> None:
        self.text = text
        self.starts = [bom_length]
        for content, ending in lines:
            self.starts.append(self.starts[-1] + len(content) + len(ending))
        self.yaml_line_starts = [0] + [match.end() for match in _YAML_LINE_BREAK.finditer(text)]

    def replacement(self, start_line: int, end_line: int, new: str) -> Replacement | None:
        """Lines [start_line, end_line) replaced by `new`, trimmed to what
        really changes; None when nothing does."""
        start, end = self.starts[start_line], self.starts[end_line]
        old = self.text[start:end]
        common = min(len(old), len(new))
        same_start = 0
        while same_start < common and old[same_start] == new[same_start]:
            same_start += 1
        same_end = 0
        while same_end < common - same_start and old[-1 - same_end] == new[-1 - same_end]:
            same_end += 1
        if same_start == len(old) == len(new):
            return None
        start, end = start + same_start, end - same_end
        return Replacement(
            *self.position(start), *self.position(end), start, end - start,
            new[same_start:len(new) - same_end],
        )

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of `offset`."""
        line = bisect.bisect_right(self.yaml_line_starts, offset) - 1
        return line + 1, offset - self.yaml_line_starts[line] + 1
