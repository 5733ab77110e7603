"""psql and mysql: the database `db/<name>` (`db` when none is named) is
read by a statement given on the command line that only queries
(`SELECT`, `SHOW`, `EXPLAIN`, `\\d`...), written by any other; an
interactive session (no statement) has no known effect."""

from __future__ import annotations

from ._invocation import Effect, Invocation, ToolTable, path_part

_QUERY_WORDS = ("select", "show", "explain", "describe", "desc", "\\", "with", "table", "values")
PSQL_VALUE_FLAGS = frozenset(
    {
        "-c",
        "--command",
        "-d",
        "--dbname",
        "-h",
        "--host",
        "-p",
        "--port",
        "-U",
        "--username",
        "-f",
        "--file",
        "-v",
        "--set",
    }
)
MYSQL_VALUE_FLAGS = frozenset({"-e", "--execute", "-D", "--database", "-h", "--host", "-P", "--port", "-u", "--user"})


def queries_only(sql: str) -> bool:
    """Whether every statement of `sql` only reads (a `WITH` that ends in a
    write is rare enough to be read as a query; CTE writes say `INSERT`)."""
    statements = [part.strip().lower() for part in sql.split(";") if part.strip()]
    return bool(statements) and all(
        statement.startswith(_QUERY_WORDS)
        and not any(word in statement.split() for word in ("insert", "update", "delete"))
        for statement in statements
    )


def _effect(sql: str | None, database: str | None) -> Effect | None:
    if not sql:
        return None
    target = f"db/{path_part(database)}" if database else "db"
    return Effect(reads=(target,)) if queries_only(sql) else Effect(writes=(target,))


def _psql(call: Invocation) -> Effect | None:
    database = call.value("-d", "--dbname") or (call.positionals[0] if call.positionals else None)
    return _effect(call.value("-c", "--command"), database)


def _mysql(call: Invocation) -> Effect | None:
    database = call.value("-D", "--database") or (call.positionals[0] if call.positionals else None)
    return _effect(call.value("-e", "--execute"), database)


PSQL = ToolTable(("psql",), PSQL_VALUE_FLAGS, _psql)
MYSQL = ToolTable(("mysql",), MYSQL_VALUE_FLAGS, _mysql)
