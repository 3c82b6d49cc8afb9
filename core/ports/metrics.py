"""Metrics port: the numbers an operator watches, counted where the events happen."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Protocol


class Metrics(Protocol):
    """A sink of measurements. Calls never fail and never block on a backend (a sink that
    cannot record drops the measurement), so counting never changes what a caller sees.
    Label values are few and known in advance (routes, actions), never ids."""

    @abstractmethod
    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        """One HTTP request answered: its URL rule (not its raw path), method, status and
        how long it took."""

    @abstractmethod
    def cache_lookups(self, hits: int, misses: int) -> None:
        """Keys asked of the object cache: found there, and missing (read from the store)."""

    @abstractmethod
    def fanout_lag(self, seconds: float) -> None:
        """A fan-out batch finished `seconds` after its tweet was made."""

    @abstractmethod
    def rate_limited(self, action: str) -> None:
        """A request refused for exceeding the limits of `action`."""

    @abstractmethod
    def exposition(self, gauges: Mapping[str, tuple[str, float]]) -> tuple[bytes, str]:
        """Everything recorded, as a scraper reads it, plus `gauges` (name: help, value)
        read at scrape time; with the content type of the body."""
