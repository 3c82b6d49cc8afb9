"""The memory harness: every service wired on in-memory fakes, with a fake clock."""

from __future__ import annotations

import pytest

from container import Container, build_container
from settings import Settings
from tests.unit.harness import Harness


@pytest.fixture
def container() -> Container:
    return build_container(Settings(profile="memory"))


@pytest.fixture
def h(container: Container) -> Harness:
    return Harness(container)
