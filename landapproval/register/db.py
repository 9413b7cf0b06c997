"""Opening a register: `--db PATH|postgresql://…` (or LANDAPPROVAL_DB) to a SQLAlchemy engine whose
schema is at this code's revision — created when new, migrated when old (Alembic), refused when newer.

SQLite writers take the database lock at BEGIN (BEGIN IMMEDIATE, WAL, a busy timeout), so two
writers queue instead of failing or losing a row; PostgreSQL writers serialise per case with a
transaction-scoped advisory lock.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from typing import Literal

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry

from landapproval.core.errors import InputError, Text
from landapproval.register.schema import HEAD

MIGRATIONS = Path(__file__).parent / "migrations"
ENV = "LANDAPPROVAL_DB"
DEFAULT_FILE = "landapproval-register.sqlite"
_MIGRATION_LOCK = 20_2024_7  # the advisory lock key under which PostgreSQL registers are migrated


def resolve_url(db: str | os.PathLike[str] | None) -> str:
    """`--db`, else $LANDAPPROVAL_DB, else ./landapproval-register.sqlite, as a SQLAlchemy URL."""
    value = str(db) if db else os.environ.get(ENV) or DEFAULT_FILE
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if value.startswith(("postgresql+psycopg://", "sqlite://")):
        return value
    if "://" in value:
        raise InputError("--db", [("", Text(f"不支持的登记库地址：{value}；应为 SQLite 文件路径或 postgresql://…",
                                             f"unsupported register address {value}: a SQLite file path or postgresql://…"))])
    path = Path(value).expanduser().resolve()
    if not path.parent.is_dir():
        raise InputError(value, [("", Text(f"登记库所在文件夹不存在：{path.parent}",
                                           f"the register's folder does not exist: {path.parent}"))])
    return f"sqlite:///{path}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
            dbapi_connection.isolation_level = None  # transactions are ours (BEGIN IMMEDIATE below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=60000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8)


_migrated: set[str] = set()
_migrated_lock = threading.Lock()


def ensure_schema(engine: Engine) -> str | None:
    """Bring the register to HEAD; returns the revision it was migrated from (None: nothing done)."""
    key = str(engine.url)
    if key in _migrated:
        return None
    with _migrated_lock:
        with write(engine) as conn:
            if not is_sqlite(engine):
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            current = _current_revision(conn)
            if current == HEAD:
                _migrated.add(key)
                return None
            if current is not None and current not in _known_revisions():
                raise InputError(_where(engine), [("", Text(
                    f"登记库的结构版本 {current} 比本程序（{HEAD}）新：请升级 landapproval 后再用，不会按旧结构读取",
                    f"the register's schema revision {current} is newer than this landapproval's ({HEAD}): "
                    "upgrade landapproval; it is never read as an older schema"))])
            if current is None and inspect(conn).has_table("cases"):
                raise InputError(_where(engine), [("", Text(
                    "该数据库已有 cases 表但没有登记库结构版本：不是本程序建立的登记库",
                    "the database has a `cases` table but no register schema revision: not a landapproval register"))])
            upgrade(conn, HEAD)
        _migrated.add(key)
        return current or "empty"


def upgrade(conn: Connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    command.upgrade(config, revision)


def _current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


class write:
    """`with write(engine) as conn:` one write transaction (SQLite: BEGIN IMMEDIATE)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect()
        self.conn.info["write"] = True
        self.tx = self.conn.begin()
        return self.conn

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        try:
            if kind is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.info.pop("write", None)
            self.conn.close()
        return False
