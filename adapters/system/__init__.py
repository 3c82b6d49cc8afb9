"""Real system adapters: the wall clock, snowflake ids and password hashing."""

from adapters.system.clock import SystemClock
from adapters.system.ids import SnowflakeIdGenerator
from adapters.system.passwords import FastPasswordHasher, ScryptPasswordHasher

__all__ = ["FastPasswordHasher", "ScryptPasswordHasher", "SnowflakeIdGenerator", "SystemClock"]
