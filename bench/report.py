"""The results as people read them: a Markdown table, the targets, JSON and a PNG chart."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server or in CI

import matplotlib.pyplot as plt

from .instructions import CONNECTIONS, REQUESTS
from .results import Result, Run
from .targets import Check

RESULTS = Path(__file__).parent / "results"


def _ratio(ratio: float | None) -> str:
    return "" if ratio is None else f"{ratio:.0%}"


def results_table(run: Run) -> str:
    """Endpoint x configuration x connections -> req/s, p50, p99, errors, share of the floor
    and, on PostgreSQL, of the one-query database floor."""
    lines = [
        "| configuration | endpoint | conns | req/s | p50 ms | p99 ms | errors | x floor"
        " | x DB floor |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in run.with_floor_ratios():
        errors = f"{row.http_errors} / {row.socket_errors}"
        latency = (
            f"{row.p50_ms:.1f} | {row.p99_ms:.1f}" if row.requests else "none done | none done"
        )
        lines.append(
            f"| {row.configuration} | {row.label} | {row.connections} | {row.rps:,.1f}"
            f" | {latency} | {errors} | {_ratio(row.floor_ratio)} | {_ratio(row.db_floor_ratio)} |"
        )
    return "\n".join(lines)


def _instructions_note(run: Run) -> str:
    if not run.instructions:
        return ""
    return (
        f"Instructions: GET /request-count/ served {REQUESTS:,} times over {CONNECTIONS}"
        " connections by one worker under callgrind, on the service and on its twins, the"
        " worker's idle rate taken off; the settings' costs are judged on these counts, which"
        " the machine's load barely moves."
    )


def instructions_table(run: Run) -> str:
    """GET /request-count/'s instructions per request, where callgrind counted them."""
    if not run.instructions:
        return ""
    lines = ["| configuration | instructions a request |", "|---|--:|"]
    lines.extend(f"| {name} | {count:,.0f} |" for name, count in run.instructions.items())
    return "\n".join(lines)


def targets_table(checks: list[Check]) -> str:
    """Each target per configuration, with the figure measured."""
    lines = ["| target | configuration | measured | met |", "|---|---|---|---|"]
    lines.extend(
        f"| {c.target} | {c.configuration} | {c.figure} | {'yes' if c.met else '**no**'} |"
        for c in checks
    )
    return "\n".join(lines)


def machine_line(run: Run) -> str:
    """One sentence naming the machine and the software versions."""
    m = run.machine
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory']}; {m['system']}; Python {m['python']},"
        f" Litestar {m['litestar']}, {run.settings['server']} ({m[run.settings['server']]}),"
        f" {m['wrk']}; {run.settings['duration']} s per run after"
        f" {run.settings['warmup']} s of warm-up; whole run {run.wall_seconds:.0f} s;"
        f" load average at start {m['load_average_at_start']}."
    )


def markdown(run: Run, checks: list[Check]) -> str:
    """The whole report, ready to paste into the README."""
    return "\n\n".join(
        [
            f"Measured on: {machine_line(run)}",
            "errors = answers with status >= 400 / socket errors (connect, read, write, time-out)."
            " x floor: over the bare JSON floor's req/s; x DB floor: over the one-query"
            " database floor's, at the same connection count. bcrypt.checkpw rows: password"
            " checks per second on that many threads, without HTTP.",
            results_table(run),
            *filter(None, [_instructions_note(run), instructions_table(run)]),
            targets_table(checks),
        ]
    )


def write(run: Run, checks: list[Check], folder: Path = RESULTS) -> None:
    """Write ``latest.json``, ``latest.md`` and ``latest.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    document = run.to_json()
    document["targets"] = [
        {"target": c.target, "configuration": c.configuration, "figure": c.figure, "met": c.met}
        for c in checks
    ]
    (folder / "latest.json").write_text(json.dumps(document, indent=2) + "\n")
    (folder / "latest.md").write_text(markdown(run, checks) + "\n")
    chart(run, folder / "latest.png")


def chart(run: Run, path: Path) -> None:
    """Share of the floor per endpoint, one panel per connection count, a bar per configuration."""
    rows = [
        row for row in run.with_floor_ratios() if row.key != "floor" and row.floor_ratio is not None
    ]
    if not rows:  # a run of chosen scenarios without the floor: nothing to draw
        return
    configurations = list(dict.fromkeys(row.configuration for row in rows))
    labels = list(dict.fromkeys(row.label for row in rows))
    counts = sorted({row.connections for row in rows})
    figure, axes = plt.subplots(1, len(counts), figsize=(7 * len(counts), 7), sharey=True)
    panels = axes if len(counts) > 1 else [axes]
    height = 0.8 / len(configurations)
    for panel, connections in zip(panels, counts, strict=True):
        for index, name in enumerate(configurations):
            shares = [_share(rows, name, label, connections) for label in labels]
            positions = [y + index * height for y in range(len(labels))]
            panel.barh(positions, shares, height=height, label=name)
        panel.axvline(1.0, color="black", linewidth=0.8)
        panel.set_title(f"{connections} connections")
        panel.set_xlabel("throughput / framework floor")
        panel.set_yticks([y + 0.4 - height / 2 for y in range(len(labels))], labels)
        panel.invert_yaxis()
    panels[0].legend(loc="lower right")
    figure.suptitle(f"moviecore vs the framework floor ({run.settings['server']})")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _share(rows: list[Result], name: str, label: str, connections: int) -> float:
    row = next(
        (
            r
            for r in rows
            if (r.configuration, r.label, r.connections) == (name, label, connections)
        ),
        None,
    )
    return 0.0 if row is None or row.floor_ratio is None else row.floor_ratio
