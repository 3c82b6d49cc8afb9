"""The operator's CLI on the embedded profile, driven as a shell would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from container import Container, build_container
from entrypoints.cli.main import cli
from settings import Settings


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {"CHIRP_PROFILE": "embedded", "CHIRP_DATA_DIR": str(tmp_path), "CHIRP_SCRYPT_N": "1024"}

    def invoke(*args: str, stdin: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=stdin, env=env, catch_exceptions=False)

    return invoke


def test_an_admin_made_at_the_console_is_listed_as_admin(run) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "users",
        "create-admin",
        "--username",
        "Admin_01",
        "--email",
        "admin@example.com",
        "--password-stdin",
        stdin="secret1\n",
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
        "--password-stdin",
        stdin="secret1\n",
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
        "--password-stdin",
        stdin="secret1\n",
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


def test_serve_refuses_the_memory_profile_with_a_reason(tmp_path: Path) -> None:
    env = {"CHIRP_PROFILE": "memory", "CHIRP_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["serve"], env=env)
    assert result.exit_code == 1
    assert "memory profile" in result.output and "CHIRP_PROFILE=embedded" in result.output


@contextmanager
def same_data(tmp_path: Path) -> Iterator[Container]:
    """A container on the data folder the `run` fixture's commands use."""
    container = build_container(Settings(data_dir=tmp_path, scrypt_n=1024))
    try:
        yield container
    finally:
        container.shutdown_resources()


def test_create_admin_asks_for_the_password_twice_without_echoing_it(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "users", "create-admin", "--username", "admin_01", "--email", "a@example.com",
        stdin="hunter2-secret\nhunter2-secret\n",
    )  # fmt: skip
    assert made.exit_code == 0 and "created admin admin_01" in made.output
    assert "hunter2-secret" not in made.output
    with same_data(tmp_path) as container:
        assert container.accounts().log_in("admin_01", "hunter2-secret").user.is_admin


def test_create_admin_refuses_a_password_confirmed_differently(run) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "users", "create-admin", "--username", "admin_01", "--email", "a@example.com",
        stdin="hunter2-secret\nhunter3-secret\n",
    )  # fmt: skip
    assert made.exit_code != 0 and "created admin" not in made.output


def test_create_admin_takes_the_password_from_stdin_and_not_as_an_option(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "users", "create-admin", "--username", "admin_01", "--email", "a@example.com",
        "--password-stdin", stdin="from a pipe\n",
    )  # fmt: skip
    assert made.exit_code == 0
    with same_data(tmp_path) as container:
        assert container.accounts().log_in("admin_01", "from a pipe").user.username == "admin_01"
    old = run(
        "users", "create-admin", "--username", "admin_02", "--email", "b@example.com",
        "--password", "secret1",
    )  # fmt: skip
    assert old.exit_code == 2 and "--password" in old.output


def test_tokens_purge_deletes_expired_tokens_and_keeps_live_ones(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run("users", "create-admin", "--username", "admin_01", "--email", "a@example.com",
        "--password-stdin", stdin="secret1\n")  # fmt: skip
    with same_data(tmp_path) as container:
        live = container.accounts().log_in("admin_01", "secret1")
        user_id = live.user.id
        with container.uow_factory()() as uow:
            uow.tokens.add("e" * 64, user_id, datetime.now(UTC) - timedelta(seconds=1))
            uow.commit()
    purged = run("tokens", "purge")
    assert purged.exit_code == 0 and "purged 1 expired tokens" in purged.output
    with same_data(tmp_path) as container:
        assert container.accounts().authenticate(live.token).id == user_id
    assert "purged 0 expired tokens" in run("tokens", "purge").output


def test_the_worker_roles_purge_expired_tokens(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run("users", "create-admin", "--username", "admin_01", "--email", "a@example.com",
        "--password-stdin", stdin="secret1\n")  # fmt: skip
    with same_data(tmp_path) as worker:
        user_id = worker.accounts().log_in("admin_01", "secret1").user.id
        with worker.uow_factory()() as uow:
            uow.tokens.add("e" * 64, user_id, datetime.now(UTC) - timedelta(seconds=1))
            uow.commit()
        worker.worker_roles()  # the purge loop also runs once as it stops, which is now
    with same_data(tmp_path) as container, container.uow_factory()() as uow:
        assert uow.tokens.purge_expired(datetime.now(UTC)) == 0
