"""Which command lines run on gevent (patched before anything is imported)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from entrypoints.cli.launch import is_green
from entrypoints.cli.main import cli


@pytest.mark.parametrize(
    ("argv", "green"),
    [
        (["serve"], True),
        (["serve", "--port", "8001", "--workers", "2"], True),
        (["serve", "--worker-class", "gevent"], True),
        (["serve", "--worker-class", "gthread"], False),
        (["serve", "--worker-class=gthread", "--threads", "8"], False),
        (["stream"], True),
        (["worker", "--threads", "4"], False),
        (["db", "upgrade"], False),
        ([], False),
    ],
)
def test_serve_and_stream_run_on_gevent_unless_thread_workers_are_asked_for(
    argv: list[str], green: bool
) -> None:
    assert is_green(argv) is green


def test_thread_workers_are_refused_on_embedded_whose_workers_hold_live_streams(
    tmp_path: Path,
) -> None:
    env = {"CHIRP_PROFILE": "embedded", "CHIRP_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli, ["serve", "--worker-class", "gthread"], env=env)
    assert result.exit_code == 2
    assert "gevent only" in result.output
