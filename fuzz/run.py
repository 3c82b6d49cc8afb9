"""The run's knobs (FUZZ_* variables) and the state its hooks and summary share."""

from __future__ import annotations

import os
from dataclasses import dataclass

from flask import Flask

from container import Container
from fuzz.calls import Tally
from fuzz.mapping import Mapper
from fuzz.world import World

# Examples per operation (the issue asks for at least 200).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
# The state machine: scenarios, steps in each, and a wall-clock budget after which it
# starts no new scenario.
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "1000"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "12"))
STATEFUL_SECONDS = float(os.environ.get("FUZZ_STATEFUL_SECONDS", "180"))

MAPPER = Mapper()
DEEP = Tally()
STATEFUL = Tally()


@dataclass(frozen=True)
class Run:
    """One app over one world, shared by every test of the run."""

    app: Flask
    container: Container
    world: World
