"""PostGIS tables as layers: `source: "postgresql://user@host:port/dbname"`, `layer: schema.table`.

The database only selects: `geom && box` on the table's GiST index returns the features near the
case's parcels (WKB in the table's SRID), and they are measured by the same Python code as a
GeoPackage's — so a table and a file with the same features give the same facts to the square
metre. (bench/geo_city.py times the alternative, ST_Intersection in the database: slower for a
case's few hundred features, and GEOS versions of server and client would then decide last-digit
areas.) Needs psycopg 3: `pip install 'landapproval[postgis]'`.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import numpy as np
import shapely

from landapproval.core.errors import Text
from landapproval.geo.sources.base import LayerSpec, _box_in, _check_columns, _source_crs, finish

_INSTALL = Text("读取 PostGIS 图层需要安装 psycopg 3：pip install 'landapproval[postgis]'",
                "PostGIS layers need psycopg 3: pip install 'landapproval[postgis]'")
#: one connection per database URL, shared by the layers of a process (a layers file usually
#: names the same database for all of them)
_CONNECTIONS: dict[str, object] = {}


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
        self._psycopg = psycopg
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

    def _connect(self):
        try:
            return self._psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        except self._psycopg.Error as exc:
            detail = _detail(exc)
            raise self.spec.error(Text(f"无法连接 {redact(self.url)}（{detail}）：请检查地址、端口、用户名，以及数据库是否在运行",
                                       f"cannot connect to {redact(self.url)}: {str(exc).strip()}")) from None

    def _query(self, query, params=(), binary=False):
        """Rows of a query; one reconnect if the server dropped an idle connection."""
        for attempt in (1, 2):
            conn = _CONNECTIONS.get(self.url)
            if conn is None or conn.closed:
                conn = _CONNECTIONS[self.url] = self._connect()
            try:
                return conn.execute(query, params, binary=binary).fetchall()
            except self._psycopg.OperationalError as exc:
                _CONNECTIONS.pop(self.url, None)
                if attempt == 2:
                    raise self.spec.error(Text(f"{redact(self.url)}：与数据库的连接中断（{_detail(exc)}）",
                                               f"{redact(self.url)}: {str(exc).strip()}")) from None
            except self._psycopg.Error as exc:
                raise self.spec.error(Text(f"{redact(self.url)} {self.schema}.{self.table}：查询出错（{_detail(exc)}）",
                                           f"{redact(self.url)} {self.schema}.{self.table}: {str(exc).strip()}")) from None

    def feature_count(self) -> int:
        """The planner's estimate (never a full count); -1 when the table was never analysed."""
        row = self._query("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                          [f'"{self.schema}"."{self.table}"'])
        return int(row[0][0]) if row else -1

    def total_bounds(self):
        sql = self._psycopg.sql
        row = self._query(sql.SQL("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                                  "(SELECT ST_EstimatedExtent(%s, %s, %s) AS e) x"),
                          [self.schema, self.table, self.geom_col])
        return None if not row or row[0][0] is None else tuple(float(v) for v in row[0])

    def read(self, box) -> tuple[np.ndarray, object]:

        if box is None:
            rows = self._query(self._select, binary=True)
        else:
            rows = self._query(self._select + self._where_box, [*_box_in(box, self.crs), self.srid], binary=True)
        fids = np.array([r[0] for r in rows], dtype=object)
        geoms = shapely.from_wkb([bytes(r[1]) for r in rows]) if rows else np.empty(0, dtype=object)
        columns = {c: np.array([r[2 + i] for r in rows], dtype=object)
                   for i, c in enumerate(dict.fromkeys(self.spec.attr_cols.values()))}
        return finish(self.spec, self.crs, fids, geoms, columns)


def write_table(url: str, table: str, geoms, columns: dict[str, np.ndarray], srid: int) -> int:
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
