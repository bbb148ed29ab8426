"""The location tree in SQL: which zone a place lies in, read from its materialised path.

A zone (or a quarantine area) is always a depot's child, so the zone of any place below it is the
second id of its path ('/depot/zone/rack/...'). Reading it from the path is one string operation
per row, where matching every place's path against every zone's path is one per row and zone.
"""

from __future__ import annotations

from sqlalchemy import Integer, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType


class zone_id_of(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """SQL for the id of the depot's child a path runs through (0 or NULL for a depot itself).

    Its argument must be a column: it appears more than once in the SQL it compiles to.
    """

    type = Integer()
    inherit_cache = True


@compiles(zone_id_of, "sqlite")
def _zone_id_of_sqlite(element, compiler, **kw):
    (path,) = (compiler.process(arg, **kw) for arg in element.clauses)
    # '/1/2/45/' without its leading '/' and the depot's id is '2/45/'; the zone's id ends at '/'.
    rest = f"substr(substr({path}, 2), instr(substr({path}, 2), '/') + 1)"
    return f"CAST(substr({rest}, 1, instr({rest}, '/') - 1) AS INTEGER)"


@compiles(zone_id_of, "postgresql")
def _zone_id_of_postgresql(element, compiler, **kw):
    (path,) = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(NULLIF(split_part({path}, '/', 3), '') AS INTEGER)"


class path_under(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """SQL: a path lies under a place (the place's path is its prefix), where an index can serve it.

    `LIKE prefix%` is a scan of every row on SQLite; a range on the path index is not. Paths hold
    only digits and slashes, so every path starting '/1/5/' sorts from it to '/1/50' (bytewise).
    Arguments: the path column, the prefix, and the prefix's end (`prefix_end`).
    """

    type = NullType()  # a condition; Boolean would make SQLite compare it with 1 and skip the index
    inherit_cache = True


def prefix_end(prefix: str) -> str:
    """Return the first string after every one starting with a path prefix ('/1/5/' -> '/1/50')."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


@compiles(path_under, "sqlite")
def _path_under_sqlite(element, compiler, **kw):
    path, start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"({path} >= {start} AND {path} < {end})"


@compiles(path_under, "postgresql")
def _path_under_postgresql(element, compiler, **kw):
    # Comparisons would follow the database's collation; starts_with is bytewise.
    path, start, _end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"starts_with({path}, {start})"


def lies_under(path, prefix: str):
    """SQL: `path` (a column) lies at or under the place whose path is `prefix` ('/1/5/')."""
    return path_under(path, literal(prefix), literal(prefix_end(prefix)))
