"""Configuration: where it is found, what each key does, which wins, and its errors."""

import json
import re
import textwrap

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recoverylint.cli import cli
from recoverylint.config import ConfigError, Glob, load_config, select_problem
from recoverylint.finding import Severity

# RL201 (warning) at `check-deploys`, RL105 (info) at `decide`'s output.
GATED = textwrap.dedent(
    """\
    runbook: gated
    given: [alert]
    steps:
      - id: triage
        inputs: [alert]
        outputs: [scope]
      - id: check-disk
        inputs: [scope]
        outputs: [disk]
      - id: check-deploys
        inputs: [scope]
        outputs: [deploys]
      - id: decide
        inputs: [disk, deploys]
        outputs: [verdict]
    """
)
# Three threads at once after `triage`.
WIDE = textwrap.dedent(
    """\
    runbook: wide
    given: [alert]
    steps:
      - id: triage
        inputs: [alert]
      - parallel:
          - id: check-a
          - id: check-b
          - id: check-c
    """
)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def run(*args):
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"}, catch_exceptions=False)


def found(*args):
    """(path, code, severity) of each finding of `check --format json ARGS`, and the exit code."""
    result = run("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    return sorted((f["path"], f["code"], f["severity"]) for f in findings), result.exit_code


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A working directory holding `top.yaml`, `sub/inner.yaml` and `legacy/old/a.yaml`."""
    monkeypatch.chdir(tmp_path)
    for name in ("top.yaml", "sub/inner.yaml", "legacy/old/a.yaml"):
        write(tmp_path / name, GATED)
    return tmp_path


# -- globs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("legacy/**/*.yaml", "legacy/a.yaml", True),
        ("legacy/**/*.yaml", "legacy/x/y/a.yaml", True),
        ("legacy/**/*.yaml", "legacy/a.yml", False),
        ("legacy/**/*.yaml", "other/legacy/a.yaml", False),
        ("legacy/**/*.yaml", "legacy.yaml", False),
        ("*.yaml", "top.yaml", True),
        ("*.yaml", "sub/top.yaml", False),  # `*` stays within one folder
        ("**/*.yaml", "top.yaml", True),
        ("**/*.yaml", "sub/deep/top.yaml", True),
        ("legacy", "legacy/old/a.yaml", True),  # a folder covers what is under it
        ("legacy/**", "legacy/old/a.yaml", True),
        ("legacy/**", "legacyx/a.yaml", False),
        ("./legacy/", "legacy/a.yaml", True),
        ("sub/?.yaml", "sub/a.yaml", True),
        ("sub/?.yaml", "sub/ab.yaml", False),
        ("[!l]*/*.yaml", "sub/a.yaml", True),
        ("[!l]*/*.yaml", "legacy/a.yaml", False),
        ("[ab].yaml", "b.yaml", True),
        ("a[.yaml", "a[.yaml", True),  # an unclosed bracket is literal
        ("a+b.yaml", "aab.yaml", False),  # regex characters are literal
        # Inside `[…]` every character is itself but a `-` range and a leading `!` or `^`.
        ("[[:alpha:]]", "a]", True),  # no character classes: `[`, `:`, `a`, ... then `]`
        ("[[:alpha:]]", "a", False),
        ("[a-c]", "b", True),
        ("[a-c]", "-", False),
        ("[-a]", "-", True),  # a `-` first or last is itself
        ("[a-]", "-", True),
        ("[]]", "]", True),  # a `]` first is itself
        ("[!]]", "a", True),
        ("[!]]", "]", False),
        ("[\\]", "\\", True),
        ("[&&]", "&", True),
        ("[~~]", "~", True),
        ("[^a]", "b", True),
        ("[a^]", "^", True),  # `^` not first is itself
        ("[.-0]/x", "a/x", False),
        ("[.-0]", "/", False),  # a range holding `/` still stays within one folder
        ("[!a]", "/", False),
    ],
)
def test_glob_matches_the_whole_relative_path(pattern, path, matches):
    assert Glob(pattern).matches(path) is matches


@pytest.mark.parametrize("pattern", ["", "/", "./"])
def test_a_glob_naming_nothing_is_refused(pattern):
    with pytest.raises(ValueError):
        Glob(pattern)


def test_a_glob_set_compiles_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for pattern in ("[[:alpha:]]", "[%--]", "[--a]", "[&&]", "[||]", "[~~]", "[[]"):
            Glob(pattern)


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("[z-a]", "has the range `z-a`, whose ends are the wrong way round (`a-z`?)"),
        ("x/[b-a]*.yaml", "has the range `b-a`"),
        ("a/../b", "has `..` after a folder name"),
        ("**/..", "has `..` after a folder name"),
    ],
)
def test_a_bad_glob_is_a_value_error(pattern, expected):
    with pytest.raises(ValueError, match=re.escape(expected)):
        Glob(pattern)


# The repro of issue 13, item 6: a backtracking regular expression took 94 s.
CATASTROPHIC = "*a*a*a*a*a*a*a*a*a*a*a*c"


def test_a_glob_with_many_stars_is_matched_without_backtracking(monkeypatch):
    from recoverylint import config

    calls = []
    counted_one = config._one
    monkeypatch.setattr(config, "_one", lambda element, item: calls.append(1) or counted_one(element, item))
    # `?` makes every run one of elements compared one by one (plain
    # characters are found by str.find): the work is counted.
    pattern = CATASTROPHIC.replace("a", "a?")
    name = "a" * 40
    assert not Glob(pattern).matches(name) and not Glob(CATASTROPHIC).matches(name)
    assert Glob(CATASTROPHIC).matches("a" * 40 + "c") and Glob(pattern).matches("ab" * 20 + "c")
    assert 0 < len(calls) <= len(pattern) * len(name)


def test_the_catastrophic_glob_of_a_configuration_ends(tree):
    import subprocess
    import sys

    write(tree / ".recoverylint.yaml", f"exclude: ['{CATASTROPHIC}']\n")
    write(tree / ("a" * 40 + ".yaml"), GATED)
    done = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", ".", "--format", "json", "--no-cache"],
        capture_output=True, text=True, timeout=60, cwd=tree,
    )
    paths = {finding["path"] for finding in json.loads(done.stdout)["findings"]}
    assert "a" * 40 + ".yaml" in paths  # not excluded: it does not end in `c`


@pytest.mark.parametrize(
    "pattern, path, matches",
    [
        ("**", "a/b", True),
        ("a/**/**/b", "a/b", True),
        ("a/**/**/b", "a/x/y/b/c", True),
        ("a/**/**", "a", False),
        ("*x*y*", "axbyc", True),
        ("*x*y*", "aybxc", False),
        ("x*", "x", True),
        ("*x", "x", True),
        ("*x*x", "x", False),
        ("?*?", "ab", True),
        ("?*?", "a", False),
        ("[!a]*[!a]", "bab", True),
        ("[!a]*[!a]", "ba", False),
    ],
)
def test_stars_runs_and_sets_together(pattern, path, matches):
    assert Glob(pattern).matches(path) is matches


def test_a_second_yaml_document_in_a_configuration_is_an_error(tree):
    # The repro: its settings were silently dropped.
    write(tree / ".recoverylint.yaml", "select: [RL2]\n---\nignore: [RL201]\n")
    result = run("check", "top.yaml")
    assert result.exit_code == 2
    assert (
        ".recoverylint.yaml:2:1: a second YAML document: a configuration file holds one document"
        in result.output
    )


def test_absolute_and_climbing_globs_are_marked():
    assert Glob("/srv/x").absolute and not Glob("/srv/x").climbs
    assert Glob("../x").climbs and not Glob("../x").absolute
    assert not Glob("x/y").absolute and not Glob("x/y").climbs
    assert Glob("/srv/x").matches("srv/x/a.yaml")  # matched against the path from the root


# -- reading -------------------------------------------------------------------


def test_keys_may_be_written_with_dashes_or_underscores(tmp_path):
    dashes = load_config(write(tmp_path / "a/.recoverylint.yaml", """\
        per-file-ignores: {"x/*": [RL2]}
        fail-on: error
        default-duration: 1h30m
        span-of-control: 3
        """))
    underscores = load_config(write(tmp_path / "b/.recoverylint.yaml", """\
        per_file_ignores: {"x/*": [RL2]}
        fail_on: error
        default_duration: 90
        span_of_control: 3
        """))
    for config in (dashes, underscores):
        assert config.fail_on is Severity.ERROR
        assert config.default_duration == 90
        assert config.span_of_control == 3
        ((glob, codes),) = config.per_file_ignores
        assert glob.pattern == "x/*" and "RL201" in codes and "RL105" not in codes


def test_an_empty_yaml_file_is_a_configuration_of_defaults(tree):
    write(tree / ".recoverylint.yaml", "")
    write(tree / "pyproject.toml", '[tool.recoverylint]\nselect = ["RL105"]\n')
    codes, _ = found("top.yaml")
    assert ("top.yaml", "RL201", "warning") in codes


# -- where configuration is found, and which wins --------------------------------


def test_each_folder_is_looked_up_once_and_each_file_read_once(tree, monkeypatch):
    import recoverylint.config as config

    write(tree / ".recoverylint.yaml", "select: [RL201]\n")
    looked_up, read = [], []
    real_config_in, real_read_yaml = config._config_in, config._read_yaml

    def config_in(folder):
        looked_up.append(folder)
        return real_config_in(folder)

    def read_yaml(path):
        read.append(path)
        return real_read_yaml(path)

    monkeypatch.setattr(config, "_config_in", config_in)
    monkeypatch.setattr(config, "_read_yaml", read_yaml)
    resolver = config.ConfigResolver()
    names = ["a.yaml", "b.yaml", "sub/c.yaml", "sub/d.yaml", "sub/deep/e.yaml"]
    options = [resolver.options_for(tree / name, explicit=False) for name in names]
    assert {option.settings.select for option in options} == {("RL201",)}
    assert len({id(option) for option in options}) == 1  # built once, too
    # Every folder up to the filesystem root is looked up (for their excludes), once.
    assert len(looked_up) == len(set(looked_up))
    assert {str(tree / folder) for folder in ("", "sub", "sub/deep")} <= set(looked_up)
    assert len(read) == 1


def test_the_closest_configuration_wins(tree):
    write(tree / ".recoverylint.yaml", "select: [RL105]\n")
    write(tree / "sub/.recoverylint.yaml", "select: [RL201]\n")
    codes, _ = found(".")
    assert codes == [
        ("legacy/old/a.yaml", "RL105", "info"),
        ("sub/inner.yaml", "RL201", "warning"),
        ("top.yaml", "RL105", "info"),
    ]


def test_yaml_wins_over_pyproject_in_one_folder(tree):
    write(tree / "sub/pyproject.toml", '[tool.recoverylint]\nselect = ["RL105"]\n')
    write(tree / "sub/.recoverylint.yaml", "select: [RL201]\n")
    assert found("sub")[0] == [("sub/inner.yaml", "RL201", "warning")]


def test_pyproject_is_read_and_one_without_the_table_is_passed_over(tree):
    write(tree / "pyproject.toml", '[tool.recoverylint]\nselect = ["RL105"]\n')
    write(tree / "sub/pyproject.toml", '[project]\nname = "x"\n')
    assert found("sub")[0] == [("sub/inner.yaml", "RL105", "info")]
    write(tree / "sub/pyproject.toml", '[tool.recoverylint]\nselect = ["RL201"]\n')
    assert found("sub")[0] == [("sub/inner.yaml", "RL201", "warning")]


def test_config_option_overrides_discovery(tree):
    write(tree / "sub/.recoverylint.yaml", "select: [RL201]\n")
    write(tree / "elsewhere/mine.yaml", "select: [RL105]\n")
    codes, _ = found("--config", "elsewhere/mine.yaml", "sub")
    assert codes == [("sub/inner.yaml", "RL105", "info")]
    write(tree / "elsewhere/pyproject.toml", '[tool.recoverylint]\nselect = ["RL201"]\n')
    codes, _ = found("--config", "elsewhere/pyproject.toml", "top.yaml")
    assert codes == [("top.yaml", "RL201", "warning")]


def test_a_config_option_ending_in_toml_in_any_case_is_toml(tree):
    write(tree / "cfg.TOML", '[tool.recoverylint]\nselect = ["RL201"]\n')
    assert found("--config", "cfg.TOML", "top.yaml")[0] == [("top.yaml", "RL201", "warning")]
    assert load_config(tree / "cfg.TOML").select == ("RL201",)


def test_command_line_select_ignore_and_fail_on_override_the_file(tree):
    write(tree / ".recoverylint.yaml", "select: [RL105]\nignore: [RL2]\nfail-on: error\n")
    assert found("top.yaml")[0] == [("top.yaml", "RL105", "info")]
    codes, exit_code = found("--select", "RL201", "top.yaml")
    assert codes == [("top.yaml", "RL201", "warning")]  # the file's ignore of RL2 still applies,
    # but the command line's RL201 is more specific
    assert exit_code == 0  # the file's fail-on: error
    codes, exit_code = found("--select", "RL1,RL2", "--ignore", "RL105", "--fail-on", "warning",
                             "top.yaml")
    assert codes == [("top.yaml", "RL201", "warning")]
    assert exit_code == 1


# -- what each key does ------------------------------------------------------------


def test_select_and_ignore_take_prefixes(tree):
    write(tree / ".recoverylint.yaml", "select: [RL2]\n")
    assert found("top.yaml")[0] == [("top.yaml", "RL201", "warning")]
    write(tree / ".recoverylint.yaml", "select: [RL1, RL2]\nignore: [RL2]\n")
    assert found("top.yaml")[0] == [("top.yaml", "RL105", "info")]
    # The most specific entry wins.
    write(tree / ".recoverylint.yaml", "select: [RL1, RL201]\nignore: [RL2]\n")
    assert [code for _, code, _ in found("top.yaml")[0]] == ["RL105", "RL201"]


def test_severity_override_changes_the_exit_code(tree):
    write(tree / ".recoverylint.yaml", "select: [RL201]\n")
    assert found("top.yaml")[1] == 1
    write(tree / ".recoverylint.yaml", "select: [RL201]\nseverity: {RL201: info}\n")
    assert found("top.yaml") == ([("top.yaml", "RL201", "info")], 0)
    write(tree / ".recoverylint.yaml", """\
        select: [RL105]
        severity: {RL105: error}
        fail-on: error
        """)
    assert found("top.yaml") == ([("top.yaml", "RL105", "error")], 1)


def test_a_file_that_could_not_be_checked_stays_an_error(tree):
    write(tree / ".recoverylint.yaml", "severity: {RL001: info}\n")
    result = run("check", "top.yaml")
    assert result.exit_code == 2
    assert "RL001 means the file could not be checked: it stays an error" in result.output


def test_fail_on_in_the_file(tree):
    write(tree / ".recoverylint.yaml", "select: [RL201]\nfail-on: error\n")
    assert found("top.yaml")[1] == 0
    write(tree / ".recoverylint.yaml", "select: [RL105]\nfail-on: info\n")
    assert found("top.yaml")[1] == 1


def test_each_file_is_judged_by_its_own_fail_on(tree):
    write(tree / ".recoverylint.yaml", "select: [RL201]\n")
    write(tree / "sub/.recoverylint.yaml", "select: [RL201]\nfail-on: error\n")
    assert found("sub")[1] == 0
    assert found("sub", "top.yaml")[1] == 1


def test_per_file_ignores_apply_to_matching_files_and_win_over_select(tree):
    write(tree / ".recoverylint.yaml", """\
        select: [RL105, RL201]
        per-file-ignores:
          "legacy/**/*.yaml": [RL2]
          "*.yaml": [RL105]
        """)
    assert found(".")[0] == [
        ("legacy/old/a.yaml", "RL105", "info"),
        ("sub/inner.yaml", "RL105", "info"),
        ("sub/inner.yaml", "RL201", "warning"),
        ("top.yaml", "RL201", "warning"),
    ]


def test_per_file_ignores_are_relative_to_the_configuration_folder(tree):
    write(tree / "legacy/.recoverylint.yaml", """\
        select: [RL201]
        per-file-ignores: {"old/*.yaml": [RL201]}
        """)
    assert found("legacy")[0] == []


def test_exclude_and_include_filter_discovery_not_named_files(tree):
    write(tree / ".recoverylint.yaml", 'select: [RL201]\nexclude: ["legacy/**/*.yaml"]\n')
    paths = [path for path, _, _ in found(".")[0]]
    assert paths == ["sub/inner.yaml", "top.yaml"]
    # A file named on the command line is checked even when excluded.
    assert [path for path, _, _ in found("legacy/old/a.yaml")[0]] == ["legacy/old/a.yaml"]

    write(tree / ".recoverylint.yaml", 'select: [RL201]\ninclude: ["*.yaml", "legacy"]\n')
    paths = [path for path, _, _ in found(".")[0]]
    assert paths == ["legacy/old/a.yaml", "top.yaml"]


def test_exclude_option_adds_globs_relative_to_the_working_directory(tree):
    write(tree / ".recoverylint.yaml", 'select: [RL201]\nexclude: ["legacy"]\n')
    result = run("check", "--format", "json", "--exclude", "sub/*.yaml", ".")
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["top.yaml"]
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_exclude_option_takes_absolute_globs_and_globs_going_up(tree, monkeypatch):
    write(tree / ".recoverylint.yaml", "select: [RL201]\n")
    paths = [path for path, _, _ in found("--exclude", str(tree / "legacy"), ".")[0]]
    assert paths == ["sub/inner.yaml", "top.yaml"]
    paths = [path for path, _, _ in found("--exclude", f"{tree}/*/*.yaml", ".")[0]]
    assert paths == ["legacy/old/a.yaml", "top.yaml"]
    monkeypatch.chdir(tree / "sub")
    paths = [path for path, _, _ in found("--exclude", "../legacy", "..")[0]]
    assert paths == ["../top.yaml", "inner.yaml"]


def test_an_exclude_above_holds_under_a_folder_with_its_own_configuration(tree):
    write(tree / ".recoverylint.yaml", 'select: [RL201]\nexclude: ["legacy", "**/skip.yaml"]\n')
    write(tree / "legacy/.recoverylint.yaml", "fail-on: error\n")
    write(tree / "legacy/old/.recoverylint.yaml", "select: [RL201]\n")
    write(tree / "sub/.recoverylint.yaml", "select: [RL201]\n")
    write(tree / "sub/skip.yaml", GATED)
    assert found(".")[0] == [
        ("sub/inner.yaml", "RL201", "warning"),
        ("top.yaml", "RL201", "warning"),
    ]
    # Each exclude is relative to its own folder; a file named is still checked.
    assert [path for path, _, _ in found("legacy", "sub/skip.yaml")[0]] == ["sub/skip.yaml"]
    write(tree / "sub/.recoverylint.yaml", 'select: [RL201]\nexclude: ["inner.yaml"]\n')
    assert [path for path, _, _ in found(".")[0]] == ["top.yaml"]


def test_default_duration_changes_the_minutes_of_a_gate(tree):
    write(tree / ".recoverylint.yaml", "select: [RL201]\ndefault_duration: 12m\n")
    result = run("check", "--format", "json", "top.yaml")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["message"].endswith(
        "This gate adds 12 min to the critical path, by the configured default_duration."
    )


def test_span_of_control(tree):
    write(tree / "wide.yaml", WIDE)
    write(tree / ".recoverylint.yaml", "select: [RL701]\n")
    assert found("wide.yaml")[0] == []
    write(tree / ".recoverylint.yaml", "select: [RL701]\nspan_of_control: 2\n")
    result = run("check", "--format", "json", "wide.yaml")
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["code"] == "RL701" and "more than the 2" in finding["message"]


# -- errors ------------------------------------------------------------------------


def config_error(tree, name, text, *args):
    write(tree / name, text)
    result = run("check", *args, "top.yaml")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # nothing was checked
    return result.stderr.strip()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("selct: [RL2]\n",
         ".recoverylint.yaml:1:1: key `selct`: unknown key (did you mean `select`?)"),
        ("select: [RL2]\nfail-on: error\nfail_on: info\n",
         ".recoverylint.yaml:3:1: key `fail_on`: given twice, as `fail-on` and `fail_on`"),
        ("select: RL2\n", ".recoverylint.yaml:1:9: key `select`: must be a list of rule codes"),
        ("select: [RL2, RL9]\n",
         ".recoverylint.yaml:1:15: key `select`: `RL9` is not a rule code or a prefix of one"),
        ("ignore: [XYZ]\n", ".recoverylint.yaml:1:10: key `ignore`: `XYZ` is not a rule code"),
        ("ignore: [rl201]\n", "key `ignore`: `rl201` is not a rule code or a prefix of one"
         " (did you mean `RL201`?)"),
        ("ignore: [RL002]\n", ".recoverylint.yaml:1:10: key `ignore`: `RL002` cannot be ignored"),
        ("severity:\n  RL299: info\n",
         ".recoverylint.yaml:2:3: key `severity`: `RL299` is not a rule code"),
        ("severity:\n  RL201: fatal\n",
         ".recoverylint.yaml:2:10: key `severity`: the severity of RL201 must be error,"
         " warning or info, not `fatal`"),
        ("per-file-ignores:\n  'a/*': [RL9]\n",
         ".recoverylint.yaml:2:11: key `per-file-ignores`: `RL9` is not a rule code"),
        ("per-file-ignores:\n  'a/*': RL201\n",
         ".recoverylint.yaml:2:10: key `per-file-ignores`: `a/*` must map to a list of rule codes"),
        ("exclude: ['']\n", ".recoverylint.yaml:1:11: key `exclude`: the glob `` names no file"),
        ("exclude: ['[z-a]']\n", ".recoverylint.yaml:1:11: key `exclude`: the glob `[z-a]`"
         " has the range `z-a`, whose ends are the wrong way round (`a-z`?)"),
        ("include: ['ok', 'x/[b-a]']\n",
         ".recoverylint.yaml:1:17: key `include`: the glob `x/[b-a]` has the range `b-a`"),
        ("per-file-ignores:\n  '[z-a]': [RL2]\n",
         ".recoverylint.yaml:2:3: key `per-file-ignores`: the glob `[z-a]` has the range `z-a`"),
        ("select: []\n", ".recoverylint.yaml:1:9: key `select`: an empty list would turn every"
         " rule off"),
        ("exclude: ['/srv/runbooks/vendor']\n", ".recoverylint.yaml:1:11: key `exclude`: the glob"
         " `/srv/runbooks/vendor` is an absolute path: globs are relative to the configuration"
         " file's folder"),
        ("include: ['../runbooks']\n", ".recoverylint.yaml:1:11: key `include`: the glob"
         " `../runbooks` goes up with `..`: globs are relative to the configuration file's folder"),
        ("per-file-ignores:\n  '../x/*.yaml': [RL2]\n",
         ".recoverylint.yaml:2:3: key `per-file-ignores`: the glob `../x/*.yaml` goes up"),
        ("per-file-ignores:\n  '/x/*.yaml': [RL2]\n",
         ".recoverylint.yaml:2:3: key `per-file-ignores`: the glob `/x/*.yaml` is an absolute"),
        ("exclude: ['a/../b']\n",
         ".recoverylint.yaml:1:11: key `exclude`: the glob `a/../b` has `..` after a folder name"),
        ("include: legacy\n", ".recoverylint.yaml:1:10: key `include`: must be a list of globs"),
        ("fail-on: never\n",
         ".recoverylint.yaml:1:10: key `fail-on`: must be error, warning or info, not `never`"),
        ("default_duration: 5 minutes\n",
         ".recoverylint.yaml:1:19: key `default_duration`: must be a duration such as `5m`"),
        ("default_duration: -1\n", "key `default_duration`: must be a duration"),
        ("span_of_control: 0\n",
         ".recoverylint.yaml:1:18: key `span_of_control`: must be a whole number of at least 1"),
        ("span_of_control: true\n", "key `span_of_control`: must be a whole number"),
        ("- select\n", ".recoverylint.yaml:1:1: must be a mapping of settings"),
        ("select: [RL2\n", ".recoverylint.yaml:2:1: YAML syntax error"),
    ],
)
def test_yaml_errors_name_the_file_the_key_and_the_place(tree, text, expected):
    message = config_error(tree, ".recoverylint.yaml", text)
    assert message.startswith("recoverylint: error: ")
    assert expected in message


@pytest.mark.parametrize(
    "text, expected",
    [
        ('[tool.recoverylint]\nselet = ["RL2"]\n', "pyproject.toml: key `selet`: unknown key"),
        ('[tool.recoverylint]\nselect = ["RL9"]\n',
         "pyproject.toml: key `select`: `RL9` is not a rule code"),
        ('[tool.recoverylint]\nspan-of-control = "many"\n',
         "pyproject.toml: key `span-of-control`: must be a whole number of at least 1, not `many`"),
        ('[tool.recoverylint]\nseverity = {RL201 = "loud"}\n',
         "pyproject.toml: key `severity`: the severity of RL201 must be error, warning or info"),
        ("[tool]\nrecoverylint = 3\n", "pyproject.toml: key `tool.recoverylint`: must be a table"),
        ("[tool.recoverylint\n", "pyproject.toml:1:19: invalid TOML: Expected ']' at the end of a table declaration"),
        ('[tool.recoverylint]\nexclude = ["[z-a]"]\n',
         "pyproject.toml: key `exclude`: the glob `[z-a]` has the range `z-a`"),
        ('[tool.recoverylint]\nper-file-ignores = {"[z-a]" = ["RL2"]}\n',
         "pyproject.toml: key `per-file-ignores`: the glob `[z-a]` has the range `z-a`"),
        ("[tool.recoverylint]\nselect = []\n",
         "pyproject.toml: key `select`: an empty list would turn every rule off"),
        ('[tool.recoverylint]\nexclude = ["/srv/x"]\n',
         "pyproject.toml: key `exclude`: the glob `/srv/x` is an absolute path"),
        ('[tool.recoverylint]\ninclude = ["../x"]\n',
         "pyproject.toml: key `include`: the glob `../x` goes up with `..`"),
    ],
)
def test_toml_errors_name_the_file_and_the_key(tree, text, expected):
    assert expected in config_error(tree, "pyproject.toml", text)


def test_a_config_option_without_the_table_is_an_error(tree):
    message = config_error(tree, "other.toml", '[project]\nname = "x"\n', "--config", "other.toml")
    assert "other.toml: has no [tool.recoverylint] table" in message


def test_an_error_in_a_configuration_above_stops_the_run(tree):
    write(tree / ".recoverylint.yaml", "span_of_control: 0\n")
    result = run("check", "sub")
    assert result.exit_code == 2
    assert ".recoverylint.yaml:1:18: key `span_of_control`" in result.stderr


@pytest.mark.parametrize(
    "option, value, expected",
    [
        ("--select", "RL2,RL9", "`RL9` is not a rule code"),
        ("--ignore", "RL001", "`RL001` cannot be ignored"),
        ("--exclude", "/", "names no file or folder"),
        ("--exclude", "[z-a]", "the glob `[z-a]` has the range `z-a`"),
        ("--exclude", "sub/../top.yaml", "has `..` after a folder name"),
    ],
)
def test_bad_command_line_codes_and_globs_are_usage_errors(tree, option, value, expected):
    result = run("check", option, value, "top.yaml")
    assert result.exit_code == 2
    assert option in result.output and expected in result.output


def test_an_absolute_glob_in_the_configuration_folder_suggests_the_relative_one(tree):
    message = config_error(tree, ".recoverylint.yaml", f"exclude: ['{tree / 'legacy'}']\n")
    assert "is an absolute path: globs are relative to the configuration file's folder;" \
        " write `legacy`" in message


def test_select_problem_refuses_only_an_empty_select():
    assert "an empty list would turn every rule off" in select_problem(())
    assert select_problem(("RL2",)) is None


def test_error_location_is_relative_to_the_working_directory(tree):
    write(tree / "sub/.recoverylint.yaml", "select: [RL9]\n")
    result = run("check", "sub")
    assert "recoverylint: error: sub/.recoverylint.yaml:1:10: key `select`" in result.stderr


def test_config_error_type_formats_without_a_location():
    assert str(ConfigError("pyproject.toml", "must be a table", "tool.recoverylint")) == (
        "pyproject.toml: key `tool.recoverylint`: must be a table"
    )


@pytest.mark.parametrize(
    "toml",
    ["[project]\nn = " + "9" * 5000 + "\n", "x = " + "[" * 5000 + "]" * 5000 + "\n"],
    ids=["huge-number", "deep-nesting"],
)
def test_a_pyproject_too_large_to_read_is_a_config_error(tree, toml):
    write(tree / "pyproject.toml", toml)
    result = run("check", "top.yaml")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.output and "invalid TOML" in result.output


def test_a_fifo_is_never_opened_by_discovery_or_as_a_config(tree):
    import os

    os.mkfifo(tree / "pipe.yaml")
    assert run("check", ".").exit_code in (0, 1)  # skipped, not read: no hang
    os.mkfifo(tree / "cfg.toml")
    result = run("check", "--config", "cfg.toml", "top.yaml")
    assert result.exit_code == 2 and "not a regular file" in result.output


# -- The glob matcher against the regular expressions it replaced ----------------------


def _oracle_regex(pattern: str) -> str:
    """The translation to a regular expression that globs used before
    (issue 13, item 6): the semantics to keep, on inputs too small to blow up."""
    segments = [part for part in pattern.strip().split("/") if part not in ("", ".")]
    out = []
    for number, segment in enumerate(segments):
        last = number == len(segments) - 1
        if segment == "**":
            out.append("[^/]+" if last else "(?:[^/]+/)*")
            continue
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
                end = segment.find("]", first + 1 if segment[first : first + 1] == "]" else first)
                if end < 0:
                    out.append(re.escape(char))
                    continue
                members, position, body = segment[first:end], 0, []
                while position < len(members):
                    if position + 2 < len(members) and members[position + 1] == "-":
                        body.append(f"{re.escape(members[position])}-{re.escape(members[position + 2])}")
                        position += 3
                    else:
                        body.append(re.escape(members[position]))
                        position += 1
                out.append(f"[^/{''.join(body)}]" if first > index else f"(?!/)[{''.join(body)}]")
                index = end + 1
            else:
                out.append(re.escape(char))
        if not last:
            out.append("/")
    return "".join(out) + "(?:/.*)?"


_PATTERN_PARTS = st.sampled_from(["a", "b", ".", "-", "*", "?", "[", "]", "!", "^", "/", "**", "[a-b]", "[!a]"])
_NAMES = st.text(alphabet="ab.-[]!^", min_size=1, max_size=6)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PATTERN_PARTS, min_size=1, max_size=8).map("".join), st.lists(_NAMES, min_size=1, max_size=4))
def test_globs_match_as_the_regular_expressions_did(pattern, names):
    try:
        glob = Glob(pattern)
    except ValueError:
        return  # refused patterns (no name, a reversed range, `..`) are refused as before
    path = "/".join(names)
    assert glob.matches(path) is (re.fullmatch(_oracle_regex(pattern), path, re.DOTALL) is not None), (pattern, path)
