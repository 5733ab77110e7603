"""Fuzzing: random and mutated runbooks and workflows of every format read by
recoverylint, through check, every output format, plan, convert and `--fix`.

Inputs:
- random native runbooks (the strategies of test_robustness_hypothesis and
  test_fix: runbook-shaped documents dumped as JSON or YAML, and runbooks whose
  `needs` are written every way the format allows, with comments about);
- mutated seeds: the repository's examples and adapter fixtures and the shared
  real-world corpora of every format, with list items and keys deleted,
  duplicated and swapped, scalars replaced by hostile ones, references
  renamed, nodes shared through anchors and aliases; then, in the text, raw
  hostile characters (U+2028, NEL, CR, an OSC escape, NUL, a BOM), lines
  duplicated or deleted, other line breaks, comment lines.

Properties (see docs/fuzzing.md):
- check never raises, and every finding's span lies inside the text, counted
  in the lines an editor shows (only LF, CRLF and CR break lines);
- every output format of check and of plan renders; JSON parses; the
  one-line formats (concise, github) carry no raw ESC, BEL or CR;
- plan never fails on a runbook check read;
- convert writes a native runbook that checks without RL001-RL003, or exits 2
  with a message, never a traceback;
- `--fix` (and `--fix --unsafe-fixes`) run twice: the second run changes
  nothing, the first changes only `needs` (and the `flow` line an unsafe fix
  writes), and keeps every comment line.

In CI each property runs a fixed number of derandomized examples (about a
minute in all).  RECOVERYLINT_FUZZ_EXAMPLES=<n> runs n examples of each property;
RECOVERYLINT_FUZZ_SEED=<int> draws other examples than CI's.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any, Callable

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, example, given, seed, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from test_cli_fix import CHECKLIST, FALSE_GATE, REDUNDANT
from test_corpus import CORPORA, FORMATS
from test_fix import NEEDS_LINE, Style, Writer, changed_lines, formatted_runbooks, write_needs
from test_robustness_hypothesis import (
    _same,
    _slots,
    assert_well_formed,
    dump,
    styles,
    valid_normal_runbook,
    valid_shaped_runbook,
)

from recoverylint.cli import cli
from recoverylint.engine import check_text, plan_text
from recoverylint.model import Runbook

ROOT = Path(__file__).resolve().parent.parent
CHECK_FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab")
PLAN_FORMATS = ("text", "json", "mermaid", "mermaid-gantt", "dot", "html")
# Findings that mean the file could not be read as a runbook at all.
UNREADABLE = {"RL001", "RL002", "RL003"}


# -- How long to fuzz ---------------------------------------------------------------

_EXAMPLES = os.environ.get("RECOVERYLINT_FUZZ_EXAMPLES")
_SEED = os.environ.get("RECOVERYLINT_FUZZ_SEED")


def fuzz(ci_examples: int) -> Callable:
    """A property's settings: `ci_examples` derandomized examples (the same
    ones on every run), or as many as RECOVERYLINT_FUZZ_EXAMPLES says; drawn
    from RECOVERYLINT_FUZZ_SEED when it is set."""
    configured = settings(
        max_examples=int(_EXAMPLES) if _EXAMPLES else ci_examples,
        derandomize=_SEED is None,
        deadline=None,
        database=None,  # no example database in the working tree
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )

    def decorate(test: Callable) -> Callable:
        test = configured(test)
        return seed(int(_SEED))(test) if _SEED is not None else test

    return decorate


# -- Seeds --------------------------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


NATIVE_SEEDS = _files(ROOT / "examples") + _files(ROOT / "tests" / "fix")
# Workflows of the other formats: the adapters' fixtures, and the shared
# corpora when they are beside the checkout (CI has them; see test_corpus).
WORKFLOW_SEEDS = _files(ROOT / "tests" / "adapters") + [
    path for corpus in sorted(FORMATS) for path in _files(CORPORA / corpus)
]
ALL_SEEDS = NATIVE_SEEDS + WORKFLOW_SEEDS


@functools.lru_cache(maxsize=None)
def seed_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


# -- Structural mutations (on the data, comments kept) -----------------------------

LONG = "x" * 20_000
MANY = 200  # copies of a list item: large inputs, within a CI minute
HOSTILE_VALUES: list[Any] = [
    "",
    " ",
    10**400,
    -(10**30),
    float("nan"),
    float("inf"),
    "a\u2028b",
    "a\x85b",
    "a\u2029b",
    "a\rb",
    "a\r\nb",
    "\x1b]0;t\x07",
    "\x1b[31mred\x1b[0m",
    "nul\x00",
    "\ufeffbom",
    LONG,
    "*a",
    "&a",
    "{{ x }}",
    "${{ x }}",
    "<% $.x %>",
    "#",
    "- x",
    ": x",
    None,
    True,
    [],
    {},
]


def _round_trip() -> YAML:
    yaml = YAML()  # round trip: comments, quoting and order kept
    yaml.width = 1 << 20  # no folding of long lines
    yaml.allow_duplicate_keys = True
    return yaml


def _contains(node: Any, target: Any) -> bool:
    """Whether `target` is `node` or inside it (a cycle would be an alias to an ancestor)."""
    if node is target:
        return True
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return any(_contains(child, target) for child in children)


def _occurrences(node: Any, out: list) -> list[tuple[Any, Any, bool]]:
    """Every string in a document, key or value: (container, key, whether the key itself)."""
    if isinstance(node, (dict, list)):
        for key, value in list(node.items()) if isinstance(node, dict) else enumerate(node):
            if isinstance(node, dict) and isinstance(key, str):
                out.append((node, key, True))
            if isinstance(value, str):
                out.append((node, key, False))
            else:
                _occurrences(value, out)
    return out


def _replace(container: Any, key: Any, is_key: bool, new: str) -> None:
    if not is_key:
        container[key] = new
    elif new not in container:
        position = list(container).index(key)
        value = container.pop(key)
        if hasattr(container, "insert"):  # ruamel's mapping: keep the key's place
            container.insert(position, new, value)
        else:
            container[new] = value


def _mutate_once(draw: Any, documents: list) -> None:
    slots = [slot for document in documents for slot in _slots(document, [])]
    if not slots:
        return
    container, key = draw(st.sampled_from(slots))
    kinds = ["delete", "duplicate", "swap", "hostile", "hostile", "alias", "rename", "rename", "multiply"]
    kind = draw(st.sampled_from(kinds))
    if kind == "delete":
        del container[key]
    elif kind == "duplicate":
        if isinstance(container, list):
            container.insert(key, copy.deepcopy(container[key]))
        else:
            container[f"{key}-again"] = copy.deepcopy(container[key])
    elif kind == "multiply":  # a long list: many steps, waits, names
        if isinstance(container, list):
            container[key:key] = [copy.deepcopy(container[key]) for _ in range(MANY)]
    elif kind == "swap":
        others = list(range(len(container))) if isinstance(container, list) else list(container)
        other = draw(st.sampled_from(others))
        container[key], container[other] = container[other], container[key]
    elif kind == "hostile":
        # A copy: a later mutation must not change the list the next example draws from.
        container[key] = copy.deepcopy(draw(st.sampled_from(HOSTILE_VALUES)))
    elif kind == "alias":
        # The same node in two places: written as an anchor and an alias.
        nodes = [c[k] for c, k in slots if isinstance(c[k], (dict, list)) and not _contains(c[k], container)]
        if nodes:
            container[key] = draw(st.sampled_from(nodes))
    else:
        occurrences = _occurrences(documents, [])
        if occurrences:
            container, key, is_key = draw(st.sampled_from(occurrences))
            old = key if is_key else container[key]
            suffixes = ["-renamed", "\x1b]0;t\x07", "\u2028", "\x85", "\r"]
            others = sorted({k if i else c[k] for c, k, i in occurrences})
            new = draw(st.sampled_from([old + suffix for suffix in suffixes] + others + ["", LONG]))
            if draw(st.booleans()):  # everywhere: references follow
                places = [o for o in occurrences if (o[1] if o[2] else o[0][o[1]]) == old]
                for place in sorted(places, key=lambda place: place[2]):  # values, then keys
                    _replace(*place, new)
            else:  # in one place: references dangle
                _replace(container, key, is_key, new)


@st.composite
def structurally_mutated(draw: Any, text: str) -> str:
    """`text` with 1-4 mutations of its data; the text itself when it is not
    YAML ruamel can read and write back."""
    yaml = _round_trip()
    try:
        documents = list(yaml.load_all(text))
    except Exception:  # noqa: BLE001 - text the text mutations still take
        return text
    for _ in range(draw(st.integers(1, 4))):
        _mutate_once(draw, documents)
    try:
        stream = StringIO()
        yaml.dump_all(documents, stream)
        return stream.getvalue()
    except Exception:  # noqa: BLE001 - ruamel cannot write every mutation back
        return text


# -- Text mutations (raw characters the data cannot carry) -------------------------

LONG_RAW = 5_000
RAW = [
    "\u2028",
    "\x85",
    "\u2029",
    "\r",
    "\x1b]0;t\x07",
    "\x1b[2J",
    "\x00",
    "\ufeff",
    "\t",
    "'",
    '"',
    "&a ",
    "*a",
    "{{",
    "#",
    "x" * LONG_RAW,
]


@st.composite
def textually_mutated(draw: Any, text: str, most: int = 3) -> str:
    for _ in range(draw(st.integers(0, most))):
        lines = text.split("\n")
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["raw", "raw", "duplicate", "delete", "comment", "newlines", "bom"]))
        if kind == "raw":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(RAW)) + line[at:]
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "delete" and len(lines) > 1:
            del lines[index]
        elif kind == "comment":
            indent = len(lines[index]) - len(lines[index].lstrip(" "))
            lines.insert(index, " " * indent + "# fuzz: a comment line")
        text = "\n".join(lines)
        if kind == "newlines":
            text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
        elif kind == "bom":
            text = "\ufeff" + text
    return text


def mutated(paths: list[Path]) -> st.SearchStrategy[str]:
    return (
        st.sampled_from(paths)
        .map(seed_text)
        .flatmap(structurally_mutated)
        .flatmap(textually_mutated)
    )


# Valid-shaped documents, mutated here: the strategy test_robustness_hypothesis
# mutates its documents with draws from lists it then changes in place (a
# second run of an example draws something else, which Hypothesis refuses).
valid_shaped_text = st.tuples(valid_shaped_runbook, styles).map(lambda drawn: dump(*drawn))
random_native = st.one_of(
    valid_shaped_text,
    valid_shaped_text.flatmap(structurally_mutated),
    formatted_runbooks().map(lambda written: written[0]),
)
any_input = st.one_of(random_native.flatmap(textually_mutated), mutated(ALL_SEEDS))


# -- What every property shares ----------------------------------------------------

EDITOR_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def editor_lines(text: str) -> list[str]:
    """The lines an editor shows: only LF, CRLF and CR break lines (not
    U+2028, U+2029 or NEL, which YAML 1.1 also counts)."""
    return EDITOR_LINE_BREAK.split(text)


def assert_spans_inside(findings: list, text: str) -> None:
    lines = editor_lines(text)
    for f in findings:
        assert 1 <= f.span.line <= len(lines), (f, len(lines))
        assert 1 <= f.span.end_line <= len(lines), (f, len(lines))
        assert f.span.column <= len(lines[f.span.line - 1]) + 1, (f, lines[f.span.line - 1][:200])


def write(folder: Path, text: str, name: str = "runbook.yaml") -> Path:
    path = folder / name
    # Lone surrogates (never drawn today) would be invalid UTF-8: an RL001.
    path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return path


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"recoverylint {' '.join(args)} raised") from result.exception
    assert "Traceback" not in result.output, result.output[-2000:]
    return result


def comment_lines(text: str) -> Counter:
    return Counter(line.strip() for line in editor_lines(text) if line.lstrip().startswith("#"))


# -- check --------------------------------------------------------------------------


@fuzz(ci_examples=400)
@given(any_input)
@example("version: 1.0\ntasks:\n  a:\n    action: [a]\n")  # crashed a work in progress
def test_check_never_raises(text: str) -> None:
    result = check_text(text)
    assert result.internal_error is None, result.internal_error
    assert_well_formed(result.findings, text)


@fuzz(ci_examples=400)
@given(any_input)
@example("runbook: rb\nsteps:\n  - id: a\n    title: one\u2028two\n  - id: a\n")
@example('\u2028{"runbook": "orders-db-outage", "title": "", "steps": []}')
@example("a: |\n  x")  # ends in a block scalar without a final line break
@example("\ufeffa: |\n  x")  # and starts with a BOM
def test_spans_are_inside_the_lines_an_editor_shows(text: str) -> None:
    assert_spans_inside(check_text(text).findings, text)


def check_in_every_format(text: str) -> dict[str, str]:
    """`check` of `text` in one run: full on stdout, every other format
    through --report; each format's output."""
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        reports = [option for name in CHECK_FORMATS[1:] for option in ("--report", f"{name}:{folder}/report.{name}")]
        result = invoke("check", "--no-cache", "--no-color", "-j", "1", "--format", "full", str(path), *reports)
        assert result.exit_code in (0, 1), result.output[-2000:]
        outputs = {name: (Path(folder) / f"report.{name}").read_text(encoding="utf-8") for name in CHECK_FORMATS[1:]}
    return {"full": result.stdout, **outputs}


@fuzz(ci_examples=250)
@given(any_input)
def test_every_check_format_renders(text: str) -> None:
    outputs = check_in_every_format(text)
    json.loads(outputs["json"])
    json.loads(outputs["sarif"])
    json.loads(outputs["gitlab"])
    for line in outputs["json-lines"].split("\n"):  # U+2028 may stand in a JSON string
        if line:
            json.loads(line)
    ElementTree.fromstring(outputs["junit"])


# No raw control character of the input may reach a terminal or a CI log.
RAW_CONTROLS = re.compile(r"[\x1b\x07\r]")
# A GitHub Actions job whose id holds an OSC title escape (ESC ] ... BEL) and a CR.
GITHUB_ESCAPES = (
    'on: push\njobs:\n  "a\\e]0;t\\a\\rX":\n    runs-on: x\n    needs: ["b\\e[31m\\r\\u2028q"]\n'
    "    steps:\n      - run: echo\n"
)


@fuzz(ci_examples=100)
@given(any_input)
@example(GITHUB_ESCAPES)
@example('runbook: rb\nsteps:\n  - id: a\n    needs: ["\\e]0;t\\a\\r"]\n')
def test_terminal_formats_carry_no_raw_escape_bell_or_cr(text: str) -> None:
    outputs = check_in_every_format(text)
    for name in ("concise", "github", "full"):
        assert not RAW_CONTROLS.search(outputs[name]), (name, outputs[name][:2000])


# -- plan ---------------------------------------------------------------------------


@fuzz(ci_examples=200)
@given(st.one_of(random_native, mutated(ALL_SEEDS)))
def test_plan_never_fails_on_a_runbook_check_read(text: str) -> None:
    checked = check_text(text)
    if checked.runbook is None or {f.code for f in checked.findings} & UNREADABLE:
        return
    result, planned = plan_text(text)
    assert result.internal_error is None, result.internal_error
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        for name in PLAN_FORMATS:
            run = invoke("plan", "--no-color", "--format", name, str(path))
            # 2: not plannable (repeated ids, a cycle), said as a finding.
            assert run.exit_code == (0 if planned is not None else 2), (name, run.output[-2000:])
            if name == "json" and planned is not None:
                json.loads(run.output)


# -- convert ------------------------------------------------------------------------


@fuzz(ci_examples=250)
@given(mutated(WORKFLOW_SEEDS))
def test_convert_writes_a_readable_runbook_or_says_why_not(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = write(Path(folder), text, "workflow.yaml")
        output = Path(folder) / "converted.yaml"
        result = invoke("convert", str(source), "-o", str(output))
        if result.exit_code == 2:
            assert result.output.strip(), "exit 2 without a message"
            return
        assert result.exit_code == 0, result.output[-2000:]
        converted = output.read_text(encoding="utf-8")
    checked = check_text(converted)
    assert not [f for f in checked.findings if f.code in UNREADABLE], (checked.findings, converted[:3000])
    original = check_text(text, str(source)).runbook  # a stream's step names hold the file's name
    if original is None:
        return
    # The same steps in the same order, each with its original name first in
    # its title, and the same waits.
    titles = [step.title or "" for step in checked.runbook.steps]
    assert len(titles) == len(original.steps), converted[:3000]
    assert all(title.startswith(step.id) for title, step in zip(titles, original.steps)), converted[:3000]
    if len({step.id for step in original.steps}) == len(original.steps):
        assert waits(original) == waits(checked.runbook), converted[:3000]


def waits(runbook: Runbook) -> set[tuple[int, int]]:
    """The declared order as pairs of step positions (waited for, waiting),
    closed: a wait implied through others counts as written."""
    position = {step.id: index for index, step in enumerate(runbook.steps)}
    after: dict[int, set[int]] = {}
    for edge in runbook.declared_edges:
        if edge.source in position and edge.target in position:  # not a wait for no step
            after.setdefault(position[edge.source], set()).add(position[edge.target])
    closed = set()
    for start in after:
        seen, todo = set(), list(after[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(after.get(node, ()))
        closed |= {(start, node) for node in seen}
    return closed


# -- --fix, twice -------------------------------------------------------------------

def without_needs(node: Any) -> Any:
    """A document's data without any `needs` key."""
    if isinstance(node, dict):
        return {key: without_needs(value) for key, value in node.items() if key != "needs"}
    if isinstance(node, list):
        return [without_needs(value) for value in node]
    return node


def edited_by_fix(line: str, unsafe: bool) -> bool:
    """Whether a line `--fix` removed or wrote is one it may edit: a line of a
    `needs` list, a blank line inside one, or (unsafe) the top level's `flow`."""
    line = line.rstrip("\r\n")
    return not line.strip() or bool(NEEDS_LINE.match(line)) or (unsafe and line.startswith("flow:"))


def safe_data(text: str) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except Exception:  # noqa: BLE001 - not comparable as data
        return None


# Titles whose escapes decode to hostile characters.
TITLES = ["Step", '"\\e]0;t\\a"', '"one\\u2028two"', '"nel\\x85"', '"cr\\r"', "'#not a comment'", "x" * 2000]


@st.composite
def fixable_runbooks(draw: Any) -> str:
    """Runbooks with fixes on offer: each step needs only steps before it (no
    cycle), some without using what they make (false gates), some already
    implied (redundant); `needs` written every way test_fix writes them, and
    comments about."""
    writer = Writer(draw)
    indent = draw(st.sampled_from([2, 4]))
    style = Style(
        indent=indent,
        dash=draw(st.sampled_from([0, indent])),
        spacing=draw(st.sampled_from([" ", "  "])),
        flow_list=draw(st.sampled_from(["[{}]", "[ {} ]"])),
        separator=draw(st.sampled_from([", ", ","])),
    )
    ids = [f"s{index}" for index in range(draw(st.integers(2, 6)))]
    writer.add(f"runbook: fuzz{writer.eol_comment()}")
    writer.maybe_comment_line(0)
    flow = draw(st.sampled_from([None, "sequential", "parallel", "parallel"]))
    if flow:
        writer.add(f"flow: {flow}{writer.eol_comment()}")
    writer.add("given: [alert]")
    writer.add(f"team: {{size: {draw(st.integers(1, 3))}}}")
    writer.add("roles:")
    writer.add(f"  lead: {{authority: [observe, decide, apply], people: {draw(st.integers(1, 3))}}}")
    writer.add("steps:")
    for index, step_id in enumerate(ids):
        column, content = style.dash, style.dash + 2
        writer.maybe_comment_line(column)
        writer.add(" " * column + f"- id: {writer.name(step_id)}{writer.eol_comment()}")
        if draw(st.booleans()):
            writer.add(" " * content + f"title: {draw(st.sampled_from(TITLES))}")
        writer.add(" " * content + "role: lead")
        facts = ["alert"] + [f"fact-{earlier}" for earlier in range(index)]
        inputs = draw(st.lists(st.sampled_from(facts), unique=True, min_size=1, max_size=2))
        writer.add(" " * content + f"inputs: [{', '.join(inputs)}]")
        writer.add(" " * content + f"outputs: [fact-{index}]")
        needs = draw(st.lists(st.sampled_from(ids[:index]), max_size=3)) if index else []
        if needs:
            write_needs(writer, style, needs, step_id, " " * content, content)
            writer.maybe_comment_line(draw(st.sampled_from([content, column])))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(line for line, _ in writer.lines) + newline


fixable = st.one_of(
    fixable_runbooks(),
    fixable_runbooks(),
    st.sampled_from([REDUNDANT, FALSE_GATE, CHECKLIST]).flatmap(structurally_mutated),
    mutated(NATIVE_SEEDS),
    formatted_runbooks().map(lambda written: written[0]),
).flatmap(lambda text: textually_mutated(text, most=1))


def fixed_by_cli(text: str, unsafe: bool, runs: int) -> list[str]:
    """The file's text after each of `runs` runs of `check --fix` (and
    `--unsafe-fixes` when `unsafe`) on `text`."""
    options = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    texts = []
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        for _ in range(runs):
            result = invoke("check", "--no-cache", "--no-color", "-j", "1", "-q", *options, str(path))
            assert result.exit_code in (0, 1), result.output[-2000:]
            texts.append(path.read_bytes().decode("utf-8", errors="surrogatepass"))
    return texts


@fuzz(ci_examples=120)
@given(fixable, st.booleans())
def test_fix_changes_only_needs_and_keeps_every_comment(text: str, unsafe: bool) -> None:
    [fixed] = fixed_by_cli(text, unsafe, runs=1)
    if fixed == text:
        event("nothing fixed")
        return
    event("fixed")
    removed, added = changed_lines(text, fixed)
    assert all(edited_by_fix(line, unsafe) for line in removed + added), (removed, added)
    missing = comment_lines(text) - comment_lines(fixed)
    assert not missing, missing
    before, after = safe_data(text), safe_data(fixed)
    assert before is not None and after is not None
    if unsafe and isinstance(before, dict) and isinstance(after, dict):
        before, after = dict(before), dict(after)
        before.pop("flow", None)
        after.pop("flow", None)
    assert _same(without_needs(before), without_needs(after)), (text, fixed)


# The first --fix removes `a` from c's needs (redundant through b); only then
# are b's `a` and c's `b` false gates.
REDUNDANT_THEN_FALSE = "runbook: r\nflow: parallel\nsteps:\n- id: a\n- id: b\n  needs: [a]\n- id: c\n  needs: [a, b]\n"


@fuzz(ci_examples=80)
@given(fixable, st.booleans())
@example(REDUNDANT_THEN_FALSE, False)
def test_a_second_fix_changes_nothing(text: str, unsafe: bool) -> None:
    fixed, again = fixed_by_cli(text, unsafe, runs=2)
    assert again == fixed, "the second --fix changed the file"


# -- The documentation ----------------------------------------------------------------

DOCS = ROOT / "docs" / "fuzzing.md"


def test_the_docs_list_every_property_and_setting() -> None:
    documented = set(re.findall(r"^\| `(test_\w+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    properties = {name for name in globals() if name.startswith("test_") and name != "test_the_docs_list_every_property_and_setting"}
    assert documented == properties
    text = " ".join(DOCS.read_text(encoding="utf-8").split())
    for variable in ("RECOVERYLINT_FUZZ_EXAMPLES", "RECOVERYLINT_FUZZ_SEED", "RECOVERYLINT_CORPORA"):
        assert variable in text
    durations_tests = (Path(__file__).parent / "test_durations.py").read_text(encoding="utf-8")
    assert 'os.environ.get("RECOVERYLINT_DURATION_EXAMPLES", "150")' in durations_tests
    assert "`RECOVERYLINT_DURATION_EXAMPLES` runs more" in text and "run 150 examples" in text
    # The sizes the inputs section quotes are the ones drawn.
    assert 10**400 in HOSTILE_VALUES and "10^400" in text
    assert f"{len(LONG):,} characters" in text
    assert f"{LONG_RAW:,} characters" in text
    assert f"{MANY} times" in text
