"""Restoring a PostgreSQL backup (a ``pg_dump --format=custom`` file) into an EMPTY database,
checked as an SQLite restore is (issue #17 items 2 and 6).

Only an empty database is restored into: a restore never merges with, nor replaces, records
already on a server (to replace a database, make a new one with ``createdb`` and point the
workstations at it once it is restored). ``pg_restore`` runs in one transaction and stops at the
first error, so a damaged or partial file leaves the database empty. What it restored is then
checked: a schema revision this app knows; exactly the tables, indexes, triggers, views, rules,
functions, sequences, types, extensions and schemas the app's migrations make at that revision on
PostgreSQL (an extra trigger is refused by name: it could change what is stored); an intact audit
trail; at least one active administrator. A refused restore is dropped again, so the database is
left empty as it was, and the message says so. Each refusal is one line.

The password never reaches ``pg_restore``'s arguments (core.pg.tool_command).
"""

from __future__ import annotations

import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from clinic_desktop.core import db as dbmod
from clinic_desktop.core import pg
from clinic_desktop.core.errors import DatabaseProblem
from clinic_desktop.core.services import audit

#: Schemas that are the server's own, never a restore's.
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
_SCRATCH_PREFIX = "clinic_expected_"

_RELATION_KINDS = {"r": "table", "p": "table", "f": "foreign table", "v": "view", "m": "materialized view",
                   "i": "index", "I": "index", "S": "sequence", "c": "type"}


@dataclass(frozen=True)
class Restored:
    """What a restore put in place: the schema revision and the audit events it verified."""

    revision: str
    events: int


def _schemas_clause(column: str, *, scratch: str | None) -> str:
    """SQL: ``column`` (a schema name) is one a restore could have made (or, with ``scratch``,
    is that scratch schema)."""
    if scratch is not None:
        return f"{column} = '{scratch}'"
    return (f"{column} NOT IN {_SYSTEM_SCHEMAS} AND {column} NOT LIKE 'pg_temp_%' "
            f"AND {column} NOT LIKE 'pg_toast_temp_%' AND {column} NOT LIKE '{_SCRATCH_PREFIX}%'")


def schema_objects(conn: Connection, *, scratch: str | None = None) -> set[tuple[str, str]]:
    """(kind, name) of every object a restore (or the migrations, in ``scratch``) could have made:
    relations (tables, views, indexes, sequences), triggers, rules, functions, policies, types,
    extensions (but plpgsql, which every database has) and schemas (but public). A name outside
    public (or the scratch schema) is schema-qualified."""
    home = scratch or "public"

    def named(schema: str, name: str) -> str:
        return name if schema == home else f"{schema}.{name}"

    where = _schemas_clause("n.nspname", scratch=scratch)
    found: set[tuple[str, str]] = set()
    for schema, name, kind in conn.execute(text(
            f"SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE {where} AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'i', 'I', 'S', 'c')")):
        found.add((_RELATION_KINDS[kind], named(schema, name)))
    for schema, name, table in conn.execute(text(
            f"SELECT n.nspname, t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {where} AND NOT t.tgisinternal")):
        found.add(("trigger", f"{named(schema, name)} on {table}"))
    for schema, name, table in conn.execute(text(
            f"SELECT n.nspname, r.rulename, c.relname FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class "
            f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {where} AND r.rulename <> '_RETURN'")):
        found.add(("rule", f"{named(schema, name)} on {table}"))
    for schema, name, table in conn.execute(text(
            f"SELECT n.nspname, p.polname, c.relname FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid "
            f"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {where}")):
        found.add(("policy", f"{named(schema, name)} on {table}"))
    for schema, name in conn.execute(text(
            f"SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            f"WHERE {where}")):
        found.add(("function", named(schema, name)))
    for schema, name in conn.execute(text(
            f"SELECT n.nspname, t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            f"WHERE {where} AND t.typtype IN ('e', 'd', 'r', 'm')")):
        found.add(("type", named(schema, name)))
    if scratch is None:
        for (name,) in conn.execute(text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")):
            found.add(("extension", name))
        for (name,) in conn.execute(text(
                f"SELECT nspname FROM pg_namespace n WHERE {where} AND nspname <> 'public'")):
            found.add(("schema", name))
    return found


#: revision → its schema objects on PostgreSQL (the migrations make the same on any server).
_expected_cache: dict[str, frozenset[tuple[str, str]]] = {}


def expected_schema(url: URL, revision: str) -> frozenset[tuple[str, str]]:
    """The schema objects the app's migrations make at ``revision`` on PostgreSQL: made in a
    scratch schema of the database at ``url`` (so no CREATEDB right is needed), read, dropped."""
    if revision in _expected_cache:
        return _expected_cache[revision]
    from alembic import command

    scratch = f"{_SCRATCH_PREFIX}{secrets.token_hex(6)}"
    admin = dbmod.create_engine_for(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{scratch}"'))
        engine = create_engine(url, hide_parameters=True,
                                     connect_args={"connect_timeout": 10, "options": f"-c search_path={scratch}"})
        try:
            cfg = dbmod.alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
            with engine.connect() as conn:
                made = frozenset(schema_objects(conn, scratch=scratch))
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
        admin.dispose()
    _expected_cache[revision] = made
    return made


def empty_again(conn: Connection) -> None:
    """Drop everything a restore could have made (see :func:`schema_objects`), leaving the public
    schema itself (its owner and grants as they were)."""
    where = _schemas_clause("n.nspname", scratch=None)
    for (name,) in conn.execute(text(f"SELECT nspname FROM pg_namespace n WHERE {where} AND nspname <> 'public'")).all():
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    for (name,) in conn.execute(text("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")).all():
        conn.execute(text(f'DROP EXTENSION IF EXISTS "{name}" CASCADE'))
    relations = conn.execute(text(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')")).all()
    drop = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}
    for name, kind in relations:
        conn.execute(text(f'DROP {drop[kind]} IF EXISTS public."{name}" CASCADE'))
    for (signature,) in conn.execute(text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public'")).all():
        conn.execute(text(f"DROP ROUTINE IF EXISTS {signature} CASCADE"))
    for (name,) in conn.execute(text(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND "
            "(SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))")).all():
        conn.execute(text(f'DROP TYPE IF EXISTS public."{name}" CASCADE'))


def _describe(objects: set[tuple[str, str]], limit: int = 3) -> str:
    shown = [f"{kind} {name!r}" for kind, name in sorted(objects)[:limit]]
    more = len(objects) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def check_archive(source: Path) -> None:
    """Refuse, in one line, anything ``pg_restore`` cannot read as an archive (it reads the file's
    table of contents only; nothing connects)."""
    if not source.is_file():
        raise DatabaseProblem(f"There is no file {source}.")
    argv = [pg.tool_command("pg_restore", URL.create("postgresql"))[0][0], "--list", str(source)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise DatabaseProblem(f"{source} is not a PostgreSQL backup this pg_restore can read "
                              f"({pg.tool_error(proc.stderr)}); choose a file made by clinic-desktop backup.")


def restore(url: URL, source: Path) -> Restored:
    """Restore ``source`` into the EMPTY PostgreSQL database at ``url`` and check it; on any
    refusal what was restored is dropped again and DatabaseProblem says why, in one line."""
    source = Path(source).expanduser().resolve()
    check_archive(source)
    where = f"The PostgreSQL database {url.database}"
    engine = dbmod.create_engine_for(url)
    try:
        try:
            with engine.connect() as conn:
                already = schema_objects(conn)
        except OperationalError as exc:
            reason = " ".join(str(exc.orig).split())
            raise pg.password_problem(url, reason) or DatabaseProblem(
                f"Cannot open the database {pg.who(url)}: {reason}") from None
        if already:
            raise DatabaseProblem(f"{where} is not empty (it holds {_describe(already)}): a backup is "
                                  "restored only into a new, empty database (createdb). Nothing was changed.")
        pg.run_tool("pg_restore", url, "--exit-on-error", "--single-transaction", "--no-owner",
                    "--no-privileges", str(source), what=f"Restoring {source}")
        try:
            return _check(url, engine, source)
        except DatabaseProblem as exc:
            with engine.begin() as conn:
                empty_again(conn)
            with engine.connect() as conn:
                left = schema_objects(conn)
            after = (f"What was restored was removed; {url.database} is empty again." if not left else
                     f"Removing what was restored left {_describe(left)}: drop the database and make a new one.")
            raise DatabaseProblem(f"{exc} {after}") from None
    finally:
        engine.dispose()


def _check(url: URL, engine: Engine, source: Path) -> Restored:
    with engine.connect() as conn:
        objects = schema_objects(conn)
        tables = {name for kind, name in objects if kind == "table"}
        if not dbmod.OUR_TABLES <= tables or "alembic_version" not in tables:
            raise DatabaseProblem(f"{source} is not a Clinic Desktop database.")
        revisions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        admins = conn.execute(text("SELECT count(*) FROM users WHERE role = 'admin' AND active")).scalar_one()
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(dbmod.alembic_config()).walk_revisions()}
    if len(revisions) != 1 or revisions[0] not in known:
        raise DatabaseProblem(f"{source} was written by a newer Clinic Desktop; install it to restore this file.")
    revision = revisions[0]
    expected = expected_schema(url, revision)
    extra, missing = sorted(objects - expected), sorted(expected - objects)
    if extra or missing:
        what = [f"an extra {kind} {name!r}" for kind, name in extra] + [f"no {kind} {name!r}" for kind, name in missing]
        raise DatabaseProblem(f"{source} is not as Clinic Desktop made it: it has {', '.join(what)}; "
                              "choose another backup.")
    report = audit.verify_chain(dbmod._database(url, engine, None))
    if not report.intact:
        raise DatabaseProblem(f"{source} has a broken audit trail ({report.problem}); choose another backup.")
    if not admins:
        raise DatabaseProblem(f"{source} has no active administrator (an empty or hollow copy); "
                              "choose another backup.")
    return Restored(revision, report.count)
