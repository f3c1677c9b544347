"""The results of a run: one row per endpoint, configuration and connection count."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .loadgen import Measurement


@dataclass(frozen=True, slots=True)
class Result:
    """One measured scenario, with its throughput relative to the floors of its run."""

    configuration: str
    key: str
    label: str
    connections: int
    requests: int
    """Requests completed in the measured run; 0 means every one took longer than the run."""
    rps: float
    p50_ms: float
    p99_ms: float
    http_errors: int
    socket_errors: int
    floor_ratio: float | None = None
    db_floor_ratio: float | None = None
    """Over the one-query database floor's (PostgreSQL configurations only)."""

    @classmethod
    def of(
        cls, configuration: str, key: str, label: str, connections: int, measured: Measurement
    ) -> Result:
        """The row for one wrk measurement; its floor ratios are filled in by ``Run``."""
        return cls(
            configuration,
            key,
            label,
            connections,
            measured.requests,
            measured.rps,
            measured.p50_ms,
            measured.p99_ms,
            measured.http_errors,
            measured.socket_errors,
        )


@dataclass
class Run:
    """Everything one benchmark run measured, and how."""

    machine: dict[str, str]
    settings: dict[str, Any]
    results: list[Result] = field(default_factory=list)
    worker_rss_mib: dict[str, list[float]] = field(default_factory=dict)
    instructions: dict[str, float] = field(default_factory=dict)
    """GET /request-count/'s instructions per request, by configuration (and twin)."""
    wall_seconds: float = 0.0

    def find(self, configuration: str, key: str, connections: int) -> Result | None:
        """The row of a scenario, if it was measured."""
        return next(
            (
                r
                for r in self.results
                if (r.configuration, r.key, r.connections) == (configuration, key, connections)
            ),
            None,
        )

    def with_floor_ratios(self) -> list[Result]:
        """Every row, its throughput divided by that of each floor in the same configuration
        at the same connection count."""
        return [
            Result(
                **{
                    **asdict(row),
                    "floor_ratio": self._ratio(row, "floor"),
                    "db_floor_ratio": self._ratio(row, "floor-db-1"),
                }
            )
            for row in self.results
        ]

    def _ratio(self, row: Result, floor_key: str) -> float | None:
        floor = self.find(row.configuration, floor_key, row.connections)
        return row.rps / floor.rps if floor is not None and floor.rps else None

    def to_json(self) -> dict[str, Any]:
        """The run as plain JSON values."""
        return {
            "machine": self.machine,
            "settings": self.settings,
            "wall_seconds": round(self.wall_seconds, 1),
            "worker_rss_mib": self.worker_rss_mib,
            "instructions_per_request": self.instructions,
            "results": [asdict(row) for row in self.with_floor_ratios()],
        }
