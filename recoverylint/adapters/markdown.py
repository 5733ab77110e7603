"""Markdown runbooks: a page per alert (Meaning / Impact / Diagnosis /
Mitigation...), its commands in fenced shell blocks.

The page is parsed with markdown-it-py (CommonMark, which keeps each
block's source lines); its shell with `recoverylint.shell` (bashlex and one
table per tool).  How a page maps to the model:

- Phases, from headings (any level, case and punctuation ignored; a heading
  without a phase word inherits the phase of the heading it lies under, a
  heading at the same or a higher level without one ends it):
  Diagnosis, Diagnose, Diagnostics, Investigation, Investigate,
  Troubleshooting, Debugging -> diagnose; Triage -> triage; Mitigation,
  Mitigate, Remediation, Remediate, Resolution, Resolve, Fix, Recovery,
  Recover, Workaround, Repair -> remediate; Verification, Verify,
  Validation, Validate, Confirm -> verify; Escalation, Escalate,
  Communication, Communicate, Notify, Notification -> communicate.  The
  first such word of a heading decides ("Diagnosis and mitigation"); but
  checks after the fix (Post-checks, Post-mitigation) verify, and checks
  before it (Pre-checks, Possible checks, Checks) diagnose.
- Steps: each list item (numbered or bulleted) under a phase heading, or
  anywhere when it holds a command; each fenced shell block outside a list
  (info `bash`, `sh`, `shell`, `console`, `zsh`, `terminal`, `shell-session`
  or none; an indented code block is one with none); each paragraph outside a list whose inline code starts with a
  tool of the shell tables.  A list item's commands are its fenced shell
  blocks and its inline code that starts with such a tool.  A block whose
  paragraph says it is an example ("Example, scale `web` to 0:") is the
  step before it, written out for one case.  In a terminal transcript
  (`console`, `terminal`, `shell-session`), `# ` before a command the
  shell tables know is root's prompt, not a comment.  A diagnosis section
  with no step but a query (`promql`, `logql`...) or a paragraph telling
  the reader what to look at ("Check app usage over time.") is one step
  there, of unknown effect.  Ids are the
  nearest heading's slug and a number (`mitigation-2`); the title is the
  item's or the preceding paragraph's first line.  Steps are located at the
  list item's marker or the fence.
- Declared order O: the page is read top to bottom, so every step waits for
  the one before it (numbered and bulleted lists alike) except within a
  list of options: a list introduced by a paragraph saying `option(s)`,
  `alternative(s)`, `either`, `one of`, `choose` or `depending on`, or whose
  items start with `Option`.  Its items are alternatives: each starts after
  the step before the list, each excludes the others, and the step after
  the list waits for all of them.  When the introduction says to choose
  (`either`, `one of`, `choose`, `depending on`), the step before the list
  decides between them.
- Resources and facts: what the commands read and write (the shell
  tables).  A variable assigned from a command's output (`POD=$(oc get
  pods ...)`) and used by another step is a fact `$POD` the step outputs;
  a `$POD` in another step is an input.  Variables nobody assigns from a command (the reader's
  environment) are not facts.
- A step using a value the reader fills in (`<pod>`, or a `$NS` no step
  assigns) may take it from any step before: the wait into it is required.
  A step whose text opens with a condition (`If`, `Unless`, `Otherwise`,
  `In case`, `When`, "For pods that are not ready") is done or not by what
  the steps before it showed, and one pointing at them ("look for that
  request", "the output above", "from step 2") uses it: each requires
  every step before it, back to the nearest step of unknown effect.  A
  step naming a Kubernetes object (`kubectl logs kube-proxy-b9g23`)
  requires the latest step before it that listed objects of its kind there: the
  name was taken from that list, though the page writes an example of it.
  A step logging in to a host or opening a shell on it (`Log in to the
  node`, `ssh`, `oc debug node/n`) is required by every step after it:
  they may be typed there.
- The first step of a phase requires every step of the phases before it
  (diagnosis, then mitigation): the page's method, not a gate to question.
- Links are not followed: a step saying "follow helpers/gatherLogs.md" has
  no known effect even when the page linked is beside this one.  A file's
  findings come from that file alone (a cached result is keyed by its
  bytes, and an edit of the helper would not reach it), and a helper page
  is a menu of options for any alert, not the steps this one takes.
- Unknown effects are never guessed: a step with no command (a block of
  comments only, "# TODO"), or with a command of no table, has no known effect, so that no finding says it
  could move: every step after it requires it, and it every step before
  it, however many steps lie between (a need with that reason; back to
  the nearest such step, which requires those before it in turn).
- Rollbacks: a heading saying `rollback`, `roll back`, `revert` or `undo`
  (its phase is that of the heading it lies under) holds ways back: a step
  under it that writes what a change before it on the page writes is that
  change's rollback (the nearest such step after the change).
- Verification: a step under a verify heading, or a step that only reads,
  whose text says it checks (`check`, `verify`, `validate`, `confirm`,
  `ensure`...), and that reads what a change before it in its section writes.
- Which pages are runbooks: a `.md` or `.markdown` file is read when it
  looks like one: a heading starting with a mitigation word (above), or
  with a diagnosis or triage word on a page with a list or a fenced block.  Found in a folder, any other page
  (a README, design notes with a "Verification" section) is skipped;
  named on the command line, it is RL003.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

from ..capabilities import Capability
from ..graphs import overlaps
from ..limits import TooLarge
from ..model import EdgeKind, Phase, Ref, Span
from ..shell import NEUTRAL, TABLES, Script, read_script
from ..source import Document
from . import Adapted, InputFormat
from ._behaviour import CHECK_WORDS, words
from ._builder import Descendants, RunbookBuilder, StepDraft, forward_successors
from ._step_ids import slug

NAME = "markdown"
SUFFIXES = (".md", ".markdown")
# Phase words of headings (documented in the module docstring).
PHASE_WORDS: dict[str, Phase] = {
    **dict.fromkeys(
        ("diagnosis", "diagnose", "diagnostic", "diagnostics", "investigation", "investigate",
         "troubleshooting", "troubleshoot", "debugging", "debug"),
        Phase.DIAGNOSE,
    ),
    "triage": Phase.TRIAGE,
    **dict.fromkeys(
        ("mitigation", "mitigate", "mitigations", "remediation", "remediate", "resolution",
         "resolve", "fix", "recovery", "recover", "workaround", "repair"),
        Phase.REMEDIATE,
    ),
    **dict.fromkeys(("verification", "verify", "validation", "validate", "confirm"), Phase.VERIFY),
    **dict.fromkeys(
        ("escalation", "escalate", "communication", "communicate", "notify", "notification"),
        Phase.COMMUNICATE,
    ),
}
SHELL_INFOS = frozenset({"", "bash", "sh", "shell", "console", "zsh", "terminal", "shell-session", "shellsession"})
# Blocks copied from a terminal, where `# ` before a command is root's prompt, not a comment.
TRANSCRIPT_INFOS = frozenset({"console", "terminal", "shell-session", "shellsession"})
TOOLS = frozenset(name for table in TABLES for name in table.names)
_OPTIONS = re.compile(r"\b(?:options?|alternatives?|either|one of|choose|depending on)\b", re.IGNORECASE)
_CHOOSE = re.compile(r"\b(?:either|one of|choose|depending on)\b", re.IGNORECASE)
_OPTION_ITEM = re.compile(r"\s*(?:\*\*)?option\b", re.IGNORECASE)
_ROLLBACK = re.compile(r"\b(?:roll\s*back|revert|undo)", re.IGNORECASE)
# A step whose text opens with a condition is done or not by what the steps
# before it showed: "If you cannot identify the failing resource, ...".
_BACK_REFERENCE = re.compile(
    r"\b(?:that|those|the above|the previous)\s+(?:request|requests|output|result|results|pod|pods|error|errors"
    r"|value|values|name|names|node|nodes|command|entry|entries|id|line|lines)\b|\b(?:the )?output above\b"
    r"|\b(?:from|in|of|see)\s+step\s+\d+\b",
    re.IGNORECASE,
)
# A step opening a session on a host: what follows is typed there.
_SESSION = re.compile(
    r"(?:\*\*)?(?:log\s*in|login|ssh|connect to|access the (?:node|host|server|machine)|open a (?:shell|session))\b",
    re.IGNORECASE,
)
# A block shown as an example of the command before it, not a step of its own.
_EXAMPLE = re.compile(r"\s*(?:\*\*)?(?:example|for example|e\.g\.)\b", re.IGNORECASE)
_CONDITION = re.compile(
    r"(?:\*\*)?((?:if|unless|otherwise|in case|when"
    # "For pods that are running but not ready": the objects the steps before showed in some state
    r"|for\s+(?:the\s+|any\s+|each\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:that|which|where|whose|with)"
    r")\b[^,:.]{0,80})",
    re.IGNORECASE,
)
_VERIFY_WORDS = CHECK_WORDS | {"confirm", "confirmed", "validation", "verified", "ensure", "checking", "verifying"}
_PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_ .:/-]*>")
_WORD = re.compile(r"[a-z]+")
_POST_CHECKS = re.compile(r"\bpost[- ]?(?:checks?|mitigation|fix)\b|\bafter the fix\b")
_CHECKS = re.compile(r"\bpre[- ]?checks?\b|\bchecks\b")
# Fenced blocks of these languages query what the service shows (metrics, logs, traces).
QUERY_INFOS = frozenset({"promql", "logql", "metricsql", "traceql", "kql", "query"})
# The first words of a paragraph that tells the reader to look at something.
_LOOKING_VERBS = frozenset(
    {"check", "look", "inspect", "examine", "review", "query", "verify", "confirm", "find", "identify",
     "determine", "investigate", "see", "search", "monitor", "watch", "compare", "open", "view", "try",
     "ensure", "test", "visit", "navigate", "browse", "go"}
)
# Past this many tokens a page is refused (RL001), as a YAML file past its node limit.
MAX_TOKENS = 2_000_000


class MarkdownPage:
    """The source of a Markdown file: what `Document.data` holds for it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self._tokens: list[Token] | None = None

    @property
    def tokens(self) -> list[Token]:
        """The page's tokens, parsed once for detection and the model."""
        if self._tokens is None:
            self._tokens = _markdown().parse(self.text)
        return self._tokens


class MarkdownDocument(Document):
    """A Markdown file as the engine passes documents to formats."""

    def __init__(self, text: str) -> None:
        super().__init__(MarkdownPage(text), 0, {})

    @property
    def page(self) -> MarkdownPage:
        page = self.data
        assert isinstance(page, MarkdownPage)
        return page

    @property
    def root_span(self) -> Span:
        return Span(1, 1, 1, 1)

    @property
    def start_span(self) -> Span:
        return Span(1, 1, 1, 1)


def parse(text: str) -> Document:
    """A Markdown file's document (never fails: any text is Markdown)."""
    return MarkdownDocument(text)


def detect(document: Document) -> bool:
    """A Markdown page that looks like a runbook (see `looks_like_runbook`)."""
    return isinstance(document.data, MarkdownPage) and looks_like_runbook(document.data)


def phase_of(heading: str) -> Phase | None:
    """The phase the first phase word of a heading names, or None: checks
    after the fix ("Post-checks") verify it, checks before it ("Pre-checks",
    "Possible checks") diagnose."""
    lowered = heading.lower()
    if _POST_CHECKS.search(lowered):
        return Phase.VERIFY
    if _CHECKS.search(lowered):
        return Phase.DIAGNOSE
    for word in _WORD.findall(lowered):
        if word in PHASE_WORDS:
            return PHASE_WORDS[word]
    return None


@cache
def _markdown() -> MarkdownIt:
    """The parser, made at the first page read: a run without Markdown never imports it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


# A page with a heading of one of these is a runbook; a document with only
# "Verification" or "Communication" headings (a design note) is not.
_RUNBOOK_PHASES = frozenset({Phase.DIAGNOSE, Phase.TRIAGE, Phase.REMEDIATE})


def looks_like_runbook(page: MarkdownPage) -> bool:
    """Whether a Markdown page is a runbook: a heading starting with a
    mitigation word, or with a diagnosis or triage word over a list or a
    fenced block."""
    tokens = page.tokens
    # A heading's first word, so that "Bug fixes" in a changelog is none.
    phases = {
        PHASE_WORDS.get(next(iter(_WORD.findall(token.content.lower())), ""))
        for index, token in enumerate(tokens)
        if token.type == "inline" and index and tokens[index - 1].type == "heading_open"
    }
    if Phase.REMEDIATE in phases:
        return True
    return bool(phases & _RUNBOOK_PHASES) and any(
        token.type in ("fence", "bullet_list_open", "ordered_list_open") for token in tokens
    )


@dataclass(eq=False)
class _Item:
    """A step being read: where it is, its text, and its shell."""

    line: int  # 0-based line of the list item or fence
    end: int  # 0-based line after it
    heading: str
    phase: Phase | None
    text: list[str] = field(default_factory=list)
    # (script, 0-based line of its first line, column offset): fenced or inline
    scripts: list[tuple[str, int, int]] = field(default_factory=list)
    draft: StepDraft | None = None
    undoes: bool = False  # under a rollback heading
    known: bool = True
    placed: bool = False
    # A value the reader fills in (`<pod>`, or `$NS` that no step assigns),
    # perhaps from what a step before showed.
    filled: str | None = None


@dataclass(eq=False)
class _Options:
    """A list of alternatives: each item is one (its nested items follow it)."""

    choose: bool
    alternatives: list[list[_Item]] = field(default_factory=list)


@dataclass(eq=False)
class _List:
    options: _Options | None
    depth: int


class _Reader:
    def __init__(self, page: MarkdownPage) -> None:
        self.page = page
        # The page's order: steps, and lists of options.
        self.units: list[_Item | _Options] = []
        self.headings: list[tuple[int, str, Phase | None]] = []  # (level, text, phase)
        self.rollback_level: int | None = None  # the open rollback heading's level
        self.title: tuple[str, int] | None = None
        self.lists: list[_List] = []
        self.items: list[_Item] = []  # open list items, innermost last
        self.paragraph: str | None = None  # the last paragraph outside lists
        # The open section's steps, and its first query or paragraph saying what
        # to look at: (line, end, text), a step of a diagnosis that has none.
        self.section_steps = 0
        self.section_look: tuple[int, int, str | None] | None = None

    @property
    def heading(self) -> str:
        return self.headings[-1][1] if self.headings else ""

    @property
    def phase(self) -> Phase | None:
        return self.headings[-1][2] if self.headings else None

    def read(self, tokens: list[Token]) -> None:
        self._read(tokens)
        self.end_section()

    def _read(self, tokens: list[Token]) -> None:
        for index, token in enumerate(tokens):
            kind = token.type
            if kind == "heading_open":
                self.open_heading(int(token.tag[1:]), tokens[index + 1].content, token)
            elif kind in ("bullet_list_open", "ordered_list_open"):
                self.open_list(tokens, index)
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
            elif kind == "list_item_open":
                self.open_item(token)
            elif kind == "list_item_close":
                self.close_item(self.items.pop())
            elif kind in ("fence", "code_block"):
                self.fence(token)
            elif kind == "inline" and token.map is not None and tokens[index - 1].type == "paragraph_open":
                self.inline(token)

    def end_section(self) -> None:
        """A diagnosis section with no step but a query or a paragraph saying
        what to look at ("Check the app's usage over time") is one step: the
        page diagnoses there, in words a reader follows."""
        if self.section_steps == 0 and self.section_look is not None and self.phase in _LOOKING_PHASES:
            line, end, text = self.section_look
            item = self.new_item(line, end)
            if text:
                item.text.append(text)
            self.emit(item)
        self.section_steps = 0
        self.section_look = None

    def open_heading(self, level: int, content: str, token: Token) -> None:
        self.end_section()
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        if self.rollback_level is not None and self.rollback_level >= level:
            self.rollback_level = None
        if _ROLLBACK.search(content):
            self.rollback_level = level
        inherited = self.headings[-1][2] if self.headings else None
        self.headings.append((level, content, phase_of(content) or inherited))
        if level == 1 and self.title is None and token.map is not None:
            self.title = (content, token.map[0])
        self.paragraph = None

    def new_item(self, line: int, end: int) -> _Item:
        return _Item(line, end, self.heading, self.phase, undoes=self.rollback_level is not None)

    def open_list(self, tokens: list[Token], index: int) -> None:
        options = None
        if not self.items or self.lists[-1].options is None:
            intro = self.paragraph if not self.items else " ".join(self.items[-1].text)
            first_items = _item_texts(tokens, index)
            if (intro and _OPTIONS.search(intro.split("\n")[-1])) or (
                len(first_items) > 1 and all(_OPTION_ITEM.match(text) for text in first_items)
            ):
                choose = bool(intro and _CHOOSE.search(intro.split("\n")[-1]))
                # Cases the reader chooses between with no step before them
                # to decide: read in order, as any list.
                if not (choose and not self.units and not self.items):
                    options = _Options(choose)
        if self.items:
            self.emit(self.items[-1])  # an item comes before its nested items
        if options is not None:
            self.place(options)
        self.lists.append(_List(options, len(self.lists)))
        self.paragraph = None

    def open_item(self, token: Token) -> None:
        assert token.map is not None
        item = self.new_item(token.map[0], token.map[1])
        current = self.lists[-1]
        if current.options is not None:
            current.options.alternatives.append([])
        self.items.append(item)

    def close_item(self, item: _Item) -> None:
        self.emit(item)

    def emit(self, item: _Item) -> None:
        """Place an item in the page's order, once, if it is a step."""
        if item.placed or (item.phase is None and not item.scripts):
            return
        item.placed = True
        self.section_steps += 1
        self.place(item)

    def place(self, unit: _Item | _Options) -> None:
        for open_list in reversed(self.lists):
            if open_list.options is not None and open_list.options is not unit:
                open_list.options.alternatives[-1].append(unit)  # type: ignore[arg-type]
                return
        self.units.append(unit)

    def fence(self, token: Token) -> None:
        assert token.map is not None
        info = token.info.strip().split(" ")[0].lower() if token.info else ""
        column = _indent(self.page.lines[token.map[0]]) if token.map[0] < len(self.page.lines) else 0
        first = token.map[0] + 1  # the line after the opening fence
        if token.type == "code_block":  # indented: no fence, indentation stripped
            first = token.map[0]
        content = _root_prompts(token.content) if info in TRANSCRIPT_INFOS else token.content
        if self.items:
            if info in SHELL_INFOS:
                self.items[-1].scripts.append((content, first, column))
            return
        if info not in SHELL_INFOS:
            if info in QUERY_INFOS and self.section_look is None:
                self.section_look = (token.map[0], token.map[1], self.paragraph)
            return
        last = self.units[-1] if self.units else None
        if self.paragraph and _EXAMPLE.match(self.paragraph) and isinstance(last, _Item) and last.scripts:
            last.scripts.append((content, first, column))  # the same step, written out for one case
            return
        item = self.new_item(token.map[0], token.map[1])
        if self.paragraph:
            item.text.append(self.paragraph)
        item.scripts.append((content, first, column))
        self.emit(item)

    def inline(self, token: Token) -> None:
        assert token.map is not None
        commands = [
            child.content
            for child in token.children or ()
            if child.type == "code_inline" and child.content.split(" ", 1)[0] in TOOLS
        ]
        scripts = self.locate(commands, token.map[0], token.map[1])
        if self.items:
            item = self.items[-1]
            item.text.append(token.content)
            item.scripts.extend(scripts)
            return
        self.paragraph = token.content
        if scripts:
            item = self.new_item(token.map[0], token.map[1])
            item.text.append(token.content)
            item.scripts.extend(scripts)
            self.emit(item)
        elif self.section_look is None and _first_word(token.content) in _LOOKING_VERBS:
            self.section_look = (token.map[0], token.map[1], token.content)

    def locate(self, codes: list[str], start: int, end: int) -> list[tuple[str, int, int]]:
        """Where each inline code of a block is written: searched for after
        the one before it (in linear time), else at the block's start."""
        found = []
        line, column = start, 0
        last = min(end, len(self.page.lines))
        for code in codes:
            at = -1
            while line < last:
                at = self.page.lines[line].find(code, column)
                if at >= 0:
                    break
                line, column = line + 1, 0
            if at < 0:
                found.append((code, start, 0))
                line, column = start, 0
                continue
            found.append((code, line, at))
            column = at + len(code)
        return found


_LOOKING_PHASES = frozenset({Phase.DIAGNOSE, Phase.TRIAGE})
_K8S_OBJECT_SLASHES = 3  # k8s/<namespace>/<kind>/<name>
# `# systemctl status kubelet` in a terminal transcript: a command run as root.
_ROOT_PROMPT = re.compile(r"^(\s*)# (?=(\S+))", re.MULTILINE)
_ROOT_COMMANDS = TOOLS | NEUTRAL | {"sudo", "systemctl", "netstat", "crictl", "podman", "docker"}


def _root_prompts(script: str) -> str:
    """A transcript's `# command` lines as `$ command` (same length): root's
    prompt before a command the shell tables know, not a comment."""
    return _ROOT_PROMPT.sub(
        lambda found: found.group(1) + ("$ " if found.group(2) in _ROOT_COMMANDS else "# "), script
    )


def _first_word(text: str) -> str:
    found = _WORD.search(text.lstrip("*_ ").lower())
    return found.group() if found and found.start() == 0 else ""


def _item_texts(tokens: list[Token], index: int) -> list[str]:
    """The first paragraph of each top-level item of the list opening at `index`."""
    texts: list[str] = []
    depth = 0
    for token in tokens[index:]:
        depth += token.nesting if token.type.endswith(("_list_open", "_list_close")) else 0
        if depth == 0:
            break
        if depth == 1 and token.type == "list_item_open":
            texts.append("")
        elif depth == 1 and token.type == "inline" and texts and not texts[-1]:
            texts[-1] = token.content
    return texts


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _slug(text: str) -> str:
    return slug(text)[:40].strip("-") or "step"


def build(document: Document, path: str, default_duration: float | None) -> Adapted:
    assert isinstance(document, MarkdownDocument)
    page = document.page
    tokens = page.tokens
    if len(tokens) > MAX_TOKENS:
        raise TooLarge(f"over {MAX_TOKENS:,} Markdown blocks")
    reader = _Reader(page)
    reader.read(tokens)
    builder = RunbookBuilder(document, path, NAME, default_duration, wait_key=None)
    items = _steps(builder, reader, page)
    _reader_values(items)
    _order(builder, reader.units)
    builder.require_around(_around(items))
    _facts(items)
    _picked_from_listings(builder, items)
    phases = _phases(items)
    rollbacks = _rollbacks(items)
    verified = _verified(items, phases)
    title = reader.title
    runbook_id = _slug(title[0]) if title else PurePath(path).stem
    span = _line_span(page, title[1]) if title else Span(1, 1, 1, 1)
    adapted = builder.build(runbook_id, span, title=title[0] if title else None)
    steps = tuple(
        replace(
            step,
            phase=phases[index][0] or step.phase,
            phase_span=phases[index][1] if phases[index][0] else step.phase_span,
            rollback=rollbacks.get(index, step.rollback),
            verifies=verified.get(index, step.verifies),
        )
        for index, step in enumerate(adapted.runbook.steps)
    )
    return replace(adapted, runbook=replace(adapted.runbook, steps=steps, wording=WORDING))


# The rules' suggestions in a page's words (see `Runbook.wording`).
WORDING = {
    "decides": (
        "say in the introduction of the list that holds `{first}` and `{second}` which one to choose"
        " (\"either\", \"one of\", \"choose\", \"depending on\"), after a step showing what to choose by"
    ),
    "verifies": "add a Verification section after `{step}` with a command that reads {written}",
    "rollback": "add a Rollback section after `{step}` with the command that undoes its change to {written}",
    "diagnose_first": "put a Diagnosis section before `{step}` with the commands that find the cause",
    "unused_output": (
        "use `{output}` in the command of a later step that relies on it, or drop its assignment in `{step}`"
    ),
}


def _line_span(page: MarkdownPage, number: int) -> Span:
    """The written part of a 0-based line."""
    line = page.lines[number] if number < len(page.lines) else ""
    return Span(number + 1, _indent(line) + 1, number + 1, len(line) + 1)


def _all_items(units: list[_Item | _Options]) -> list[_Item]:
    found: list[_Item] = []
    stack: list[Any] = list(reversed(units))
    while stack:
        unit = stack.pop()
        if isinstance(unit, _Item):
            found.append(unit)
        else:
            for alternative in reversed(unit.alternatives):
                stack.extend(reversed(alternative))
    return found


def _steps(builder: RunbookBuilder, reader: _Reader, page: MarkdownPage) -> list[tuple[_Item, Script]]:
    """A draft for every item, with what its commands read and write."""
    counts: dict[str, int] = {}
    done = []
    for item in _all_items(reader.units):
        slug = _slug(item.heading) if item.heading else "step"
        counts[slug] = counts.get(slug, 0) + 1
        span = _line_span(page, item.line)
        end_column = len(page.lines[item.end - 1]) + 1 if 0 < item.end <= len(page.lines) else 1
        extent = Span(item.line + 1, span.column, item.end, end_column)
        first = next((line.strip() for text in item.text for line in text.split("\n") if line.strip()), None)
        draft = builder.step(f"{slug}-{counts[slug]}", span, title=first, extent=extent)
        item.draft = draft
        merged = _read(item, draft)
        # A block of comments only ("# TODO: command needed") says nothing of what is done.
        item.known = bool(item.scripts) and merged.known and not _comments_only(item)
        done.append((item, merged))
    return done


def _comments_only(item: _Item) -> bool:
    """Whether the item's scripts hold nothing but comments and blank lines."""
    lines = (line.strip() for script, _, _ in item.scripts for line in script.split("\n"))
    return all(not line or line.startswith("#") for line in lines)


def _read(item: _Item, draft: StepDraft) -> Script:
    """The item's scripts read, their resources added to the draft at each
    command's line; one Script of all its commands and variables."""
    commands, assigned, used = [], [], []
    for script, first_line, column in item.scripts:
        read = read_script(script)
        for command in read.commands:
            line = first_line + command.line
            at = Span(line, column + command.column, line, column + command.column + len(" ".join(command.words)))
            if command.effect is not None:
                for name in command.effect.reads:
                    draft.reads.append(Ref(name, at))
                for name in command.effect.writes:
                    draft.writes.append(Ref(name, at))
            commands.append(command)
        for variable in read.assigned:
            line = first_line + variable.line
            assigned.append(replace(variable, line=line, column=column + variable.column))
        for variable in read.used:
            line = first_line + variable.line
            used.append(replace(variable, line=line, column=column + variable.column))
    return Script(tuple(commands), tuple(assigned), tuple(used))


def _ends(unit: _Item | _Options, last: bool) -> list[_Item]:
    if isinstance(unit, _Item):
        return [unit]
    ends = []
    for alternative in unit.alternatives:
        if alternative:
            ends.extend(_ends(alternative[-1 if last else 0], last))
    return ends


def _order(builder: RunbookBuilder, units: list[_Item | _Options], before: list[_Item] | None = None) -> list[_Item]:
    """Each unit waits for the one before it; returns the last steps."""
    previous = before or []
    for unit in units:
        if isinstance(unit, _Options):
            deciders = previous if unit.choose else []
            alternatives = [alternative for alternative in unit.alternatives if alternative]
            heads = [_ends(alternative[0], False) for alternative in alternatives]
            for index in range(len(alternatives)):
                for other_index, others in enumerate(heads):
                    if other_index == index:
                        continue
                    for head in heads[index]:
                        for other in others:
                            assert head.draft is not None and other.draft is not None
                            head.draft.excludes.append(Ref(other.draft.id, head.draft.span))
                for decider in deciders:
                    assert decider.draft is not None
                    for head in heads[index]:
                        assert head.draft is not None
                        decider.draft.decides.append(Ref(head.draft.id, decider.draft.span))
            last: list[_Item] = []
            for alternative in alternatives:
                last.extend(_order(builder, list(alternative), previous))
            if alternatives:
                previous = last
            continue
        for earlier in previous:
            _wait(builder, earlier, unit)
        previous = [unit]
    return previous


def _wait(builder: RunbookBuilder, earlier: _Item, later: _Item) -> None:
    assert earlier.draft is not None and later.draft is not None
    builder.wait(earlier.draft.id, later.draft.id, later.draft.span, EdgeKind.SEQUENCE)
    if earlier.phase is not later.phase and earlier.phase is not None and later.phase is not None:
        # Mitigation after diagnosis is the page's method, not a gate to question.
        builder.require(
            earlier.draft.id, later.draft.id, later.draft.span,
            f"the page puts {later.phase.value} after {earlier.phase.value}",
        )
    elif _condition(later) is not None:
        builder.require(
            earlier.draft.id, later.draft.id, later.draft.span,
            f"`{later.draft.id}` is done on a condition (\"{_condition(later)}\") that the steps before it show",
        )
    elif later.filled is not None:
        builder.require(
            earlier.draft.id, later.draft.id, later.draft.span,
            f"`{later.draft.id}` uses `{later.filled}`, which the reader fills in, perhaps from a step before",
        )


def _around(items: list[tuple[_Item, Script]]) -> dict[str, tuple[str | None, str | None]]:
    """The steps that order those around them through any number of steps
    between (RunbookBuilder.require_around): a step of unknown effect (after
    it and before it), one opening a session on a host the steps after it
    work in (after it), the first step of a phase (every step of the phases
    before it: mitigation after the whole diagnosis), one done on a
    condition and one pointing at what the steps before it showed ("that
    request", "from step 2")."""
    around: dict[str, tuple[str | None, str | None]] = {}
    previous: _Item | None = None
    for item, script in items:
        draft = item.draft
        assert draft is not None
        after: str | None = None
        before: str | None = None
        if not item.known:
            after = before = f"what `{draft.id}` does is not known from its commands"
        elif _opens_session(item, script):
            after = f"`{draft.id}` opens a session the steps after it work in"
        if before is None:
            if previous is not None and previous.phase is not item.phase and None not in (previous.phase, item.phase):
                assert previous.phase is not None and item.phase is not None
                before = f"the page puts {item.phase.value} after {previous.phase.value}"
            elif (condition := _condition(item)) is not None:
                before = f"`{draft.id}` is done on a condition (\"{condition}\") that the steps before it show"
            elif (back := _refers_back(item)) is not None:
                before = f"`{draft.id}` looks at what the steps before it did (\"{back}\")"
        if after is not None or before is not None:
            around[draft.id] = (after, before)
        previous = item
    return around


def _opens_session(item: _Item, script: Script) -> bool:
    """Whether a step logs in to a host or opens a shell on it (`Log in to
    the worker node`, `ssh core@node`, `oc debug node/n`)."""
    first = next((line.strip() for text in item.text for line in text.split("\n") if line.strip()), "")
    if _SESSION.match(first):
        return True
    return any(
        command.words[:1] in (("ssh",), ("toolbox",), ("chroot",))
        or (command.effect is not None and command.effect.opens_shell)
        for command in script.commands
    )


def _refers_back(item: _Item) -> str | None:
    """Words of a step's text pointing at what the step before it made or
    showed ("look for that request", "the output above"), or None."""
    for text in item.text:
        found = _BACK_REFERENCE.search(text)
        if found:
            return found.group()
    return None


def _condition(item: _Item) -> str | None:
    """The condition a step's text opens with (`If you cannot identify the
    failing resource`), or None."""
    first = next((line.strip() for text in item.text for line in text.split("\n") if line.strip()), "")
    found = _CONDITION.match(first)
    return found.group(1) if found else None


def _reader_values(items: list[tuple[_Item, Script]]) -> None:
    """Mark the steps using a value the reader fills in: a `<placeholder>`
    word, or a variable no step assigns from a command."""
    assigned = {variable.name for _, script in items for variable in script.assigned}
    for item, script in items:
        placeholders = [
            found.group()
            for command in script.commands
            for word in command.words
            for found in _PLACEHOLDER.finditer(word)
        ]
        if placeholders:
            item.filled = placeholders[0]
            continue
        variable = next((v.name for v in script.used if v.name not in assigned), None)
        if variable is not None:
            item.filled = "$" + variable


def _facts(items: list[tuple[_Item, Script]]) -> None:
    """`NAME=$(command)` outputs the fact `$NAME`; another step's `$NAME` uses it."""
    assigned = {variable.name for _, script in items for variable in script.assigned}
    used_by: dict[str, set[int]] = {}  # variable -> the steps using it
    for number, (_, script) in enumerate(items):
        for variable in script.used:
            used_by.setdefault(variable.name, set()).add(number)
    for number, (item, script) in enumerate(items):
        draft = item.draft
        assert draft is not None
        own = {variable.name for variable in script.assigned}
        output: set[str] = set()
        for variable in script.assigned:
            # A variable only its own step uses is that step's business, no fact.
            if variable.name not in output and used_by.get(variable.name, set()) - {number}:
                output.add(variable.name)
                draft.outputs.append(Ref("$" + variable.name, _point(variable.line, variable.column, variable.name)))
        seen: set[str] = set()
        for variable in script.used:
            if variable.name in assigned and variable.name not in own and variable.name not in seen:
                seen.add(variable.name)
                written = "$" + variable.name
                draft.inputs.append(Ref(written, _point(variable.line, variable.column, written)))


def _picked_from_listings(builder: RunbookBuilder, items: list[tuple[_Item, Script]]) -> None:
    """A step naming one object (`kubectl logs -n kube-system kube-proxy-b9g23`)
    after a step listing those of its kind there (`kubectl get pods -n
    kube-system`) took the name from that list: it requires the latest such
    listing, though the page writes the name out (an example of what the
    list shows)."""
    listings: dict[str, StepDraft] = {}  # what a step read whole -> the latest step reading it
    after: Descendants | None = None
    for item, _ in items:
        draft = item.draft
        assert draft is not None
        for ref in (*draft.reads, *draft.writes):
            if not ref.name.startswith("k8s/") or ref.name.count("/") != _K8S_OBJECT_SLASHES:
                continue
            for listed, lister in listings.items():
                if lister is draft or not overlaps(listed, ref.name):
                    continue
                after = after or Descendants(forward_successors(builder))
                if after.has(after.reached_from([lister.id]), draft.id):
                    reason = f"`{draft.id}` names `{ref.name}`, one of what `{lister.id}` lists"
                    builder.require_once(lister.id, draft.id, ref.span, reason)
        # A listing: a kind's objects in a namespace (or in all: `*`), no name.
        for ref in draft.reads:
            if ref.name.startswith("k8s/") and ref.name.count("/") == _K8S_OBJECT_SLASHES - 1:
                listings.pop(ref.name, None)  # insertion order stays the page's: the latest last
                listings[ref.name] = draft


def _rollbacks(items: list[tuple[_Item, Script]]) -> dict[int, Ref]:
    """Each change's rollback (by the change's index): the nearest step after
    it under a rollback heading that writes what it writes; and the
    rollback's, the change it undoes."""
    found: dict[int, Ref] = {}
    changes: list[tuple[int, StepDraft]] = []  # the changes before, with no rollback yet
    for index, (item, _) in enumerate(items):
        draft = item.draft
        assert draft is not None
        if not draft.writes:
            continue
        if not item.undoes:
            changes.append((index, draft))
            continue
        for change_index, change in changes:
            if any(overlaps(written.name, undone.name) for written in change.writes for undone in draft.writes):
                found[change_index] = Ref(draft.id, change.span)
                # And back: redoing the change is the way out of its rollback.
                found.setdefault(index, Ref(change.id, draft.span))
        changes = [(change_index, change) for change_index, change in changes if change_index not in found]
    return found


def _verified(
    items: list[tuple[_Item, Script]], phases: list[tuple[Phase | None, Span | None]]
) -> dict[int, tuple[Ref, ...]]:
    """What each verification checks: the changes before it on the page that
    write what it reads (a rollback further down is no change it confirms)."""
    found: dict[int, tuple[Ref, ...]] = {}
    changes: list[StepDraft] = []
    for index, (item, _) in enumerate(items):
        draft = item.draft
        assert draft is not None
        if phases[index][0] is Phase.VERIFY and draft.reads:
            checked = tuple(
                Ref(change.id, draft.span)
                for change in changes
                if any(overlaps(read.name, written.name) for read in draft.reads for written in change.writes)
            )
            if checked:
                found[index] = checked
        if draft.writes:
            changes.append(draft)
    return found


def _point(line: int, column: int, written: str) -> Span:
    return Span(line, column, line, column + len(written))


def _phases(items: list[tuple[_Item, Script]]) -> list[tuple[Phase | None, Span | None]]:
    """Each step's phase: its heading's, or verify for a step that only
    reads, says it checks, and reads what a change before it in its section
    writes (a check of something else is more diagnosis, not a verification)."""
    phases: list[tuple[Phase | None, Span | None]] = []
    written: dict[str, list[str]] = {}  # section -> what its changes so far write
    for item, _ in items:
        phase = item.phase
        draft = item.draft
        assert draft is not None
        changed = written.get(item.heading, [])
        if (
            phase is Phase.REMEDIATE
            and draft.reads
            and not draft.writes
            and words(*item.text) & _VERIFY_WORDS
            and any(overlaps(read.name, name) for read in draft.reads for name in changed)
        ):
            phase = Phase.VERIFY
        written.setdefault(item.heading, []).extend(ref.name for ref in draft.writes)
        phases.append((phase, draft.span if phase else None))
    return phases


FORMAT = InputFormat(
    name=NAME,
    title="Markdown runbook",
    detect=detect,
    build=build,
    keys=(),
    priority=90,
    # Headings give phases and verification steps, a change's verification
    # is looked for; nothing names roles or a team.
    provides=frozenset({Capability.GRAPHS, Capability.PHASES, Capability.MARKINGS}),
    wait_key=None,
    not_this_format=(
        "this Markdown page has no Mitigation heading, nor a Diagnosis or Triage heading"
        " (or a synonym) with a list or a fenced block, so it is not read as a runbook"
    ),
    suffixes=SUFFIXES,
    parse=parse,
    lacks=(
        (Capability.ROLES, "a Markdown page names no roles, approvers or team"),
        (Capability.TEAM, "a Markdown page names no team or incident commander for its reader to follow"),
    ),
)
