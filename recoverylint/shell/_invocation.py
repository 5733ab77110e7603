"""One command line as a tool table reads it: its options and its
positional words, and what it does to which named resources."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Effect:
    """What one command does: the resources it reads and writes (names as
    the native format writes them), and another command it runs (`oc exec
    ... -- ceph status` runs `ceph status`), as its words."""

    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    # It opens an interactive shell (`oc debug node/n`, `toolbox`): known
    # only when what is typed in it follows in the same script.
    opens_shell: bool = False


@dataclass(frozen=True)
class Invocation:
    """A command's words after the tool's name: options (each flag, long or
    short, with the values it was given) and positional words, in order.
    Words after `--` are `rest`."""

    tool: str
    options: dict[str, list[str]] = field(default_factory=dict)
    positionals: tuple[str, ...] = ()
    rest: tuple[str, ...] = ()

    def value(self, *flags: str) -> str | None:
        """The last value given to any of `flags`, or None."""
        for flag in flags:
            values = self.options.get(flag)
            if values and values[-1]:
                return values[-1]
        return None

    def has(self, *flags: str) -> bool:
        return any(flag in self.options for flag in flags)


def invocation(tool: str, words: tuple[str, ...], value_flags: frozenset[str]) -> Invocation:
    """Split `words` (those after the tool's name): `--flag=value`, and a
    flag of `value_flags` followed by its value, are options; other words
    starting with `-` are flags without a value."""
    options: dict[str, list[str]] = {}
    positionals: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            return Invocation(tool, options, tuple(positionals), words[index:])
        if word.startswith("-") and len(word) > 1:
            flag, equals, given = word.partition("=")
            if equals:
                options.setdefault(flag, []).append(given)
            elif flag in value_flags and index < len(words):
                options.setdefault(flag, []).append(words[index])
                index += 1
            elif len(flag) > 2 and not flag.startswith("--") and flag[:2] in value_flags:
                options.setdefault(flag[:2], []).append(flag[2:])  # `-nopenshift-storage`
            else:
                options.setdefault(flag, [])
            continue
        positionals.append(word)
    return Invocation(tool, options, tuple(positionals))


@dataclass(frozen=True)
class ToolTable:
    """How one tool's command lines map to effects: the command names it
    answers to, its flags that take a value, and the function reading an
    invocation (None: the command's effect is not known)."""

    names: tuple[str, ...]
    value_flags: frozenset[str]
    read: Callable[[Invocation], Effect | None]


def verb_effect(
    verb: str, reads: frozenset[str], writes: frozenset[str], names: tuple[str, ...]
) -> Effect | None:
    """Reads or writes of `names` by what `verb` is, or None for a verb of
    neither set (never guessed)."""
    if verb in reads:
        return Effect(reads=names)
    if verb in writes:
        return Effect(writes=names)
    return None


def path_part(value: str) -> str:
    """A value as one segment of a resource name (`/` would split it); a
    variable as `$NAME` however it is written (`${NAME}`, `"$NAME"`), so that
    two commands using it name the same resource."""
    value = _BRACED.sub(r"$\1", value.strip('"'))
    return value.strip("/").replace("/", "-") or "-"
