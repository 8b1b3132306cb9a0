"""pg_dump/pg_restore against the project's database (the private cluster or DATABASE_URL)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from config import pgcluster
from geo.models.rules_sql import OBJECTS as RULE_OBJECTS
from geo.models.rules_sql import RESTORE as RULES_SQL


def tool(name: str) -> str:
    """The PostgreSQL client program ``name``: the cluster's own version first, then PATH."""
    try:
        path = pgcluster.find_bindir() / name
        if path.exists():
            return str(path)
    except Exception:
        pass
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} not found: install postgresql-client (apt-get install "
                           "postgresql-client-15)")
    return found


def connection_args() -> tuple[list[str], dict[str, str]]:
    """libpq options and environment for the default database (password via PGPASSWORD)."""
    db: dict[str, Any] = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for key, value in (db.get("OPTIONS") or {}).items():
        if key == "sslmode":
            env["PGSSLMODE"] = str(value)
    return args, env


def run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL tool; its own error message becomes the command's."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise CommandError(f"{Path(cmd[0]).name} failed (exit {proc.returncode}):\n{tail}")
    return proc


def archive_tables(path: Path) -> list[str]:
    """The tables whose data a pg_dump custom archive holds (raises if it is not one)."""
    _, env = connection_args()
    listing = run([tool("pg_restore"), "--list", str(path)], env).stdout
    return [line.split()[-2] for line in listing.splitlines()
            if " TABLE DATA " in line and not line.startswith(";")]


# What a wangge backup may hold, by pg_restore --list entry type. Restored: tables, their
# data, sequences, defaults, constraints and indexes (all of them made by migrations).
# Passed over: extensions (created by the cluster's superuser beforehand), comments, grants
# and the public schema itself. Anything else (functions, views, triggers, rules, policies,
# event triggers, types, other schemas) is code a backup of ours never contains; an archive
# that holds it is refused before anything runs.
RESTORED = {"TABLE", "TABLE DATA", "SEQUENCE", "SEQUENCE OWNED BY", "SEQUENCE SET", "DEFAULT",
            "CONSTRAINT", "FK CONSTRAINT", "INDEX", "CHECK CONSTRAINT"}
PASSED_OVER = {"COMMENT", "ACL", "DEFAULT ACL", "SCHEMA", "EXTENSION"}
KNOWN_EXTENSIONS = {"postgis", "pg_trgm", "plpgsql"}
# Longest first, so that "TABLE DATA" is not read as "TABLE".
_TYPES = sorted(RESTORED | PASSED_OVER | {
    "FUNCTION", "PROCEDURE", "AGGREGATE", "VIEW", "MATERIALIZED VIEW",
    "MATERIALIZED VIEW DATA", "TRIGGER", "EVENT TRIGGER", "RULE", "POLICY", "ROW SECURITY",
    "TYPE", "DOMAIN", "CAST", "OPERATOR", "LARGE OBJECT", "BLOB", "BLOBS", "FOREIGN TABLE",
    "SERVER", "USER MAPPING", "PUBLICATION", "SUBSCRIPTION", "STATISTICS", "COLLATION",
    "CONVERSION", "LANGUAGE", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
    "INDEX ATTACH", "PROCEDURAL LANGUAGE", "ACCESS METHOD", "OPERATOR CLASS",
    "OPERATOR FAMILY", "TRANSFORM"}, key=len, reverse=True)
_ENTRY = re.compile(r"^(\d+); (\d+) (\d+) (.*)$")
_CREATE_TABLE = re.compile(r"^CREATE TABLE public\.(\S+) \($(.*?)^\);", re.S | re.M)


@dataclass(frozen=True)
class TocEntry:
    """One line of ``pg_restore --list``: the line itself, its type, schema and name."""

    line: str
    kind: str
    schema: str
    name: str


def toc_entries(path: Path) -> list[TocEntry]:
    """The archive's table of contents (raises CommandError if it is not an archive)."""
    _, env = connection_args()
    listing = run([tool("pg_restore"), "--list", str(path)], env).stdout
    entries = []
    for line in listing.splitlines():
        m = _ENTRY.match(line)
        if not m:
            continue
        rest = m.group(4)
        kind = next((t for t in _TYPES if rest.startswith(t + " ")), rest.split(" ")[0])
        words = rest[len(kind):].split()
        entries.append(TocEntry(line, kind, words[0] if words else "",
                                words[1] if len(words) > 1 else ""))
    return entries


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def archive_columns(path: Path, tables: list[TocEntry]) -> dict[str, set[tuple[str, str]]]:
    """Column names and types of the archive's tables, read from their CREATE TABLE text."""
    _, env = connection_args()
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write("\n".join(e.line for e in tables) + "\n")
        listing.flush()
        sql = run([tool("pg_restore"), "--file", "-", "--use-list", listing.name, str(path)],
                  env).stdout
    out: dict[str, set[tuple[str, str]]] = {}
    for m in _CREATE_TABLE.finditer(sql):
        cols = set()
        for raw in m.group(2).strip().splitlines():
            item = raw.strip().rstrip(",")
            if not item or item.startswith("CONSTRAINT "):
                continue
            name, _, rest = item.partition(" ")
            kind = re.split(r" (?:NOT NULL|DEFAULT|COLLATE|GENERATED|CONSTRAINT)\b", rest)[0]
            cols.add((_unquote(name), kind.replace("public.", "").strip()))
        out[_unquote(m.group(1))] = cols
    return out


def live_columns(cursor: Any) -> dict[str, set[tuple[str, str]]]:
    """Column names and types of this database's own tables (extensions' tables left out)."""
    cursor.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0
             AND NOT a.attisdropped
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                             AND d.objid = c.oid AND d.deptype = 'e')""")
    out: dict[str, set[tuple[str, str]]] = {}
    for table, column, kind in cursor.fetchall():
        out.setdefault(table, set()).add((column, kind.replace("public.", "")))
    return out


def is_rule_object(e: TocEntry) -> bool:
    """A view or function of ``geo.models.rules_sql``: recreated from code, never restored."""
    return e.schema == "public" and (e.kind, e.name.split("(")[0]) in RULE_OBJECTS


def is_queue_object(e: TocEntry) -> bool:
    """An object of the job queue (procrastinate's tables, types, functions, triggers).

    Like the rules' objects it is code of this version: recreated from procrastinate's own
    schema after a restore, never taken from the file (so a function in an archive cannot
    run). Queued jobs are not restored either: the queue starts empty.
    """
    return e.schema == "public" and "procrastinate_" in e.name


def archive_problems(entries: list[TocEntry], archived: dict[str, set[tuple[str, str]]],
                     live: dict[str, set[tuple[str, str]]]) -> list[str]:
    """Why the archive may not be restored here (empty: it may)."""
    problems = []
    for e in entries:
        if e.kind == "EXTENSION" and e.name not in KNOWN_EXTENSIONS:
            problems.append(f"extension {e.name}")
        elif e.kind == "SCHEMA" and e.name != "public":
            problems.append(f"schema {e.name}")
        elif e.kind not in RESTORED | PASSED_OVER and not is_rule_object(e) \
                and not is_queue_object(e):
            problems.append(f"{e.kind.lower()} {e.schema}.{e.name}")
        elif e.kind in RESTORED and e.schema != "public":
            problems.append(f"{e.kind.lower()} in schema {e.schema}")
    for table in sorted(set(archived) | set(live)):
        if table not in live:
            problems.append(f"table {table} is not part of this version's schema")
        elif table not in archived:
            problems.append(f"table {table} is missing from the archive")
        elif archived[table] != live[table]:
            extra = sorted(archived[table] - live[table])
            missing = sorted(live[table] - archived[table])
            problems.append(f"table {table} differs: archive has {extra or 'nothing more'}, "
                            f"lacks {missing or 'nothing'}")
    return problems


# Run first, in the restore's own transaction: everything the application role created
# in the public schema goes, so nothing outside the archive survives it.
CLEAR_SQL = """
SET lock_timeout = '60s';
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                        WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                        ELSE 'TABLE' END, n.nspname, c.relname) AS sql
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
             AND c.relowner = current_user::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                             AND d.objid = c.oid AND d.deptype = 'e')
           ORDER BY c.relkind = 'S', c.oid
  LOOP EXECUTE r.sql; END LOOP;
  FOR r IN SELECT format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::regprocedure) AS sql
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proowner = current_user::regrole
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                             AND d.objid = p.oid AND d.deptype = 'e')
  LOOP EXECUTE r.sql; END LOOP;
  -- The job queue's enum and composite types (made again from its schema below).
  FOR r IN SELECT format('DROP TYPE IF EXISTS %s CASCADE', t.oid::regtype) AS sql
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           LEFT JOIN pg_class c ON c.oid = t.typrelid
           WHERE n.nspname = 'public' AND t.typowner = current_user::regrole
             AND (t.typtype = 'e' OR (t.typtype = 'c' AND c.relkind = 'c'))
             AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                             AND d.objid = t.oid AND d.deptype = 'e')
  LOOP EXECUTE r.sql; END LOOP;
  FOR r IN SELECT format('DROP SCHEMA %I CASCADE', nspname) AS sql FROM pg_namespace
           WHERE nspowner = current_user::regrole AND nspname <> 'public'
  LOOP EXECUTE r.sql; END LOOP;
END $$;
"""


def queue_schema_sql() -> str:
    """The job queue's tables, types, functions and triggers, as procrastinate ships them."""
    from procrastinate.schema import SchemaManager

    return str(SchemaManager.get_schema())


def restore_entries(path: Path, entries: list[TocEntry]) -> None:
    """Replace the database's tables by the archive's ``entries`` in one transaction.

    pg_restore only turns the archive into SQL (it never connects); psql runs that SQL
    after :data:`CLEAR_SQL`, as the application's role, all or nothing.
    """
    conn_args, env = connection_args()
    with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
        listing.write("\n".join(e.line for e in entries) + "\n")
        listing.flush()
        dump = subprocess.Popen(
            [tool("pg_restore"), "--file", "-", "--use-list", listing.name, "--no-owner",
             "--no-acl", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        psql = subprocess.Popen(
            [tool("psql"), *conn_args, "--no-psqlrc", "--quiet", "--single-transaction",
             "--set", "ON_ERROR_STOP=1", "--file", "-"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        assert dump.stdout is not None and psql.stdin is not None
        # A broken pipe means psql stopped on an error: its message follows.
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.write(CLEAR_SQL.encode())
            shutil.copyfileobj(dump.stdout, psql.stdin)
            # The rules' view and function, from this version's code, in the same transaction;
            # the job queue's schema from the installed procrastinate, empty.
            psql.stdin.write(b"\nSET search_path = public;\n" + RULES_SQL.encode())
            psql.stdin.write(b"\n" + queue_schema_sql().encode())
        dump_err = dump.communicate()[1]
        psql_err = psql.communicate()[1]
    if dump.returncode != 0:
        raise CommandError(f"pg_restore failed (exit {dump.returncode}):\n"
                           f"{dump_err.decode(errors='replace').strip()[-2000:]}")
    if psql.returncode != 0:
        raise CommandError(f"restore failed and was rolled back; nothing changed:\n"
                           f"{psql_err.decode(errors='replace').strip()[-2000:]}")
