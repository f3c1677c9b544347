"""The reference deployment files (deploy/) agree with the service's own settings.

Each number there that mirrors a setting is read from the file and compared with
the setting's declared default, so changing one without the other fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from adapters.settings import Settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DEFAULTS = Settings()
STOPPING = DEFAULTS.drain_seconds + DEFAULTS.shutdown_timeout_seconds
"""The longest an instance takes to stop after SIGTERM, pools aside."""


NGINX = re.sub(r"#.*", "", (DEPLOY / "nginx" / "moviecore.conf").read_text(encoding="utf-8"))
UPSTREAM = re.search(r"^upstream moviecore \{(.*?)^\}", NGINX, re.M | re.S)
SERVER = re.search(r"^server \{(.*)^\}", NGINX, re.M | re.S)


def _directives(block: re.Match[str] | None) -> dict[str, str]:
    """Each ``name value;`` directive of a block of nginx's file, comments aside."""
    assert block is not None, "the reference has no such block"
    return dict(re.findall(r"^\s*(\w+)\s+([^;{]*);", block[1], re.M))


def _unit(path: Path) -> dict[str, str]:
    """The ``Key=value`` lines of a systemd unit."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def _seconds(value: str) -> int:
    return int(value.removesuffix("s"))


def test_nginx_limits_and_timeouts_agree_with_the_service() -> None:
    """nginx refuses what the service would refuse and waits as long as it would; it
    closes an idle upstream connection before the service does, and retries no POST
    that was sent."""
    nginx, upstream = _directives(SERVER), _directives(UPSTREAM)
    count, size = nginx["large_client_header_buffers"].split()
    assert {
        "body bytes": int(nginx["client_max_body_size"].removesuffix("m")) * 1024 * 1024,
        "head bytes": int(count) * int(size.removesuffix("k")) * 1024,
        "head seconds": _seconds(nginx["client_header_timeout"]),
        "body seconds": _seconds(nginx["client_body_timeout"]),
        "idle upstream closed by nginx first": _seconds(upstream["keepalive_timeout"])
        < DEFAULTS.keep_alive_seconds,
        "waits for a stopping instance": _seconds(nginx["proxy_read_timeout"]) >= STOPPING,
        "retries": nginx["proxy_next_upstream"],
    } == {
        "body bytes": DEFAULTS.max_body_bytes,
        "head bytes": DEFAULTS.max_head_bytes,
        "head seconds": DEFAULTS.head_timeout_seconds,
        "body seconds": DEFAULTS.body_timeout_seconds,
        "idle upstream closed by nginx first": True,
        "waits for a stopping instance": True,
        "retries": "error timeout",
    }


def test_systemd_and_kubernetes_wait_for_the_drain() -> None:
    """Both stop the service with SIGTERM and wait longer than its drain and shutdown
    before they kill it; Kubernetes probes the readiness the drain fails."""
    unit = _unit(DEPLOY / "systemd" / "moviecore@.service")
    pod = yaml.safe_load((DEPLOY / "kubernetes" / "probes.yaml").read_text(encoding="utf-8"))
    container = pod["containers"][0]
    assert {
        "signal": unit["KillSignal"],
        "systemd waits": int(unit["TimeoutStopSec"]) > STOPPING,
        "kubernetes waits": pod["terminationGracePeriodSeconds"] > STOPPING,
        "readiness": container["readinessProbe"]["httpGet"]["path"],
        "liveness": container["livenessProbe"]["httpGet"]["path"],
    } == {
        "signal": "SIGTERM",
        "systemd waits": True,
        "kubernetes waits": True,
        "readiness": "/health/ready/",
        "liveness": "/health/live/",
    }
