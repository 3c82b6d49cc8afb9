"""The `scripts/services` command line: up, status and down of the backing servers."""

from __future__ import annotations

import sys

import click

from scripts.backing.apt import AptInstaller
from scripts.backing.process import Failure, elapsed, in_parallel, rss_mb, say, services_lock
from scripts.backing.registry import UnknownServer, select
from scripts.backing.server import Server
from scripts.backing.settings import Settings, SettingsError

HELP = """Install, start, check and stop chirp's backing servers on one machine, without systemd.

\b
  up [NAME ...]      install what is missing, start what is not running,
                     wait until each server really answers (idempotent)
  status [NAME ...]  one line per server: name, up/down, address
  down [NAME ...]    stop the servers this script started (recorded PIDs)

\b
NAME is one of: mariadb (alias mysql), redis, memcached, rabbitmq, hbase, s3 (alias moto).
Everything runs on 127.0.0.1; data, logs and pid files live in .services/<name>/ (git-ignored);
downloaded HBase jars are cached in ~/.cache/chirp/.  Ports can be moved with CHIRP_MYSQL_PORT,
CHIRP_REDIS_PORT, CHIRP_MEMCACHED_PORT, CHIRP_RABBITMQ_PORT, CHIRP_HBASE_THRIFT_PORT,
CHIRP_HBASE_ZK_PORT and CHIRP_S3_PORT.  Details: docs/services.md.
"""

NAMES = click.argument("names", nargs=-1, metavar="[NAME]...")
WAITING = "waiting for another scripts/services run to finish"


def _load(names: tuple[str, ...]) -> tuple[Settings, AptInstaller, list[Server]]:
    """Settings and the chosen servers; a bad name or port variable ends the run here."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    apt = AptInstaller(settings.services_dir, settings.is_root)
    try:
        return settings, apt, select(names, settings, apt)
    except UnknownServer as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)


def bring_up(servers: list[Server], apt: AptInstaller) -> int:
    """All servers in parallel, HBase first (slowest); 0 once every one answers, else 1."""
    failures: dict[str, str] = {}
    # one apt-get run for everything missing, in the background: the servers that need it wait
    # for it, the others (HBase jar download, moto) go ahead meanwhile
    missing = sorted({p for s in servers if not s.installed() for p in s.packages})
    apt_thread = apt.start_background(missing) if missing else None

    def worker(server: Server) -> None:
        try:
            say(f"{server.name}: {server.up()}")
        except Failure as exc:
            failures[server.name] = str(exc)
        except Exception as exc:  # noqa: BLE001 - report, never hang the others
            failures[server.name] = f"{server.name}: {type(exc).__name__}: {exc}"

    in_parallel(worker, sorted(servers, key=lambda s: s.name != "hbase"))
    if apt_thread:
        apt_thread.join()
    for msg in failures.values():
        say(f"FAILED {msg}")
    if failures:
        say(f"{len(failures)} of {len(servers)} servers FAILED: {', '.join(failures)}")
        return 1
    say(f"all {len(servers)} servers up ({elapsed():.1f}s)")
    return 0


def status_line(server: Server, reason: str | None) -> str:
    """`name up|down address`, plus our pids and their memory, or who started it."""
    pids = server.pids()
    extra = ""
    if pids:
        rss = sum(r for r in (rss_mb(p) for p in pids) if r)
        extra = f"  pid {','.join(map(str, pids))}, {rss:.0f} MB RSS"
    elif reason is None:
        extra = "  (not started by scripts/services)"
    return f"{server.name:<10} {'up' if reason is None else 'down':<5} {server.address}{extra}"


def stop_one(server: Server) -> None:
    started = elapsed()
    try:
        if server.stop():
            say(f"{server.name}: stopped ({elapsed() - started:.1f}s)")
        elif server.check() is None:
            say(f"{server.name}: answering but not started by scripts/services; left alone")
        else:
            say(f"{server.name}: not running")
    except Exception as exc:  # noqa: BLE001 - one failed stop must not keep the others running
        say(f"{server.name}: stop FAILED: {type(exc).__name__}: {exc}")


@click.group(help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    pass


@cli.command(short_help="Install, start and wait until every server answers.")
@NAMES
def up(names: tuple[str, ...]) -> None:
    settings, apt, servers = _load(names)
    with services_lock(settings.services_dir, lambda: say(WAITING)):
        sys.exit(bring_up(servers, apt))


@cli.command(short_help="One line per server: name, up/down, address.")
@NAMES
def status(names: tuple[str, ...]) -> None:
    _, _, servers = _load(names)
    reasons: dict[str, str | None] = {}

    def probe(server: Server) -> None:
        reasons[server.name] = server.check()

    in_parallel(probe, servers)
    for server in servers:
        click.echo(status_line(server, reasons.get(server.name)))
    sys.exit(1 if any(reason is not None for reason in reasons.values()) else 0)


@cli.command(short_help="Stop the servers this script started (recorded PIDs).")
@NAMES
def down(names: tuple[str, ...]) -> None:
    settings, _, servers = _load(names)
    with services_lock(settings.services_dir, lambda: say(WAITING)):
        in_parallel(stop_one, servers)


@cli.command("help", hidden=True)
@click.pass_context
def help_(ctx: click.Context) -> None:
    """The same text as --help (the script always accepted `help`)."""
    click.echo(ctx.parent.get_help() if ctx.parent else "")
