"""What the benchmark scripts share: the database they create and `psql` against it."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlsplit, urlunsplit


def database_url(name: str) -> str:
    """`DATABASE_URL` (or the local default) pointing at database `name`."""
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(base._replace(path=f"/{name}"))


def psql(sql: str, db: str = "postgres") -> str:
    """Runs `sql` in database `db`, stopping at the first error; answers its output."""
    out = subprocess.run(
        ["psql", database_url(db), "-v", "ON_ERROR_STOP=1", "-qAtc", sql],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )
    return out.stdout.strip()
