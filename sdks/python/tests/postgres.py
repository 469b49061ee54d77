"""A real PostgreSQL connection for the outbox tests (127.0.0.1:5432, user postgres, trust auth).

The standard library has no PostgreSQL driver, so these tests use psycopg2 (Debian's
python3-psycopg2, which `.ci/run` installs); they fail with a hint when it or the server is missing.
"""
from __future__ import annotations

import os
import secrets
import sys
from typing import Any

DEBIAN_PACKAGES = "/usr/lib/python3/dist-packages"


def psycopg2() -> Any:
    try:
        import psycopg2 as driver  # type: ignore[import-not-found]
    except ImportError:
        # Debian's package is built for the system Python 3; a second 3.x of the same minor can load it
        if os.path.isdir(DEBIAN_PACKAGES) and DEBIAN_PACKAGES not in sys.path:
            sys.path.append(DEBIAN_PACKAGES)
        try:
            import psycopg2 as driver  # type: ignore[import-not-found]
        except ImportError as e:
            raise RuntimeError("the outbox tests need psycopg2: apt-get install python3-psycopg2") from e
    return driver


def connect() -> Any:
    driver = psycopg2()
    try:
        return driver.connect(host="127.0.0.1", port=5432, user="postgres", dbname="test", connect_timeout=5)
    except driver.OperationalError as e:
        raise RuntimeError("no PostgreSQL on 127.0.0.1:5432 (start it: pg_ctlcluster --skip-systemctl-redirect "
                           "$(ls /etc/postgresql) main start)") from e


def unique_table() -> str:
    return f"herald_outbox_py_{secrets.token_hex(4)}"
