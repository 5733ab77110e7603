"""Configuration files: finding them, reading them strictly, and the Settings of each file.

A checked file takes the closest configuration from its folder upward
(`.recoverylint.yaml`, or `pyproject.toml` with a `[tool.recoverylint]` table),
or the one file given with --config; command-line options override it.  A
file found in a directory is skipped when the `exclude` of any configuration
above it excludes it, not only the closest one's.  Every key is checked: an
unknown key, a bad value, a bad glob or an unknown rule code is a ConfigError
naming the file and the key, never a silent default.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import always_on_codes, catalog_codes
from .formats import format_names
from .reading import SourceError, read_text
from .settings import Settings
from .severity import Severity
from .words import closest, listed

# The model, the YAML parser and the durations' reader are imported where a
# configuration or durations file is read or an error placed: a run that
# finds none (a warm re-run) does without them.
if TYPE_CHECKING:
    from .durations import MeasuredDurations
    from .model import Span
    from .source import Document

YAML_CONFIG = ".recoverylint.yaml"
PYPROJECT = "pyproject.toml"
# Keys as the code names them; a file may write `-` for `_` in any of them.
KEYS = (
    "include",
    "exclude",
    "select",
    "ignore",
    "severity",
    "per_file_ignores",
    "fail_on",
    "default_duration",
    "span_of_control",
    "input_format",
    "durations",
    "cost_currency",
)
# Runbook durations are bounded the same way (the schema's `duration`).
MAX_DURATION_MINUTES = 525600
_SEVERITIES = tuple(severity.value for severity in Severity)
_DEFAULTS = Settings()


class ConfigError(Exception):
    """A configuration file that cannot be used as written."""

    def __init__(
        self, path: str, message: str, key: str | None = None, span: Span | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.key = key
        self.span = span
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.span is not None:
            where += f":{self.span.line}:{self.span.column}"
        about = "" if self.key is None else f" key `{self.key}`:"
        return f"{where}:{about} {self.message}"


class Glob:
    """A path pattern matched against a whole relative path: `*`, `?` and `[…]`
    stay within one folder, a `**` segment spans any number of folders, and a
    pattern that matches a folder covers every file under it.

    A pattern starting with `/` is `absolute` and one starting with `..` goes
    up (`climbs`); configuration files refuse both, `--exclude` takes them.

    Matching never backtracks more than to the last star: the runs between
    stars have a fixed length, so each is found at its leftmost place after
    the one before, in time at most the pattern's length times the path's
    (a regular expression took 94 s on `*a*a*a*a*a*a*a*a*a*a*a*c` against a
    name of 40 characters)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        stripped = pattern.strip()
        segments = [part for part in stripped.split("/") if part not in ("", ".")]
        if not segments:
            raise ValueError("names no file or folder")
        self.absolute = stripped.startswith("/") or os.path.isabs(stripped)
        leading = 0
        while leading < len(segments) and segments[leading] == "..":
            leading += 1
        if ".." in segments[leading:]:
            raise ValueError("has `..` after a folder name; write the path without it")
        self.climbs = leading > 0
        # Names between `**`s; the last `**` names one folder or file, and
        # whatever follows the pattern is under what it names (a final star).
        elements: list[Any] = []
        for number, segment in enumerate(segments):
            if segment == "**":
                elements.append(_ANY if number == len(segments) - 1 else _STAR)
            else:
                elements.append(_Name(segment))
        elements.append(_STAR)
        self._runs = _runs(elements)

    def matches(self, relative_path: str) -> bool:
        """Whether a `/`-separated relative path matches."""
        return _match(self._runs, relative_path.split("/"))

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


# An element of a pattern matching any one item (`?`: a character; the last
# `**`: a folder or file name), and the separator of runs (`*`; `**`).
_ANY = object()
_STAR = object()


class _Run:
    """Elements between two stars, each matching exactly one item (a
    character of a name, or a name of a path)."""

    __slots__ = ("elements", "literal", "size")

    def __init__(self, elements: list[Any]) -> None:
        self.elements = tuple(elements)
        self.size = len(elements)
        # Plain characters: compared by the string methods, in C.
        plain = elements and all(type(e) is str for e in elements)
        self.literal = "".join(elements) if plain else None

    def at(self, items: Any, index: int) -> bool:
        """Whether the run matches `items` from `index` (which has room for it)."""
        if self.literal is not None:
            starts: bool = items.startswith(self.literal, index)  # plain runs match text
            return starts
        return all(_one(element, items[index + offset]) for offset, element in enumerate(self.elements))

    def find(self, items: Any, start: int, end: int) -> int:
        """The leftmost index in [start, end - size] where the run matches, or -1."""
        if self.literal is not None:
            found: int = items.find(self.literal, start, end)  # plain runs match text
            return found
        for index in range(start, end - self.size + 1):
            if self.at(items, index):
                return index
        return -1


def _one(element: Any, item: str) -> bool:
    if type(element) is str:
        return element == item
    if element is _ANY:
        return item != ""
    matches: bool = element.matches(item)  # a character class
    return matches


def _runs(elements: list[Any]) -> tuple[_Run, ...]:
    """The runs between stars (two stars in a row are one)."""
    runs: list[_Run] = []
    current: list[Any] = []
    for element in elements:
        if element is _STAR:
            runs.append(_Run(current))
            current = []
        else:
            current.append(element)
    runs.append(_Run(current))
    return tuple(runs)


def _match(runs: tuple[_Run, ...], items: Any) -> bool:
    """Whether `items` (a name, or a path's names) is the runs with anything
    in place of each star between them."""
    first = runs[0]
    if len(runs) == 1:
        return len(items) == first.size and first.at(items, 0)
    last = runs[-1]
    end = len(items) - last.size
    if end < first.size or not first.at(items, 0) or not last.at(items, end):
        return False
    position = first.size
    # Leftmost is always right: a run found further on leaves less room for the next.
    for run in runs[1:-1]:
        found = run.find(items, position, end)
        if found < 0:
            return False
        position = found + run.size
    return True


class _Name:
    """The pattern of one folder or file name: `*`, `?`, `[…]` and characters."""

    __slots__ = ("runs",)

    def __init__(self, segment: str) -> None:
        elements: list[Any] = []
        index = 0
        while index < len(segment):
            char = segment[index]
            index += 1
            if char == "*":
                elements.append(_STAR)
            elif char == "?":
                elements.append(_ANY)
            elif char == "[":
                first = index + 1 if segment[index : index + 1] in ("!", "^") else index
                # A `]` first in the set is a member, not its end.
                end = segment.find("]", first + 1 if segment[first : first + 1] == "]" else first)
                if end < 0:  # no closing bracket: a literal `[`
                    elements.append(char)
                    continue
                elements.append(_CharacterSet(segment[first:end], negated=first > index))
                index = end + 1
            else:
                elements.append(char)
        self.runs = _runs(elements)

    def matches(self, name: str) -> bool:
        return _match(self.runs, name)


class _CharacterSet:
    """A `[…]` set: each character is itself but a `-` range between two
    (a `-` first or last is itself); `!` or `^` first negates it."""

    __slots__ = ("negated", "ranges")

    def __init__(self, members: str, negated: bool) -> None:
        self.negated = negated
        ranges = []
        index = 0
        while index < len(members):
            low = members[index]
            if index + 2 < len(members) and members[index + 1] == "-":
                high = members[index + 2]
                if low > high:
                    raise ValueError(
                        f"has the range `{low}-{high}`, whose ends are the wrong way round"
                        f" (`{high}-{low}`?)"
                    )
                ranges.append((low, high))
                index += 3
            else:
                ranges.append((low, low))
                index += 1
        self.ranges = tuple(ranges)

    def matches(self, char: str) -> bool:
        return any(low <= char <= high for low, high in self.ranges) is not self.negated


@dataclass(frozen=True, eq=False)
class Config:
    """One configuration file's values (`path` None: no file, the defaults)."""

    path: str | None
    folder: str  # absolute: the file's globs are relative to it
    include: tuple[Glob, ...] = ()  # empty: every YAML file
    exclude: tuple[Glob, ...] = ()
    select: tuple[str, ...] = _DEFAULTS.select
    ignore: tuple[str, ...] = _DEFAULTS.ignore
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # Codes expanded to full catalog codes, so that they win over any `select`.
    per_file_ignores: tuple[tuple[Glob, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.WARNING
    default_duration: float | None = _DEFAULTS.default_duration
    span_of_control: int = _DEFAULTS.span_of_control
    input_format: str | None = _DEFAULTS.input_format
    durations: MeasuredDurations | None = _DEFAULTS.durations
    cost_currency: str = _DEFAULTS.cost_currency


@dataclass(frozen=True)
class Overrides:
    """Command-line options, which win over every configuration file."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: Severity | None = None
    exclude: tuple[Glob, ...] = ()  # added; relative to the current directory, or absolute
    input_format: str | None = None
    durations: MeasuredDurations | None = None  # --durations


@dataclass(frozen=True)
class FileOptions:
    """What one checked file is checked with."""

    settings: Settings
    fail_on: Severity


class ConfigResolver:
    """The options of each checked file; each folder is looked up once and
    each configuration file read once, however many runbooks it holds."""

    def __init__(
        self, config_file: Path | None = None, overrides: Overrides = Overrides()
    ) -> None:
        self._overrides = overrides
        self._cwd = os.getcwd()
        self._given = None if config_file is None else self._apply(load_config(config_file))
        self._default = self._apply(Config(None, self._cwd))
        # A folder's configurations from it up to the filesystem root, closest first.
        self._chains: dict[str, tuple[Config, ...]] = {}
        self._options: dict[tuple[int, tuple[int, ...]], FileOptions] = {}

    def options_for(self, path: Path, explicit: bool) -> FileOptions | None:
        """The file's options, or None when discovery must skip it (not
        included, or excluded by any configuration above it); a file named
        explicitly is never skipped."""
        absolute = os.path.abspath(path)
        above: tuple[Config, ...]
        if self._given is not None:  # --config: the only configuration
            config, above = self._given, ()
        else:
            chain = self._chain(os.path.dirname(absolute))
            config, above = (chain[0], chain[1:]) if chain else (self._default, ())
        # Only globs read the path relative to the configuration's folder: a
        # run of a configuration without them works out none (relpath is
        # costly, and a warm run of 1,000 files does little else per file).
        globbed = config.include or config.exclude or config.per_file_ignores
        relative = _relative(absolute, config.folder) if globbed else ""
        if not explicit and self._skipped(absolute, relative, config, above):
            return None
        matched = tuple(
            number
            for number, (glob, _) in enumerate(config.per_file_ignores)
            if glob.matches(relative)
        )
        key = (id(config), matched)
        options = self._options.get(key)
        if options is None:
            ignored = config.ignore + tuple(
                code for number in matched for code in config.per_file_ignores[number][1]
            )
            settings = Settings(
                select=config.select,
                ignore=ignored,
                severity=config.severity,
                default_duration=config.default_duration,
                span_of_control=config.span_of_control,
                input_format=config.input_format,
                durations=config.durations,
                cost_currency=config.cost_currency,
            )
            options = self._options[key] = FileOptions(settings, config.fail_on)
        return options

    def _chain(self, folder: str) -> tuple[Config, ...]:
        """The configurations of `folder` and of every folder above it,
        closest first; every folder passed on the way remembers its own."""
        walked = []
        while folder not in self._chains:
            walked.append(folder)
            parent = os.path.dirname(folder)
            if parent == folder:  # the filesystem root
                break
            folder = parent
        chain = self._chains.get(folder, ())
        for passed in reversed(walked):  # from the top down
            config = _config_in(passed)
            if config is not None:
                chain = (self._apply(config), *chain)
            self._chains[passed] = chain
        return chain

    def _skipped(
        self, absolute: str, relative: str, config: Config, above: tuple[Config, ...]
    ) -> bool:
        if config.include and not any(glob.matches(relative) for glob in config.include):
            return True
        if any(glob.matches(relative) for glob in config.exclude):
            return True
        # A folder excluded above stays excluded even when it has a configuration.
        for outer in above:
            if outer.exclude:
                from_outer = _relative(absolute, outer.folder)
                if any(glob.matches(from_outer) for glob in outer.exclude):
                    return True
        if self._overrides.exclude:
            from_cwd = _relative(absolute, self._cwd)
            from_root = absolute.replace(os.sep, "/").lstrip("/")
            return any(
                glob.matches(from_root if glob.absolute else from_cwd)
                for glob in self._overrides.exclude
            )
        return False

    def _apply(self, config: Config) -> Config:
        given = self._overrides
        return replace(
            config,
            select=config.select if given.select is None else given.select,
            ignore=config.ignore if given.ignore is None else given.ignore,
            fail_on=config.fail_on if given.fail_on is None else given.fail_on,
            input_format=config.input_format if given.input_format is None else given.input_format,
            durations=config.durations if given.durations is None else given.durations,
        )


def read_durations(path: Path) -> MeasuredDurations:
    """A durations file (`--durations`, the `durations` key); a ConfigError
    at the line and column of what is wrong in it."""
    from .durations import DurationsError, load_durations
    from .model import Span

    try:
        return load_durations(path)
    except DurationsError as error:
        span = Span(error.line, error.column, error.line, error.column)
        raise ConfigError(_shown(path), error.message, span=span) from None


def _relative(absolute: str, folder: str) -> str:
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive (Windows): no relative path exists
        relative = absolute
    return relative.replace(os.sep, "/")


def _config_in(folder: str) -> Config | None:
    """The configuration file of this folder, if it has one."""
    candidate = os.path.join(folder, YAML_CONFIG)
    if os.path.isfile(candidate):
        return _read_yaml(Path(candidate))
    candidate = os.path.join(folder, PYPROJECT)
    if os.path.isfile(candidate):
        return _read_toml(Path(candidate))  # None without [tool.recoverylint]
    return None


def load_config(path: Path) -> Config:
    """Read one configuration file given by the user: TOML (`[tool.recoverylint]`)
    when its name ends in `.toml` (in any case), YAML otherwise."""
    if path.suffix.lower() == ".toml":
        config = _read_toml(path)
        if config is None:
            raise ConfigError(_shown(path), "has no [tool.recoverylint] table")
        return config
    return _read_yaml(path)


def _read_yaml(path: Path) -> Config:
    from .source import parse

    shown = _shown(path)
    try:
        document = parse(read_text(path))
    except SourceError as error:
        raise ConfigError(shown, error.message, span=error.span) from None
    if document.rest:  # settings after a `---` would otherwise be silently ignored
        raise ConfigError(
            shown,
            "a second YAML document: a configuration file holds one document",
            span=document.rest[0].start_span,
        )
    data = {} if document.data is None else document.data  # an empty file: the defaults
    if not isinstance(data, dict):
        raise ConfigError(
            shown, "must be a mapping of settings such as `select: [RL2]`", span=document.root_span
        )
    return _Reader(path, document).config(data)


def _read_toml(path: Path) -> Config | None:
    shown = _shown(path)
    try:
        text = read_text(path)  # a regular UTF-8 file within the size limit
    except SourceError as error:
        raise ConfigError(shown, error.message, span=error.span) from None
    # Imported here: a run that finds no pyproject.toml does not pay for the parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(shown, error) from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise ConfigError(shown, "invalid TOML: a value too large or nested too deeply") from None
    tool = data.get("tool")
    section = tool.get("recoverylint") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(shown, "must be a table", key="tool.recoverylint")
    return _Reader(path, None).config(section)


# Where tomllib (and tomli) says a TOML error is, at the end of its message.
_TOML_POSITION = re.compile(r" \(at line (\d+), column (\d+)\)$")


def _toml_error(shown: str, error: ValueError) -> ConfigError:
    """Invalid TOML at file:line:column, as every other configuration error."""
    message = str(error)
    found = _TOML_POSITION.search(message)
    if found is None:  # "(at end of document)": no line and column to give
        return ConfigError(shown, f"invalid TOML: {message}")
    line, column = int(found.group(1)), int(found.group(2))
    from .model import Span

    return ConfigError(
        shown, f"invalid TOML: {message[: found.start()]}", span=Span(line, column, line, column)
    )


def _shown(path: Path) -> str:
    """A configuration file as the user would write it: relative to the
    working directory when inside it."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    return os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else absolute


class _Reader:
    """Checks one table of settings, pointing each error at its key or value
    (YAML has line and column; TOML only the key)."""

    def __init__(self, path: Path, document: Document | None) -> None:
        self.path = path
        self.shown = _shown(path)
        self.document = document

    def error(
        self, key: str, message: str, container: Any, index: Any, at_key: bool = False
    ) -> ConfigError:
        span = None
        if self.document is not None:
            where = self.document.key_span if at_key else self.document.value_span
            span = where(container, index)
        return ConfigError(self.shown, message, key, span)

    def config(self, table: dict[Any, Any]) -> Config:
        written_as: dict[str, str] = {}
        for key in table:
            normal = key.replace("-", "_") if isinstance(key, str) else None
            if normal not in KEYS:
                near = closest(str(key).replace("-", "_"), KEYS)
                hint = f" (did you mean `{near.replace('_', '-')}`?)" if near else ""
                raise self.error(
                    str(key),
                    f"unknown key{hint}; the keys are "
                    + ", ".join(name.replace("_", "-") for name in KEYS),
                    table, key, at_key=True,
                )
            if normal in written_as:
                raise self.error(
                    key,
                    f"given twice, as `{written_as[normal]}` and `{key}`",
                    table, key, at_key=True,
                )
            written_as[normal] = key
        values: dict[str, Any] = {
            "path": self.shown,
            "folder": os.path.dirname(os.path.abspath(self.path)),
        }
        # One method per key, named as the key: it checks the value and converts it.
        for normal, key in written_as.items():
            values[normal] = getattr(self, normal)(key, table)
        return Config(**values)

    def strings(self, key: str, table: dict[Any, Any], what: str) -> list[str]:
        value = table[key]
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of {what}", table, key)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(
                    key, f"must be a list of {what}; `{item!r}` is not text", value, index
                )
        return value

    def globs(self, key: str, table: dict[Any, Any]) -> tuple[Glob, ...]:
        patterns = self.strings(key, table, "globs")
        return tuple(
            self.glob(key, pattern, patterns, index) for index, pattern in enumerate(patterns)
        )

    def glob(
        self, key: str, pattern: str, container: Any, index: Any, at_key: bool = False
    ) -> Glob:
        """One glob of this file: valid, and relative to the file's folder."""
        try:
            glob = Glob(pattern)
        except ValueError as error:
            problem = str(error)
        else:
            if glob.absolute:
                folder = os.path.dirname(os.path.abspath(self.path)) + os.sep
                written = pattern.strip()
                hint = f"; write `{written[len(folder) :]}`" if written.startswith(folder) else ""
                problem = (
                    "is an absolute path: globs are relative to the configuration file's"
                    f" folder{hint}"
                )
            elif glob.climbs:
                problem = (
                    "goes up with `..`: globs are relative to the configuration file's"
                    " folder and name files under it"
                )
            else:
                return glob
        raise self.error(key, f"the glob `{pattern}` {problem}", container, index, at_key)

    def codes(self, key: str, table: dict[Any, Any], ignoring: bool) -> tuple[str, ...]:
        codes = self.strings(key, table, "rule codes or prefixes such as `RL2`")
        for index, code in enumerate(codes):
            problem = code_problem(code, ignoring=ignoring)
            if problem:
                raise self.error(key, problem, codes, index)
        return tuple(codes)

    def include(self, key: str, table: dict[Any, Any]) -> tuple[Glob, ...]:
        return self.globs(key, table)

    def exclude(self, key: str, table: dict[Any, Any]) -> tuple[Glob, ...]:
        return self.globs(key, table)

    def select(self, key: str, table: dict[Any, Any]) -> tuple[str, ...]:
        codes = self.codes(key, table, ignoring=False)
        problem = select_problem(codes)
        if problem:
            raise self.error(key, problem, table, key)
        return codes

    def ignore(self, key: str, table: dict[Any, Any]) -> tuple[str, ...]:
        return self.codes(key, table, ignoring=True)

    def severity(self, key: str, table: dict[Any, Any]) -> dict[str, Severity]:
        levels = table[key]
        if not isinstance(levels, dict):
            raise self.error(
                key, "must be a mapping of rule code to error, warning or info", table, key
            )
        chosen = {}
        for code, level in levels.items():
            if not isinstance(code, str) or code not in known_codes():
                raise self.error(key, _not_a_code(str(code)), levels, code, at_key=True)
            if level not in _SEVERITIES:
                raise self.error(
                    key, f"the severity of {code} must be error, warning or info, not `{level}`",
                    levels, code,
                )
            if code in always_on_codes() and level != "error":
                raise self.error(
                    key,
                    f"{code} means the file could not be checked: it stays an error",
                    levels, code,
                )
            chosen[code] = Severity(level)
        return chosen

    def per_file_ignores(self, key: str, table: dict[Any, Any]) -> tuple[tuple[Glob, tuple[str, ...]], ...]:
        entries = table[key]
        if not isinstance(entries, dict):
            raise self.error(key, "must be a mapping of glob to a list of rule codes", table, key)
        rules = []
        for pattern, codes in entries.items():
            if not isinstance(pattern, str):
                raise self.error(key, f"`{pattern!r}` is not a glob", entries, pattern, at_key=True)
            glob = self.glob(key, pattern, entries, pattern, at_key=True)
            if not isinstance(codes, list):
                raise self.error(
                    key, f"`{pattern}` must map to a list of rule codes", entries, pattern
                )
            for index, code in enumerate(codes):
                problem = (
                    code_problem(code, ignoring=True)
                    if isinstance(code, str)
                    else f"`{code!r}` is not a rule code"
                )
                if problem:
                    raise self.error(key, problem, codes, index)
            rules.append((glob, expand(tuple(codes))))
        return tuple(rules)

    def fail_on(self, key: str, table: dict[Any, Any]) -> Severity:
        value = table[key]
        if value not in _SEVERITIES:
            raise self.error(key, f"must be error, warning or info, not `{value}`", table, key)
        return Severity(value)

    def default_duration(self, key: str, table: dict[Any, Any]) -> float:
        from .durations import parse_duration

        value = table[key]
        minutes = parse_duration(value)
        if minutes is None or not 0 <= minutes <= MAX_DURATION_MINUTES:
            raise self.error(
                key,
                f"must be a duration such as `5m`, `90s`, `1h30m` or a number of minutes"
                f" (at most a year), not `{value}`",
                table, key,
            )
        return minutes

    def durations(self, key: str, table: dict[Any, Any]) -> MeasuredDurations:
        """A durations file, relative to this file's folder."""
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be the path of a durations file (YAML or JSON)", table, key)
        return read_durations(Path(os.path.dirname(os.path.abspath(self.path))) / value)

    def input_format(self, key: str, table: dict[Any, Any]) -> str | None:
        value = table[key]
        if value == "auto":
            return None
        if value not in format_names():
            raise self.error(
                key,
                f"must be auto or one of {', '.join(format_names())}, not `{value}`",
                table, key,
            )
        name: str = value  # one of the format names
        return name

    def cost_currency(self, key: str, table: dict[Any, Any]) -> str:
        """An ISO 4217 code, as the runbook key `cost_currency` takes."""
        value = table[key]
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{3}", value):
            raise self.error(
                key, f"must be a currency code of three capital letters such as USD or EUR, not `{value}`", table, key
            )
        return value

    def span_of_control(self, key: str, table: dict[Any, Any]) -> int:
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(
                key, f"must be a whole number of at least 1, not `{value}`", table, key
            )
        return value


@lru_cache(maxsize=1)
def known_codes() -> frozenset[str]:
    return frozenset(catalog_codes())


_CODE_PREFIX = re.compile(r"RL[0-9]{0,3}")


def code_problem(text: str, ignoring: bool = False) -> str | None:
    """Why `text` is not a rule code or prefix of the catalog (None when it is);
    `ignoring`: also refuse what would ignore only rules that are always on."""
    matched = [code for code in known_codes() if code.startswith(text)]
    if not _CODE_PREFIX.fullmatch(text) or not matched:
        return _not_a_code(text)
    if ignoring and all(code in always_on_codes() for code in matched):
        return (
            f"`{text}` cannot be ignored: {listed(always_on_codes())} are always on,"
            " so that a file that cannot be read never looks clean"
        )
    return None


def select_problem(codes: tuple[str, ...]) -> str | None:
    """Why `codes`, each a valid code or prefix, cannot be a `select` (None
    when they can): an empty one would silently turn every rule off."""
    if not codes:
        return (
            "an empty list would turn every rule off; name the rules to check,"
            " or leave it out to check them all"
        )
    return None


def _not_a_code(text: str) -> str:
    upper = text.strip().upper()
    if upper != text and _CODE_PREFIX.fullmatch(upper) and any(
        code.startswith(upper) for code in known_codes()
    ):
        near: str | None = upper
    else:
        near = closest(text, sorted(known_codes()))
    hint = f" (did you mean `{near}`?)" if near else ""
    return f"`{text}` is not a rule code or a prefix of one{hint}"


def expand(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog codes that `prefixes` name, less those always on."""
    return tuple(
        code
        for code in sorted(known_codes())
        if code not in always_on_codes() and any(code.startswith(prefix) for prefix in prefixes)
    )
