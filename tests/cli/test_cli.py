"""The operator's CLI on the embedded profile, driven as a shell would."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from entrypoints.cli.main import cli


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"CHIRP_PROFILE": "embedded", "CHIRP_DATA_DIR": str(tmp_path)}

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


def test_an_admin_made_at_the_console_is_listed_as_admin(run) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "users",
        "create-admin",
        "--username",
        "Admin_01",
        "--email",
        "admin@example.com",
        "--password",
        "secret1",
    )
    assert made.exit_code == 0 and "created admin admin_01" in made.output
    listed = run("users", "list")
    assert "admin_01\tadmin@example.com\tadmin" in listed.output


def test_bad_input_and_unknown_users_fail_with_a_one_line_reason(run) -> None:  # type: ignore[no-untyped-def]
    bad = run(
        "users",
        "create-admin",
        "--username",
        "x",
        "--email",
        "admin@example.com",
        "--password",
        "secret1",
    )
    assert bad.exit_code == 1 and "username" in bad.output
    missing = run("users", "deactivate", "ghost_001")
    assert missing.exit_code == 1 and "no user named ghost_001" in missing.output


def test_deactivated_users_are_marked_inactive(run) -> None:  # type: ignore[no-untyped-def]
    run(
        "users",
        "create-admin",
        "--username",
        "admin_01",
        "--email",
        "a@example.com",
        "--password",
        "secret1",
    )
    assert run("users", "deactivate", "ADMIN_01").exit_code == 0
    assert "inactive" in run("users", "list").output


def test_gates_set_from_the_console_persist_for_the_next_command(run) -> None:  # type: ignore[no-untyped-def]
    assert run("gates", "set", "hbase_feeds", "--percent", "10", "--allow", "1,2").exit_code == 0
    run("gates", "set", "hbase_feeds", "--percent", "0")
    assert run("gates", "list").output.strip() == "hbase_feeds\t0%\tallow=[1, 2]\tdeny=[]"
    assert run("gates", "set", "g", "--percent", "101").exit_code == 2
    assert run("gates", "set", "g", "--percent", "5", "--deny", "x,y").exit_code == 2


def test_seed_makes_users_follows_and_tweets(run) -> None:  # type: ignore[no-untyped-def]
    seeded = run("seed", "--users", "4", "--tweets", "2", "--follows", "2")
    assert "seeded 4 users, 8 tweets" in seeded.output
    assert len(run("users", "list").output.strip().splitlines()) == 4


def test_db_upgrade_on_the_embedded_profile_creates_the_sqlite_schema(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "sqlite schema ready" in run("db", "upgrade").output
    assert (tmp_path / "chirp.sqlite3").exists()


def test_a_secret_key_is_generated_once_into_the_data_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from settings import Settings, secret_key_for

    settings = Settings(data_dir=tmp_path / "data")
    first = secret_key_for(settings)
    assert len(first) >= 32 and secret_key_for(settings) == first
    assert oct((tmp_path / "data" / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert secret_key_for(Settings(data_dir=tmp_path, secret_key="given")) == "given"
