"""scripts/services without servers: names, exit codes, port and folder rules, the run lock."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scripts.backing.apt import AptInstaller
from scripts.backing.cache_servers import MEMCACHED, REDIS, CacheServer
from scripts.backing.cli import cli
from scripts.backing.hbase.server import HBase
from scripts.backing.process import services_lock
from scripts.backing.rabbitmq import RabbitMQ
from scripts.backing.registry import server_names
from scripts.backing.settings import ROOT, Settings, socket_path

SHIM = ROOT / "scripts" / "services"
ALL = ["mariadb", "redis", "memcached", "rabbitmq", "hbase", "s3"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings(tmp_path: Path, env: dict[str, str] | None = None, euid: int = 1000) -> Settings:
    return Settings.from_env(
        {"CHIRP_SERVICES_DIR": str(tmp_path / "svc"), **(env or {})}, euid=euid
    )


def apt(tmp_path: Path) -> AptInstaller:
    return AptInstaller(tmp_path / "svc", is_root=False)


def invoke(tmp_path: Path, *args: str, **env: str) -> Result:
    runner = CliRunner()
    return runner.invoke(cli, list(args), env={"CHIRP_SERVICES_DIR": str(tmp_path), **env})


def shim_env(tmp_path: Path, **env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != "CHIRP_SERVICES_REEXECED"}
    return {**base, "CHIRP_SERVICES_DIR": str(tmp_path), **env}


# --- names and exit codes


def test_an_unknown_server_name_is_refused_with_the_valid_names_and_exit_code_1(
    tmp_path: Path,
) -> None:
    result = invoke(tmp_path, "status", "redis", "postgres")

    assert result.exit_code == 1
    assert "unknown server 'postgres'; choose from: " + ", ".join(ALL) in result.stderr
    assert result.stdout == ""


def test_up_with_an_unknown_name_starts_nothing_and_takes_no_lock(tmp_path: Path) -> None:
    result = invoke(tmp_path / "svc", "up", "redis", "nosuch")

    assert result.exit_code == 1
    assert not (tmp_path / "svc").exists()


def test_aliases_and_any_case_name_one_server_each_in_the_order_given() -> None:
    assert server_names(["Redis", "MySQL", "moto", "mariadb", "S3"]) == ["redis", "mariadb", "s3"]


def test_no_names_means_all_six_servers() -> None:
    assert server_names([]) == ALL


def test_an_unknown_command_exits_2(tmp_path: Path) -> None:
    result = invoke(tmp_path, "restart")

    assert result.exit_code == 2
    assert "No such command 'restart'" in result.stderr


def test_no_command_prints_the_usage_and_exits_2(tmp_path: Path) -> None:
    result = invoke(tmp_path)

    assert result.exit_code == 2
    assert "up [NAME ...]" in result.output


def test_help_and_the_help_word_both_describe_the_commands_and_exit_0(tmp_path: Path) -> None:
    for word in ("--help", "help"):
        result = invoke(tmp_path, word)
        assert result.exit_code == 0
        assert "CHIRP_HBASE_ZK_PORT" in result.stdout
        assert "status [NAME ...]" in result.stdout


# --- ports, folders and the environment


def test_ports_are_the_well_known_ones_unless_moved(tmp_path: Path) -> None:
    ports = settings(tmp_path).ports

    assert dict(ports) == {
        "mariadb": 3306, "redis": 6379, "memcached": 11211, "rabbitmq": 5672,
        "hbase": 9090, "hbase-zk": 2181, "s3": 9000,
    }  # fmt: skip


def test_a_port_variable_moves_only_its_own_server(tmp_path: Path) -> None:
    ports = settings(tmp_path, {"CHIRP_REDIS_PORT": "6390", "CHIRP_HBASE_ZK_PORT": " 2182 "}).ports

    assert (ports["redis"], ports["hbase-zk"], ports["memcached"]) == (6390, 2182, 11211)


def test_a_blank_port_variable_means_the_default_port(tmp_path: Path) -> None:
    assert settings(tmp_path, {"CHIRP_MYSQL_PORT": "  "}).ports["mariadb"] == 3306


def test_a_port_variable_that_is_not_a_number_is_a_clear_error_with_exit_code_2(
    tmp_path: Path,
) -> None:
    result = invoke(tmp_path, "status", CHIRP_S3_PORT="nine")

    assert result.exit_code == 2
    assert "CHIRP_S3_PORT must be a port number, not 'nine'" in result.stderr


def test_a_moved_port_gets_its_own_folder_and_the_default_keeps_its_own(tmp_path: Path) -> None:
    moved = settings(tmp_path, {"CHIRP_REDIS_PORT": "6390", "CHIRP_MEMCACHED_PORT": "11211"})

    assert moved.server_dir("redis") == tmp_path / "svc" / "redis-6390"
    assert moved.server_dir("memcached") == tmp_path / "svc" / "memcached"


def test_the_jar_cache_follows_xdg_cache_home(tmp_path: Path) -> None:
    hbase = HBase(settings(tmp_path, {"XDG_CACHE_HOME": str(tmp_path / "cache")}), apt(tmp_path))

    assert hbase.lib == tmp_path / "cache" / "chirp" / f"hbase-{hbase.version}" / "lib"
    assert hbase.version.startswith("2.6.1")


def test_hbase_names_its_thrift_and_zookeeper_ports(tmp_path: Path) -> None:
    env = {"CHIRP_HBASE_THRIFT_PORT": "9190", "CHIRP_HBASE_ZK_PORT": "2191"}
    hbase = HBase(settings(tmp_path, env), apt(tmp_path))

    assert hbase.address == "127.0.0.1:9190 (thrift; zookeeper 127.0.0.1:2191)"
    assert hbase.dir == tmp_path / "svc" / "hbase-9190"


def test_rabbitmq_node_and_distribution_port_follow_the_amqp_port(tmp_path: Path) -> None:
    default = RabbitMQ(settings(tmp_path), apt(tmp_path))
    moved = RabbitMQ(settings(tmp_path, {"CHIRP_RABBITMQ_PORT": "5673"}), apt(tmp_path))

    assert (default.node, default.env()["RABBITMQ_DIST_PORT"]) == ("chirp@localhost", "25672")
    assert (moved.node, moved.env()["RABBITMQ_DIST_PORT"]) == ("chirp5673@localhost", "25673")


def test_a_mariadb_socket_path_too_long_for_unix_sockets_moves_to_tmp(tmp_path: Path) -> None:
    short, long = Path("/srv/svc/mariadb"), Path("/srv/" + "x" * 100 + "/mariadb")

    assert socket_path(short) == short / "mysql.sock"
    assert socket_path(long).parent == Path("/tmp")
    assert socket_path(long) == socket_path(long)  # the same folder always finds its socket


def test_redis_and_memcached_listen_on_loopback_at_their_port(tmp_path: Path) -> None:
    env = {"CHIRP_REDIS_PORT": "6390", "CHIRP_MEMCACHED_PORT": "11290"}
    redis = CacheServer(REDIS, settings(tmp_path, env), apt(tmp_path)).command()
    memcached = CacheServer(MEMCACHED, settings(tmp_path, env), apt(tmp_path)).command()

    assert redis[1:5] == ["--bind", "127.0.0.1", "--port", "6390"]
    assert redis[redis.index("--dir") + 1] == str(tmp_path / "svc" / "redis-6390")
    assert memcached[1:5] == ["-l", "127.0.0.1", "-p", "11290"]


def test_memcached_is_told_to_run_as_root_only_when_we_are_root(tmp_path: Path) -> None:
    as_root = CacheServer(MEMCACHED, settings(tmp_path, euid=0), apt(tmp_path)).command()
    as_user = CacheServer(MEMCACHED, settings(tmp_path, euid=1000), apt(tmp_path)).command()

    assert as_root[-2:] == ["-u", "root"]
    assert "-u" not in as_user


# --- status and down on servers that are not there


def test_status_reports_a_server_that_does_not_answer_as_down_and_exits_1(tmp_path: Path) -> None:
    port = free_port()
    result = invoke(tmp_path, "status", "redis", CHIRP_REDIS_PORT=str(port))

    assert result.exit_code == 1
    assert result.stdout.split() == ["redis", "down", f"127.0.0.1:{port}"]


def test_down_of_a_server_that_is_not_running_says_so_and_exits_0(tmp_path: Path) -> None:
    result = invoke(tmp_path, "down", "memcached", CHIRP_MEMCACHED_PORT=str(free_port()))

    assert result.exit_code == 0
    assert "memcached: not running" in result.stdout


def test_down_never_signals_a_process_whose_command_line_is_not_the_server(
    tmp_path: Path,
) -> None:
    port = free_port()
    folder = tmp_path / f"redis-{port}"
    folder.mkdir()
    (folder / "redis.pid").write_text(f"{os.getpid()}\n")  # a stale pid, now someone else's

    result = invoke(tmp_path, "down", "redis", CHIRP_REDIS_PORT=str(port))

    assert "redis: not running" in result.stdout  # and this test process is still alive


# --- the run lock


def test_a_second_run_waits_for_the_lock_and_goes_ahead_once_the_first_finishes(
    tmp_path: Path,
) -> None:
    waiting, entered = threading.Event(), threading.Event()

    def second_run() -> None:
        with services_lock(tmp_path, waiting.set):
            entered.set()

    with services_lock(tmp_path, lambda: pytest.fail("the first run found the lock taken")):
        second = threading.Thread(target=second_run)
        second.start()
        assert waiting.wait(30)
        assert not entered.is_set()
    second.join(30)
    assert entered.is_set()


@pytest.fixture
def lock_held_by_another_process(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    code = (
        "import fcntl, sys; f = open(sys.argv[1], 'w'); fcntl.flock(f, fcntl.LOCK_EX); "
        "print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / ".lock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield holder
    holder.kill()
    holder.wait()


def test_the_lock_of_a_killed_run_does_not_block_the_next_run(
    tmp_path: Path, lock_held_by_another_process: subprocess.Popen[str]
) -> None:
    lock_held_by_another_process.send_signal(signal.SIGKILL)
    lock_held_by_another_process.wait()

    with services_lock(tmp_path, lambda: pytest.fail("a dead run's lock blocked us")):
        pass


def test_scripts_services_says_it_waits_for_a_running_down_then_does_its_work(
    tmp_path: Path, lock_held_by_another_process: subprocess.Popen[str]
) -> None:
    env = shim_env(tmp_path, CHIRP_REDIS_PORT=str(free_port()))
    second = subprocess.Popen(
        [sys.executable, str(SHIM), "down", "redis"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert second.stdout is not None
    assert "waiting for another scripts/services run to finish" in second.stdout.readline()
    assert second.poll() is None

    lock_held_by_another_process.stdin.close()  # type: ignore[union-attr]
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 0
    assert "redis: not running" in out


# --- the executable shim


def test_the_shim_run_by_a_plain_python_reexecs_into_the_venv(tmp_path: Path) -> None:
    plain = shutil.which("python3", path="/usr/bin") or str(Path(sys.base_prefix) / "bin/python3")
    result = subprocess.run(
        [plain, str(SHIM), "status", "nosuch"], env=shim_env(tmp_path),
        capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "unknown server 'nosuch'" in result.stderr


def test_the_shim_without_a_venv_says_that_make_creates_it(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(SHIM, tmp_path / "scripts" / "services")
    result = subprocess.run(
        [sys.executable, str(tmp_path / "scripts" / "services"), "status"],
        env=shim_env(tmp_path), capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 1
    assert "run `make services`" in result.stderr
    assert "creates .venv first" in result.stderr
