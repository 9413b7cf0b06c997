"""PostGIS tables as layers: `source: "postgresql://user@host:port/dbname"`, `layer: schema.table`.

The database only selects: `geom && box` on the table's GiST index returns the features near the
case's parcels (WKB in the table's SRID), and they are measured by the same Python code as a
GeoPackage's — so a table and a file with the same features give the same facts to the square
metre. (bench/geo_city.py times the alternative, ST_Intersection in the database: slower for a
case's few hundred features, and GEOS versions of server and client would then decide last-digit
areas.) Needs psycopg 3: `pip install 'landapproval[postgis]'`.

The database is a dependency that can fail (issue 18 item 4): every connection has a connect
timeout and every query a deadline (`configure`, seconds; `serve --db-connect-timeout` and
`--db-statement-timeout`). The deadline is kept on both sides — the server's `statement_timeout`
stops a slow query, and a watchdog here shuts the socket of a query whose server does not answer at
all (a stopped or unreachable backend never enforces its own timeout). A source that failed is
then *down* for `RETRY_AFTER` seconds: queries fail at once instead of each waiting out the
timeouts, and `check()` (the service's /readyz) asks it again. While the layers are opened a
failure is an InputError of the layers file (exit 2, as before); once open, a failure while reading
is an `UnavailableError` naming the layer — never the URL — so the service answers 503 with
Retry-After and the command line exits 4.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import shapely

from landapproval.core.errors import Text, UnavailableError
from landapproval.geo.sources.base import (LAYER_NAMES_ZH, Box, Layer, LayerSpec, _box_in, _check_columns, _source_crs,
                                           finish)

if TYPE_CHECKING:  # psycopg is optional (the postgis extra) and imported where it is used
    from psycopg import Connection
    from psycopg.abc import QueryNoTemplate as Query

    _Conn = Connection[tuple[Any, ...]]

log = logging.getLogger("landapproval.geo.postgis")

_INSTALL = Text("读取 PostGIS 图层需要安装 psycopg 3：pip install 'landapproval[postgis]'",
                "PostGIS layers need psycopg 3: pip install 'landapproval[postgis]'")
#: one connection per database URL, shared by the layers of a process (a layers file usually
#: names the same database for all of them)
_CONNECTIONS: dict[str, _Conn] = {}
_LOCK = threading.Lock()
#: seconds a failed source is answered as down without being asked (then asked again)
RETRY_AFTER = 5


@dataclass
class Timeouts:
    connect: float = 5.0      # seconds to connect (TCP and the server's start-up reply)
    statement: float = 10.0   # seconds for one query, kept by the server and by a watchdog here


TIMEOUTS = Timeouts()
#: url -> (monotonic time until which it is down, what failed): the breaker
_DOWN: dict[str, tuple[float, str]] = {}


def configure(connect: float | None = None, statement: float | None = None) -> Timeouts:
    """Set the process's database timeouts (seconds); open connections are made again with them."""
    if connect is not None:
        TIMEOUTS.connect = float(connect)
    if statement is not None:
        TIMEOUTS.statement = float(statement)
    with _LOCK:
        for conn in _CONNECTIONS.values():
            _close_quietly(conn)
        _CONNECTIONS.clear()
    return TIMEOUTS


def _close_quietly(conn: _Conn) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - a connection already broken
        pass


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _detail(exc: Exception) -> str:
    """The driver's message on one line (psycopg's may span several)."""
    return " ".join(str(exc).split())


def split_table(name: str) -> tuple[str, str]:
    schema, dot, table = name.partition(".")
    return (schema, table) if dot else ("public", name)


class PostgisReader:
    """One table's geometry column, read by box (GiST) or whole."""

    def __init__(self, spec: LayerSpec):
        try:
            import psycopg
        except ImportError:
            raise spec.error(_INSTALL) from None
        self._psycopg: ModuleType = psycopg
        self.url = spec.source
        if not spec.layer:
            raise spec.error(Text("PostGIS 图层需写 layer: 模式.表名，例如 layer: public.pbf",
                                  "a PostGIS source needs `layer: schema.table`"), f"{spec.where}.layer")
        self.schema, self.table = split_table(spec.layer)
        # messages and findings name the table, never the password
        self.spec = spec = LayerSpec(spec.key, f"{redact(spec.source)} {spec.layer}", spec.layer,
                                     spec.attr_cols, spec.where, spec.yaml_source, crs=spec.crs)
        self.source = spec.source
        row = self._query(
            "SELECT f_geometry_column, srid FROM geometry_columns WHERE f_table_schema = %s AND "
            "f_table_name = %s ORDER BY f_geometry_column", [self.schema, self.table])
        if not row:
            raise spec.error(Text(f"{redact(self.url)} 中没有带几何列的表 {self.schema}.{self.table}"
                                  "（geometry_columns 中没有）：请检查 layer: 的模式名和表名，例如 layer: public.pbf",
                                  f"{redact(self.url)} has no table {self.schema}.{self.table} with a geometry "
                                  "column (geometry_columns lists none)"), f"{spec.where}.layer")
        self.geom_col, srid = row[0]
        fields = [r[0] for r in self._query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND "
            "table_name = %s ORDER BY ordinal_position", [self.schema, self.table])]

        _check_columns(spec, fields)
        self.srid = int(srid or 0)
        self.crs = _source_crs(spec, f"EPSG:{self.srid}" if self.srid else None)
        if not self.srid:  # geometry without a typmod SRID: the layers file's crs: says which
            import pyproj

            self.srid = pyproj.CRS.from_user_input(self.crs).to_epsg() or 0
        sql = self._psycopg.sql
        self._table_sql = sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(self.table))
        self._select = sql.SQL("SELECT ctid::text, ST_AsBinary({g}){cols} FROM {t}").format(
            g=sql.Identifier(self.geom_col), t=self._table_sql,
            cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c))
                                  for c in dict.fromkeys(spec.attr_cols.values())))
        self._where_box = sql.SQL(" WHERE {g} && ST_MakeEnvelope(%s, %s, %s, %s, %s)").format(
            g=sql.Identifier(self.geom_col))

    def _connect(self) -> _Conn:
        try:
            return connect(self._psycopg, self.url)
        except self._psycopg.Error as exc:
            detail = _detail(exc)
            raise self.spec.error(Text(f"无法连接 {redact(self.url)}（{detail}）：请检查地址、端口、用户名，以及数据库是否在运行",
                                       f"cannot connect to {redact(self.url)}: {str(exc).strip()}")) from None

    def _query(self, query: Query, params: Sequence[Any] = (), binary: bool = False) -> list[tuple[Any, ...]]:
        """Rows of a query while the layers are opened; one reconnect if the server dropped an
        idle connection. A failure here is the layers file's (InputError)."""
        for attempt in (1, 2):
            try:
                conn = self._connection()
                return _execute(conn, query, params, binary)
            except self._psycopg.OperationalError as exc:
                self._drop()
                if attempt == 2:
                    raise self.spec.error(Text(f"{redact(self.url)}：与数据库的连接中断（{_detail(exc)}）",
                                               f"{redact(self.url)}: {str(exc).strip()}")) from None
            except self._psycopg.Error as exc:
                raise self.spec.error(Text(f"{redact(self.url)} {self.schema}.{self.table}：查询出错（{_detail(exc)}）",
                                           f"{redact(self.url)} {self.schema}.{self.table}: {str(exc).strip()}")) from None
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _connection(self) -> _Conn:
        with _LOCK:
            conn = _CONNECTIONS.get(self.url)
        if conn is None or conn.closed:
            conn = self._connect()
            with _LOCK:
                _CONNECTIONS[self.url] = conn
        return conn

    def _drop(self) -> None:
        with _LOCK:
            conn = _CONNECTIONS.pop(self.url, None)
        if conn is not None:
            _close_quietly(conn)

    def _serve_query(self, query: Query, params: Sequence[Any] = (),
                     binary: bool = False) -> list[tuple[Any, ...]]:
        """Rows of a query once the layers are open (a case being measured): a source that is down,
        slow or failing raises `UnavailableError` naming the layer; one reconnect for a connection
        the server dropped while idle."""
        down = _DOWN.get(self.url)
        if down is not None and down[0] > time.monotonic():
            raise self._unavailable(down[1], "down", f"{redact(self.url)} marked down: {down[1]}")
        psycopg = self._psycopg
        for attempt in (1, 2):
            started = time.monotonic()
            try:
                conn = self._connection()
            except UnavailableError:
                raise
            except Exception as exc:  # noqa: BLE001 - InputError from _connect, or the driver's own
                self._drop()
                kind = "timeout" if time.monotonic() - started >= TIMEOUTS.connect - 0.5 else "connect"
                raise self._failed(kind, _detail(exc)) from None
            try:
                return _execute(conn, query, params, binary)
            except _Deadline:
                self._drop()
                raise self._failed("timeout", f"no answer within {TIMEOUTS.statement:g} s") from None
            except psycopg.errors.QueryCanceled as exc:      # the server's statement_timeout
                raise self._failed("timeout", _detail(exc)) from None
            except psycopg.OperationalError as exc:
                self._drop()
                if attempt == 2:
                    raise self._failed("lost", _detail(exc)) from None
            except psycopg.Error as exc:
                raise self._failed("query", _detail(exc)) from None
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _failed(self, kind: str, detail: str) -> UnavailableError:
        """Mark the source down (RETRY_AFTER seconds) and say which layer cannot be read."""
        _DOWN[self.url] = (time.monotonic() + RETRY_AFTER, kind)
        return self._unavailable(kind, kind, f"{redact(self.url)} {self.schema}.{self.table}: {detail}")

    def _unavailable(self, kind: str, state: str, detail: str) -> UnavailableError:
        key = self.spec.key
        zh_kind, en_kind = _KINDS.get(kind, _KINDS["connect"])
        text = Text(f"图层 {key}（{LAYER_NAMES_ZH.get(key, key)}）的数据源暂不可用（{zh_kind}），"
                    f"请 {RETRY_AFTER} 秒后重试；这不是案件的问题",
                    f"the source of layer {key} is unavailable ({en_kind}); retry in {RETRY_AFTER} s — "
                    "nothing is wrong with the case")
        return UnavailableError(text, f"layers.{key}", retry_after=RETRY_AFTER, detail=f"[{state}] {detail}")

    def feature_count(self) -> int:
        """The planner's estimate (never a full count); -1 when the table was never analysed."""
        row = self._query("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                          [f'"{self.schema}"."{self.table}"'])
        return int(row[0][0]) if row else -1

    def total_bounds(self) -> tuple[float, ...] | None:
        sql = self._psycopg.sql
        row = self._query(sql.SQL("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                                  "(SELECT ST_EstimatedExtent(%s, %s, %s) AS e) x"),
                          [self.schema, self.table, self.geom_col])
        return None if not row or row[0][0] is None else tuple(float(v) for v in row[0])

    def read(self, box: Box | None) -> tuple[np.ndarray, Layer]:
        if box is None:
            rows = self._query(self._select, binary=True)
        else:
            rows = self._serve_query(self._select + self._where_box, [*_box_in(box, self.crs), self.srid], binary=True)
        fids = np.array([r[0] for r in rows], dtype=object)
        geoms = shapely.from_wkb([bytes(r[1]) for r in rows]) if rows else np.empty(0, dtype=object)
        columns = {c: np.array([r[2 + i] for r in rows], dtype=object)
                   for i, c in enumerate(dict.fromkeys(self.spec.attr_cols.values()))}
        return finish(self.spec, self.crs, fids, geoms, columns)


_KINDS = {"connect": ("无法连接数据库", "cannot connect to its database"),
          "timeout": ("数据库在时限内没有应答", "its database did not answer in time"),
          "lost": ("与数据库的连接中断", "the connection to its database was lost"),
          "query": ("数据库查询出错", "its database refused the query"),
          "down": ("数据库刚才不可用", "its database was unavailable moments ago")}


class _Deadline(Exception):
    """A query whose server did not answer within the statement timeout (the watchdog fired)."""


def connect(psycopg: ModuleType, url: str) -> _Conn:
    """A connection with the process's timeouts: libpq's connect_timeout (whole seconds, at least
    2) and the server-side statement_timeout (milliseconds)."""
    conn: _Conn = psycopg.connect(url, autocommit=True, connect_timeout=max(2, math.ceil(TIMEOUTS.connect)),
                                  options=f"-c statement_timeout={max(1, int(TIMEOUTS.statement * 1000))}")
    return conn


def _execute(conn: _Conn, query: Query, params: Sequence[Any], binary: bool) -> list[tuple[Any, ...]]:
    """Rows of `query` on `conn`, or `_Deadline` when the server did not answer within the
    statement timeout (plus a second's grace for its own timeout to come first): the watchdog shuts
    the connection's socket, which ends the blocked read at once."""
    fired = threading.Event()

    def expire() -> None:
        fired.set()
        try:
            fd = conn.pgconn.socket
            shut = socket.socket(fileno=os.dup(fd))
            try:
                shut.shutdown(socket.SHUT_RDWR)
            finally:
                shut.close()
        except Exception:  # noqa: BLE001 - the connection is already gone
            pass

    watchdog = threading.Timer(TIMEOUTS.statement + 1.0, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        return conn.execute(query, params, binary=binary).fetchall()
    except Exception:
        if fired.is_set():
            raise _Deadline() from None
        raise
    finally:
        watchdog.cancel()


def is_down(url: str) -> bool:
    """Whether a request found `url` failing less than RETRY_AFTER seconds ago."""
    down = _DOWN.get(url)
    return down is not None and down[0] > time.monotonic()


def check(urls: Iterable[str]) -> dict[str, str | None]:
    """Each database URL asked `SELECT 1` on a fresh connection within the timeouts: None where it
    answered (and its down mark is lifted), else what failed (for /readyz; never the URL itself)."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover - no PostGIS source was opened then
        return {}
    out: dict[str, str | None] = {}
    for url in urls:
        started = time.monotonic()
        try:
            with connect(psycopg, url) as conn:
                _execute(conn, "SELECT 1", (), False)
        except _Deadline:
            failed = "timeout"
        except Exception as exc:  # noqa: BLE001 - any failure is "down"
            slow = time.monotonic() - started >= TIMEOUTS.connect - 0.5
            failed = "timeout" if slow else "connect"
            log.debug("layer source check failed: %s: %s", redact(url), _detail(exc))
        else:
            out[url] = None
            _DOWN.pop(url, None)
            continue
        out[url] = failed
        _DOWN[url] = (time.monotonic() + RETRY_AFTER, failed)
    return out


def write_table(url: str, table: str, geoms: Any, columns: dict[str, np.ndarray], srid: int) -> int:
    """Create (or replace) `schema.table` with text columns and a GiST-indexed geometry column
    holding `geoms` (in `srid`), loaded with COPY; returns the row count. For tests, benchmarks
    and loading a layer into a database without ogr2ogr."""
    import psycopg
    from psycopg import sql

    schema, name = split_table(table)
    ident = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))
    cols = list(columns)
    geoms = shapely.set_srid(np.asarray(geoms, dtype=object), srid)
    hexes = shapely.to_wkb(geoms, hex=True, include_srid=True)
    values = [np.asarray(v, dtype=object) for v in columns.values()]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ident))
        conn.execute(sql.SQL("CREATE TABLE {} (id serial PRIMARY KEY{cols}, geom geometry(Geometry, {srid}))").format(
            ident, cols=sql.SQL("").join(sql.SQL(", {} text").format(sql.Identifier(c)) for c in cols),
            srid=sql.Literal(srid)))
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
            ident, sql.SQL(", ").join(sql.Identifier(c) for c in [*cols, "geom"]))
        with conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for row in zip(*[v.tolist() for v in values], hexes.tolist()):
                copy.write_row([None if v is None else str(v) for v in row])
        conn.execute(sql.SQL("CREATE INDEX ON {} USING GIST (geom)").format(ident))
        conn.execute(sql.SQL("ANALYZE {}").format(ident))
    return len(hexes)
