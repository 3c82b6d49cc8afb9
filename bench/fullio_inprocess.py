"""bench/http_inprocess.py on a database and queue of its own (dropped at the end), so it can
run while other benches use theirs (that bench drops and recreates one fixed database name).

    .venv/bin/python bench/fullio_inprocess.py [--full] [-n 2000] [--profile-top 25] [--only feed]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_inprocess  # noqa: E402
import http_load  # noqa: E402
from benchlib import MYSQL_SERVER, fresh_database  # noqa: E402

from adapters.mysql.engine import make_engine  # noqa: E402

OWN = f"fullio_{os.getpid()}"
DATABASE = f"chirp_test_bench_{OWN}"


def environment(full: bool, data_dir: str) -> dict[str, str]:
    env = http_load.chirp_env(full, data_dir)
    if full:
        env.update(
            CHIRP_MYSQL_URL=fresh_database(DATABASE),
            CHIRP_REDIS_URL=http_inprocess.FULL_REDIS_DB,
            CHIRP_QUEUE_NAME=f"chirp-bench-{OWN}",
        )
    return env


def drop_database() -> None:
    admin = make_engine(f"{MYSQL_SERVER}/chirp_test_contract")
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE}"))
    admin.dispose()


if __name__ == "__main__":
    http_inprocess.environment = environment
    try:
        http_inprocess.main()
    finally:
        if "--full" in sys.argv:
            drop_database()
