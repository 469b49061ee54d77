"""Insert events into Herald's PostgreSQL outbox inside your own database transaction.

The row becomes visible to Herald's outbox reader only when your transaction commits, so an event
is published if and only if the write it belongs to happened. Herald publishes each row once
(idempotency key ``outbox:<id>`` unless the row has its own) and deletes it; the table and its
NOTIFY trigger come from ``herald outbox-ddl``.
"""
from __future__ import annotations

import json
import re
import sys
from typing import Any, Optional

DEFAULT_TABLE = "herald_outbox"
# Herald's rule for outbox table names (lower case, at most 55 characters, so that the names made
# from it fit PostgreSQL's 63), optionally schema-qualified: written into the statement, not bound.
_TABLE = re.compile(r"^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,54}$")
_MAX_KEY = 256  # the server's idempotency_key limit (characters)
_PLACEHOLDERS = {
    "format": ("%s", "%s", "%s", "%s"),
    "pyformat": ("%s", "%s", "%s", "%s"),
    "qmark": ("?", "?", "?", "?"),
    "numeric": (":1", ":2", ":3", ":4"),
    "named": (":channel", ":type", ":data", ":key"),
}


def insert_outbox(connection: Any, channel: str, type: str, data: Any,
                  idempotency_key: Optional[str] = None, *, table: str = DEFAULT_TABLE,
                  paramstyle: Optional[str] = None) -> int:
    """Inserts one event into the outbox table through ``connection`` (any DB-API 2.0 connection
    to PostgreSQL, e.g. psycopg2, psycopg or pg8000) and returns the row's ``id``.

    Nothing is committed: the row belongs to the caller's transaction, and a rollback removes it.
    ``data`` is any JSON value; ``idempotency_key`` (1-256 characters) replaces ``outbox:<id>`` as
    the key Herald publishes the row under. ``paramstyle`` defaults to the driver module's own.
    Raises ``ValueError`` for a bad table name, channel, type, key or data that is not JSON.
    """
    if not isinstance(table, str) or not _TABLE.match(table):
        raise ValueError(f"table must be a lower-case SQL identifier of at most 55 characters"
                         f" (optionally schema.name), got {table!r}")
    if not isinstance(channel, str) or not channel:
        raise ValueError("channel must be a non-empty string")
    if not isinstance(type, str) or not type:
        raise ValueError("type must be a non-empty string")
    if idempotency_key is not None and (not isinstance(idempotency_key, str)
                                        or not 1 <= len(idempotency_key) <= _MAX_KEY):
        raise ValueError(f"idempotency_key must be a string of 1-{_MAX_KEY} characters")
    try:
        body = json.dumps(data, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as e:
        raise ValueError(f"data must be JSON-serializable: {e}") from e

    style = paramstyle or _driver_paramstyle(connection)
    if style not in _PLACEHOLDERS:
        raise ValueError(f"unsupported paramstyle {style!r}")
    p = _PLACEHOLDERS[style]
    sql = (f"INSERT INTO {table} (channel, type, data, idempotency_key) "
           f"VALUES ({p[0]}, {p[1]}, CAST({p[2]} AS jsonb), {p[3]}) RETURNING id")
    values: Any = ({"channel": channel, "type": type, "data": body, "key": idempotency_key}
                   if style == "named" else (channel, type, body, idempotency_key))
    cursor = connection.cursor()
    try:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        raise RuntimeError(f"INSERT INTO {table} returned no id")
    return int(row[0])


def _driver_paramstyle(connection: Any) -> str:
    """The DB-API ``paramstyle`` of the module the connection's class comes from; ``format`` when
    it does not say (psycopg2, psycopg and pg8000 all accept ``%s``)."""
    root = type(connection).__module__.split(".")[0]
    module = sys.modules.get(root)
    return getattr(module, "paramstyle", "format")
