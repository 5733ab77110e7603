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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from .catalog import catalog_codes
from .finding import Severity
from .model import Span
from .rules._words import closest, listed
from .native import parse_duration
from .settings import ALWAYS_ON, INPUT_FORMATS, Settings
from .source import Document, SourceError, parse, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

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
)
# Runbook durations are bounded the same way (the schema's `duration`).
MAX_DURATION_MINUTES = 525600
_SEVERITIES = tuple(severity.value for severity in Severity)
_DEFAULTS = Settings()


class ConfigError(Exception):
    """A configuration file that cannot be used as written."""

    def __init__(
        self, path: str, message: str, key: Optional[str] = None, span: Optional[Span] = None
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
    up (`climbs`); configuration files refuse both, `--exclude` takes them."""

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
        try:
            self._regex = re.compile(_glob_regex(segments), re.DOTALL)
        except re.error as error:  # a safety net: _segment_regex escapes what it copies
            raise ValueError(f"is not a valid glob ({error.msg})") from None

    def matches(self, relative_path: str) -> bool:
        """Whether a `/`-separated relative path matches."""
        return self._regex.fullmatch(relative_path) is not None

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"


def _glob_regex(segments: list[str]) -> str:
    out = []
    for number, segment in enumerate(segments):
        last = number == len(segments) - 1
        if segment == "**":
            out.append("[^/]+" if last else "(?:[^/]+/)*")
            continue
        out.append(_segment_regex(segment))
        if not last:
            out.append("/")
    # A glob naming a folder names everything under it.
    return "".join(out) + "(?:/.*)?"


def _segment_regex(segment: str) -> str:
    out = []
    index = 0
    while index < len(segment):
        char = segment[index]
        index += 1
        if char == "*":
            while index < len(segment) and segment[index] == "*":
                index += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            first = index + 1 if segment[index : index + 1] in ("!", "^") else index
            # A `]` first in the set is a member, not its end.
            end = segment.find("]", first + 1 if segment[first : first + 1] == "]" else first)
            if end < 0:  # no closing bracket: a literal `[`
                out.append(re.escape(char))
                continue
            members = _set_members(segment[first:end])
            if first > index:
                out.append(f"[^/{members}]")
            else:  # a range such as `[.-0]` holds `/`, which stays out
                out.append(f"(?!/)[{members}]")
            index = end + 1
        else:
            out.append(re.escape(char))
    return "".join(out)


def _set_members(members: str) -> str:
    """The members of a `[…]` set as a regex set's: each character escaped,
    and `a-z` a range (a `-` first or last is the character itself)."""
    out = []
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
            out.append(f"{re.escape(low)}-{re.escape(high)}")
            index += 3
        else:
            out.append(re.escape(low))
            index += 1
    return "".join(out)


@dataclass(frozen=True, eq=False)
class Config:
    """One configuration file's values (`path` None: no file, the defaults)."""

    path: Optional[str]
    folder: str  # absolute: the file's globs are relative to it
    include: tuple[Glob, ...] = ()  # empty: every YAML file
    exclude: tuple[Glob, ...] = ()
    select: tuple[str, ...] = _DEFAULTS.select
    ignore: tuple[str, ...] = _DEFAULTS.ignore
    severity: Mapping[str, Severity] = field(default_factory=dict)
    # Codes expanded to full catalog codes, so that they win over any `select`.
    per_file_ignores: tuple[tuple[Glob, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.WARNING
    default_duration: float = _DEFAULTS.default_duration
    span_of_control: int = _DEFAULTS.span_of_control
    input_format: Optional[str] = _DEFAULTS.input_format


@dataclass(frozen=True)
class Overrides:
    """Command-line options, which win over every configuration file."""

    select: Optional[tuple[str, ...]] = None
    ignore: Optional[tuple[str, ...]] = None
    fail_on: Optional[Severity] = None
    exclude: tuple[Glob, ...] = ()  # added; relative to the current directory, or absolute
    input_format: Optional[str] = None


@dataclass(frozen=True)
class FileOptions:
    """What one checked file is checked with."""

    settings: Settings
    fail_on: Severity


class ConfigResolver:
    """The options of each checked file; each folder is looked up once and
    each configuration file read once, however many runbooks it holds."""

    def __init__(
        self, config_file: Optional[Path] = None, overrides: Overrides = Overrides()
    ) -> None:
        self._overrides = overrides
        self._cwd = os.getcwd()
        self._given = None if config_file is None else self._apply(load_config(config_file))
        self._default = self._apply(Config(None, self._cwd))
        # A folder's configurations from it up to the filesystem root, closest first.
        self._chains: dict[str, tuple[Config, ...]] = {}
        self._options: dict[tuple[int, tuple[int, ...]], FileOptions] = {}

    def options_for(self, path: Path, explicit: bool) -> Optional[FileOptions]:
        """The file's options, or None when discovery must skip it (not
        included, or excluded by any configuration above it); a file named
        explicitly is never skipped."""
        absolute = os.path.abspath(path)
        if self._given is not None:  # --config: the only configuration
            config, above = self._given, ()
        else:
            chain = self._chain(os.path.dirname(absolute))
            config, above = (chain[0], chain[1:]) if chain else (self._default, ())
        relative = _relative(absolute, config.folder)
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
                chain = (self._apply(config),) + chain
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
        )


def _relative(absolute: str, folder: str) -> str:
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive (Windows): no relative path exists
        relative = absolute
    return relative.replace(os.sep, "/")


def _config_in(folder: str) -> Optional[Config]:
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
    shown = _shown(path)
    try:
        document = parse(read_text(path))
    except SourceError as error:
        raise ConfigError(shown, error.message, span=error.span) from None
    data = {} if document.data is None else document.data  # an empty file: the defaults
    if not isinstance(data, dict):
        raise ConfigError(
            shown, "must be a mapping of settings such as `select: [RL2]`", span=document.root_span
        )
    return _Reader(path, document).config(data)


def _read_toml(path: Path) -> Optional[Config]:
    shown = _shown(path)
    try:
        text = read_text(path)  # a regular UTF-8 file within the size limit
    except SourceError as error:
        raise ConfigError(shown, error.message) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(shown, f"invalid TOML: {error}") from None
    except (ValueError, RecursionError):  # a number of thousands of digits, deep nesting
        raise ConfigError(shown, "invalid TOML: a value too large or nested too deeply") from None
    tool = data.get("tool")
    section = tool.get("recoverylint") if isinstance(tool, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(shown, "must be a table", key="tool.recoverylint")
    return _Reader(path, None).config(section)


def _shown(path: Path) -> str:
    """A configuration file as the user would write it: relative to the
    working directory when inside it."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    return os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else absolute


class _Reader:
    """Checks one table of settings, pointing each error at its key or value
    (YAML has line and column; TOML only the key)."""

    def __init__(self, path: Path, document: Optional[Document]) -> None:
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

    def config(self, table: dict) -> Config:
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

    def strings(self, key: str, table: dict, what: str) -> list[str]:
        value = table[key]
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of {what}", table, key)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(
                    key, f"must be a list of {what}; `{item!r}` is not text", value, index
                )
        return value

    def globs(self, key: str, table: dict) -> tuple[Glob, ...]:
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

    def codes(self, key: str, table: dict, ignoring: bool) -> tuple[str, ...]:
        codes = self.strings(key, table, "rule codes or prefixes such as `RL2`")
        for index, code in enumerate(codes):
            problem = code_problem(code, ignoring=ignoring)
            if problem:
                raise self.error(key, problem, codes, index)
        return tuple(codes)

    def include(self, key: str, table: dict) -> tuple[Glob, ...]:
        return self.globs(key, table)

    def exclude(self, key: str, table: dict) -> tuple[Glob, ...]:
        return self.globs(key, table)

    def select(self, key: str, table: dict) -> tuple[str, ...]:
        codes = self.codes(key, table, ignoring=False)
        problem = select_problem(codes)
        if problem:
            raise self.error(key, problem, table, key)
        return codes

    def ignore(self, key: str, table: dict) -> tuple[str, ...]:
        return self.codes(key, table, ignoring=True)

    def severity(self, key: str, table: dict) -> dict[str, Severity]:
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
            if code in ALWAYS_ON and level != "error":
                raise self.error(
                    key,
                    f"{code} means the file could not be checked: it stays an error",
                    levels, code,
                )
            chosen[code] = Severity(level)
        return chosen

    def per_file_ignores(self, key: str, table: dict) -> tuple[tuple[Glob, tuple[str, ...]], ...]:
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

    def fail_on(self, key: str, table: dict) -> Severity:
        value = table[key]
        if value not in _SEVERITIES:
            raise self.error(key, f"must be error, warning or info, not `{value}`", table, key)
        return Severity(value)

    def default_duration(self, key: str, table: dict) -> float:
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

    def input_format(self, key: str, table: dict) -> Optional[str]:
        value = table[key]
        if value == "auto":
            return None
        if value not in INPUT_FORMATS:
            raise self.error(
                key,
                f"must be auto or one of {', '.join(INPUT_FORMATS)}, not `{value}`",
                table, key,
            )
        return value

    def span_of_control(self, key: str, table: dict) -> int:
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


def code_problem(text: str, ignoring: bool = False) -> Optional[str]:
    """Why `text` is not a rule code or prefix of the catalog (None when it is);
    `ignoring`: also refuse what would ignore only rules that are always on."""
    matched = [code for code in known_codes() if code.startswith(text)]
    if not _CODE_PREFIX.fullmatch(text) or not matched:
        return _not_a_code(text)
    if ignoring and all(code in ALWAYS_ON for code in matched):
        return (
            f"`{text}` cannot be ignored: {listed(ALWAYS_ON)} are always on,"
            " so that a file that cannot be read never looks clean"
        )
    return None


def select_problem(codes: tuple[str, ...]) -> Optional[str]:
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
        near: Optional[str] = upper
    else:
        near = closest(text, sorted(known_codes()))
    hint = f" (did you mean `{near}`?)" if near else ""
    return f"`{text}` is not a rule code or a prefix of one{hint}"


def expand(prefixes: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog codes that `prefixes` name, less those always on."""
    return tuple(
        code
        for code in sorted(known_codes())
        if code not in ALWAYS_ON and any(code.startswith(prefix) for prefix in prefixes)
    )
