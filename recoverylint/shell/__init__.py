"""Shell commands as reads and writes of named resources, for the formats
that embed shell (Markdown runbooks' fenced blocks; Rundeck and Ansible
commands).

Scripts are parsed with bashlex.  A script bashlex cannot parse is parsed
again line by line (continuation lines joined), and a line it still cannot
parse is one command of no known effect: never a crash, never a guess.

Each tool's mapping is a small data table in a module of this package
(`kubernetes`, `kubevirt`, `helm`, `systemd`, `clouds`, `sql`, `curl`,
`ceph` with `rados`, `etcd`);
a new tool is a new table added to `TABLES`.  Resource names follow the
native format (`k8s/<namespace>/<kind>/<name>`, `*` where the command
leaves a part to its context).  A variable assigned from a command's
output (`POD=$(oc get pods ...)`) is reported as assigned, and every
`$POD` as a use, so that a format can make them facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from . import ceph, clouds, curl, etcd, helm, kubernetes, kubevirt, sql, systemd
from ._invocation import Effect, Invocation, ToolTable, invocation

TABLES: tuple[ToolTable, ...] = (
    kubernetes.TABLE, kubevirt.TABLE, helm.TABLE, systemd.TABLE, clouds.AWS, clouds.GCLOUD, clouds.AZ,
    sql.PSQL, sql.MYSQL, curl.TABLE, ceph.TABLE, ceph.RADOS, etcd.TABLE,
)
_BY_NAME = {name: table for table in TABLES for name in table.names}
# Commands that touch no named resource: text filters, waiting, the shell's
# own state.  A step made only of them and mapped tools has a known effect.
NEUTRAL = frozenset(
    {
        "echo", "printf", "grep", "egrep", "fgrep", "awk", "jq", "yq", "sort", "uniq", "head",
        "tail", "wc", "cut", "tr", "column", "less", "more", "cat", "sleep", "true", "false",
        "date", "cd", "pwd", "export", "set", "unset", "read", "test", "[", "[[", "base64",
        "tee", "watch", "sed", "xxd", "od", "ls", "which", "env", "source", ".", "alias",
        # reading the local host's or container's state, which no resource names
        "df", "du", "free", "uptime", "ps", "top", "dig", "nslookup", "host", "ping", "ss",
        "netstat", "lsblk", "dmesg", "journalctl", "hostname", "whoami", "id", "uname",
        "nc", "lscpu", "lsof", "iostat", "vmstat", "findmnt",
        "exit",
    }
)
# `<pod-name>`: a placeholder the reader fills in, which the shell would take
# for redirections.  Written with other brackets while parsing (same length,
# so that columns hold) and given back in the words.
_PLACEHOLDER = re.compile(r"<([A-Za-z_][A-Za-z0-9_ .:/-]*)>")
_OPEN, _CLOSE = "\u2039", "\u203a"
# A prompt copied with its command: `$ `, or a shell's or host's name before
# `$ ` or `# ` (`sh-4.4# `, `[root@node ~]# `, `bash-5.1$ `).  A `# ` with no
# name before it is a comment.
_PROMPT = re.compile(r"^(\s*)(\$ |(?:[A-Za-z][\w.@:~/-]*|\[[^\]\n]*\])[$#] )")
# Words in front of a command that run it (`sudo oc ...`), with their flags taking a value.
_WRAPPERS = {
    "sudo": frozenset({"-u", "-g", "-C", "-h"}), "time": frozenset(), "nohup": frozenset(),
    "watch": frozenset({"-n", "--interval"}), "timeout": frozenset({"-s", "-k", "--signal"}),
    "env": frozenset({"-u"}), "exec": frozenset(), "chroot": frozenset(),
    "xargs": frozenset({"-n", "-I", "-P", "-L", "-d", "-s", "-E", "-a"}),
}
_SHELLS = frozenset({"sh", "bash", "zsh"})
# Builtins whose `NAME=value` words are assignments.
_DECLARATIONS = frozenset({"export", "local", "declare", "readonly"})
# Commands opening a shell or a container on the host: what is typed there
# follows them (`chroot /host` with no command is one too).
_OPENERS = frozenset({"toolbox", "chroot"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Past these, a script is not parsed (each command has no known effect).
MAX_SCRIPT_CHARS = 100_000
_MAX_NESTING = 50


@dataclass(frozen=True)
class Command:
    """One simple command of a script: where it starts (1-based, in the
    script), its words as written, and its effect (None: not known)."""

    line: int
    column: int
    words: tuple[str, ...]
    effect: Effect | None
    # Its redirections to or from a file: (operator, file as written), `(">", "out.txt")`.
    redirects: tuple[tuple[str, str], ...] = ()

    @property
    def known(self) -> bool:
        return self.effect is not None


@dataclass(frozen=True)
class Variable:
    """A shell variable assigned from a command's output, or used, and where."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class Script:
    commands: tuple[Command, ...]
    assigned: tuple[Variable, ...]  # from a command's output: `POD=$(oc get ...)`
    used: tuple[Variable, ...]  # `$POD`, `${POD}`, in file order

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(name for command in self.commands if command.effect for name in command.effect.reads)

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(name for command in self.commands if command.effect for name in command.effect.writes)

    @property
    def known(self) -> bool:
        """Whether every command's effect is known (an empty script's is)."""
        return all(command.known for command in self.commands)


def effect_of(words: tuple[str, ...], depth: int = 0) -> Effect | None:
    """The effect of one command given as its words, or None when unknown."""
    opener = False
    replaced: list[str] = []  # xargs's replace-strings: names read from its input
    while words and words[0] in _WRAPPERS and depth < _MAX_NESTING:
        opener = opener or words[0] in _OPENERS
        flags = _WRAPPERS[words[0]]
        index = 1
        while index < len(words) and (words[index].startswith("-") or "=" in words[index]):
            if words[0] == "xargs":
                replaced += _replace_string(words, index)
            index += 2 if words[index] in flags else 1
        if words[0] in ("timeout", "chroot") and index < len(words):
            index += 1  # its duration, or the root to run in
        words = words[index:]
        depth += 1
    if any(marker in word for marker in replaced for word in words):
        return None  # `xargs -I{} kubectl delete pod {}`: which pods, its input says
    if not words:
        return Effect(opens_shell=opener)
    name = words[0].rsplit("/", 1)[-1]
    if name in _OPENERS and len(words) == 1:
        return Effect(opens_shell=True)
    if name in _SHELLS and len(words) >= 3 and words[1] == "-c" and depth < 2:
        inner = read_script(words[2], depth + 1)
        if not inner.known:
            return None
        return Effect(reads=inner.reads, writes=inner.writes)
    if name in NEUTRAL and not _edits_in_place(name, words[1:]):
        return Effect()
    table = _BY_NAME.get(name)
    if table is None:
        return None
    effect = table.read(invocation(name, words[1:], table.value_flags))
    if effect is not None and effect.runs:
        inner_effect = effect_of(effect.runs, depth + 1) if depth < _MAX_NESTING else None
        if inner_effect is None:
            return None
        effect = Effect(effect.reads + inner_effect.reads, effect.writes + inner_effect.writes)
    return effect


# `sed -i`, `-Ei`, `-i.bak`: a bundle of short flags holding `i` edits in place.
_SED_IN_PLACE = re.compile(r"-[A-Za-z]*i")


def _replace_string(words: tuple[str, ...], index: int) -> list[str]:
    """The replace-string xargs's flag at `index` sets: `-I{}`, `-I {}`, `-i` (`{}`)."""
    flag = words[index]
    if flag == "-I" and index + 1 < len(words):
        return [words[index + 1]]
    if flag.startswith("-I") and len(flag) > 2:
        return [flag[2:]]
    if flag == "-i" or flag == "--replace":
        return ["{}"]
    if flag.startswith(("-i", "--replace=")):
        return [flag.split("=", 1)[1] if "=" in flag else flag[2:]]
    return []


def _edits_in_place(name: str, arguments: tuple[str, ...]) -> bool:
    """`sed -i` (`--in-place`, `-Ei`, `-i.bak`) edits files whose names cannot
    be told from its script: an unknown effect.  Output written to a local
    file (`> backup.yaml`, `tee FILE`) stays no effect: no step is read to use
    such a file, so naming it would make a backup a change and order nothing."""
    return name == "sed" and any(word.startswith("--in-place") or _SED_IN_PLACE.match(word) for word in arguments)


class _Reader:
    """Walks bashlex's trees of one script, collecting commands and variables."""

    def __init__(self, script: str, depth: int) -> None:
        self.script = script
        self.depth = depth
        self.line_starts = [0] + [index + 1 for index, char in enumerate(script) if char == "\n"]
        self.commands: list[Command] = []
        self.assigned: list[Variable] = []
        self.used: list[Variable] = []

    def place(self, offset: int) -> tuple[int, int]:
        low, high = 0, len(self.line_starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if self.line_starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        return low + 1, offset - self.line_starts[low] + 1

    def read(self, text: str, offset: int) -> None:
        """Parse `text` (found at `offset` of the script) whole, else line by line."""
        import bashlex  # here, not at the top: building its parser is a third of a start-up

        try:
            trees = bashlex.parse(text)
        except Exception:
            trees = None
        if trees is not None:
            for tree in trees:
                self.walk(tree, offset, 0)
            return
        for line_offset, line in _logical_lines(text):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                trees = bashlex.parse(line)
            except Exception:
                words = tuple(_as_written(word) for word in line.split())
                self.commands.append(Command(*self.place(offset + line_offset + _indent(line)), words, None))
                continue
            for tree in trees:
                self.walk(tree, offset + line_offset, 0)

    def walk(self, node: Any, offset: int, nesting: int) -> None:
        if nesting > _MAX_NESTING:
            return
        kind = getattr(node, "kind", None)
        if kind == "command":
            self.command(node, offset, nesting)
            return
        if kind == "parameter":
            self.use(node, offset)
            return
        if kind == "commandsubstitution" or kind == "processsubstitution":
            self.walk(node.command, offset, nesting + 1)
            return
        for part in _children(node):
            self.walk(part, offset, nesting + 1)

    def command(self, node: Any, offset: int, nesting: int) -> None:
        words: list[str] = []
        redirects: list[tuple[str, str]] = []
        for part in node.parts:
            declared = part.kind == "word" and words and words[0] in _DECLARATIONS and "=" in part.word
            if part.kind == "assignment" or declared:
                self.assignment(part, offset, nesting)
            elif part.kind == "word":
                words.append(_as_written(part.word))
                for inner in _children(part):
                    self.walk(inner, offset, nesting + 1)
            else:
                if part.kind == "redirect" and isinstance(getattr(part.output, "word", None), str):
                    redirects.append((str(part.type), _as_written(part.output.word)))
                self.walk(part, offset, nesting + 1)
        if words and not (words[0] in _DECLARATIONS and len(words) == 1):
            line, column = self.place(offset + node.pos[0])
            effect = effect_of(tuple(words), self.depth)
            self.commands.append(Command(line, column, tuple(words), effect, tuple(redirects)))

    def assignment(self, node: Any, offset: int, nesting: int) -> None:
        substituted = False
        for inner in _children(node):
            substituted = substituted or inner.kind == "commandsubstitution"
            self.walk(inner, offset, nesting + 1)
        if substituted:
            name = node.word.split("=", 1)[0]
            if _NAME.fullmatch(name):
                self.assigned.append(Variable(name, *self.place(offset + node.pos[0])))

    def use(self, node: Any, offset: int) -> None:
        found = _NAME.search(str(node.value))
        if found is not None:
            self.used.append(Variable(found.group(), *self.place(offset + node.pos[0])))


def _children(node: Any) -> list[Any]:
    children: list[Any] = []
    for attribute in ("parts", "list"):
        value = getattr(node, attribute, None)
        if isinstance(value, list):
            children.extend(value)
    command = getattr(node, "command", None)
    if command is not None and getattr(node, "kind", None) not in ("commandsubstitution", "processsubstitution"):
        children.append(command)
    return children


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """The lines of `text` with their offsets, a line ending in `\\` joined
    to the next (as spaces, so that offsets within the first line hold)."""
    lines: list[tuple[int, str]] = []
    offset = 0
    pending: tuple[int, str] | None = None
    for raw in text.split("\n"):
        start = offset
        offset += len(raw) + 1
        if pending is not None:
            start, raw = pending[0], pending[1] + " " + raw
            pending = None
        if raw.endswith("\\"):
            pending = (start, raw[:-1])
            continue
        lines.append((start, raw))
    if pending is not None:
        lines.append(pending)
    return lines


# Commands that only read the files they name (their words are not written to).
_READERS = frozenset(
    {
        "cat", "grep", "egrep", "fgrep", "head", "tail", "wc", "cut", "tr", "column", "less", "more",
        "ls", "jq", "base64", "od", "test", "[", "[[", "du", "df", "diff", "cmp", "stat", "file",
        "md5sum", "sha1sum", "sha256sum", "sha512sum",
    }
)
# Commands that run what the files they name say: of unknown effect here.
_SOURCING = frozenset({"source", ".", "xargs"})
# Commands whose words are text to print: a path there is read, if at all, by what reads the text.
_PRINTERS = frozenset({"echo", "printf"})
# Redirections that write their file (`<>` opens it for writing too).
_WRITING = frozenset({">", ">>", ">|", "&>", "&>>", "<>"})
# Commands that change the folder relative paths are read from.
_FOLDER_CHANGES = frozenset({"cd", "pushd", "popd"})


@dataclass(frozen=True)
class PathUse:
    """A file or folder a script reads or writes, as written from the root it lies under."""

    path: str
    writes: bool


def paths_used(script: Script, root: str) -> tuple[PathUse, ...] | None:
    """What `script` reads and writes under the folder `root` (an absolute
    path, as the script writes it): each word naming a path there is a read
    (a write for `tee`'s files, for a redirection's file, and for any command
    but those that only read or print), and each write's path is taken from
    where `root` starts in its word.  None when that cannot be told: a
    command of unknown effect, a change of folder (relative paths then name
    files anywhere), a write to a path that is not written out absolute
    (`> out.txt`, `> $OUT`), or a read of a relative path into a folder
    (`cat src/main.go`): either may lie under `root`, from the folder the
    run starts in."""
    if not script.known:
        return None
    found: list[PathUse] = []
    for command in script.commands:
        name = command.words[0].rsplit("/", 1)[-1] if command.words else ""
        if name in _FOLDER_CHANGES or name in _SOURCING:  # xargs: the files its input names
            return None
        written = [file for operator, file in command.redirects if operator in _WRITING]
        read = [file for operator, file in command.redirects if operator not in _WRITING]
        arguments = list(command.words[1:])
        if name == "tee":
            written += [word for word in arguments if not word.startswith("-")]
        elif name in _PRINTERS:
            read += [word for word in arguments if root in word]  # what reads the text may read it
        else:
            read += arguments
            if name not in _READERS:
                written += [word for word in arguments if root in word]
        for file in written:
            if not file.startswith("/") or "$" in file.split(root, 1)[0]:
                return None
            if root in file:
                found.append(PathUse(file[file.index(root):], True))
        if any(_relative_folder(word) for word in read):
            return None
        found += [PathUse(word[word.index(root):], False) for word in read if root in word]
    return tuple(found)


def _relative_folder(word: str) -> bool:
    """Whether `word` reads as a relative path into a folder (`src/main.go`, `./x`)."""
    return "/" in word and not word.startswith(("/", "-", "$")) and "://" not in word


def without_prompts(script: str) -> str:
    """A script copied from a terminal or a page: a leading prompt on a line
    (`$ `, `sh-4.4# `) is blanked and `<placeholders>` are bracketed
    otherwise (same length, so that columns hold)."""
    script = _PLACEHOLDER.sub(lambda found: f"{_OPEN}{found.group(1)}{_CLOSE}", script)
    return "\n".join(
        _PROMPT.sub(lambda found: found.group(1) + " " * len(found.group(2)), line)
        for line in script.split("\n")
    )


def _as_written(word: str) -> str:
    return word.replace(_OPEN, "<").replace(_CLOSE, ">")


def read_script(script: str, depth: int = 0) -> Script:
    """The commands of a shell script, what each reads and writes, and the
    variables it assigns from commands' output and uses."""
    if len(script) > MAX_SCRIPT_CHARS:
        return Script((Command(1, 1, (), None),), (), ())
    reader = _Reader(without_prompts(script), depth)
    try:
        reader.read(reader.script, 0)
    except RecursionError:
        return Script((Command(1, 1, (), None),), (), ())
    commands = reader.commands
    last = commands[-1] if commands else None
    if last is not None and last.effect is not None and last.effect.opens_shell:
        # A shell opened and nothing written of what is done in it.
        commands[-1] = replace(last, effect=None)
    return Script(tuple(commands), tuple(reader.assigned), tuple(reader.used))


__all__ = [
    "TABLES", "Command", "Effect", "Invocation", "PathUse", "Script", "ToolTable", "Variable", "effect_of",
    "paths_used", "read_script",
]
