"""Settings: read from the environment and an optional ``.env`` file, validated at start.

A bad setting raises SettingsError with one line that names it, so the
service refuses to start rather than fail at its first request.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from adapters.http import DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEAD_BYTES
from adapters.logs import LogFormat
from moviecore import DEFAULT_LIMITS, Limits

PASSWORD_BYTES_CEILING = 72
"""bcrypt ignores every byte past the 72nd, so no limit may allow more."""


JWT_SECRET_MIN = 32
"""HS256 wants a key of at least 32 bytes (RFC 7518)."""

DEFAULT_KEEP_ALIVE_SECONDS = 5
"""uvicorn's own default for closing an idle keep-alive connection."""

DEFAULT_MAX_CONNECTIONS = 1000
"""Connections served at once by one worker; well below the usual 1024 open files."""


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured with, validated."""

    jwt_secret: str
    database_url: str | None = None
    database_pool_size: int = 10
    database_prepare: bool = False
    redis_url: str | None = None
    redis_prefix: str = "moviecore:"
    external_movies_api_url: str | None = None
    public_url: str | None = None
    api_username: str | None = None
    api_password: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    data_dir: Path = Path("data")
    bcrypt_rounds: int = 12
    access_log: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES
    head_timeout_seconds: int = DEFAULT_HEAD_TIMEOUT
    keep_alive_seconds: int = DEFAULT_KEEP_ALIVE_SECONDS
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    limits: Limits = DEFAULT_LIMITS
    cors_origins: tuple[str, ...] = ()
    log_format: LogFormat = "text"
    metrics: bool = True

    @property
    def sqlite_path(self) -> Path:
        """Where the embedded default keeps its database."""
        return self.data_dir / "moviecore.sqlite3"


def read_env_file(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of a .env file; blank lines and ``#`` comments are skipped."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return values
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, equals, value = text.removeprefix("export ").partition("=")
        if not equals or not name.strip():
            raise SettingsError(f"{path} line {number}: expected NAME=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[name.strip()] = value
    return values


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


class _Source:
    """Setting values by name, each parsed and checked with a message naming it."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def text(self, name: str) -> str | None:
        value = self._values.get(name, "").strip()
        return value or None

    def flag(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        if raw.lower() not in _FLAGS:
            raise SettingsError(f"{name} must be true or false, got {raw!r}")
        return _FLAGS[raw.lower()]

    def integer(self, name: str, default: int, low: int, high: int | None = None) -> int:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise SettingsError(f"{name} must be {bounds}, got {value}")
        return value


def _limits(source: _Source) -> Limits:
    defaults = Limits()
    values = {
        field.name: source.integer(field.name.upper(), getattr(defaults, field.name), 1)
        for field in dataclasses.fields(Limits)
    }
    limits = Limits(**values)
    if limits.password_max_bytes > PASSWORD_BYTES_CEILING:
        raise SettingsError(
            f"PASSWORD_MAX_BYTES must be at most {PASSWORD_BYTES_CEILING} (bcrypt's limit), "
            f"got {limits.password_max_bytes}"
        )
    if limits.password_min_bytes > limits.password_max_bytes:
        raise SettingsError("PASSWORD_MIN_BYTES must not exceed PASSWORD_MAX_BYTES")
    return limits


def _generated_secret(data_dir: Path) -> str:
    """The secret kept in ``data_dir``, generated (readable by the owner only) on first use."""
    path = data_dir / "jwt_secret"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # O_EXCL: of two processes starting at once, one writes and the other reads
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise SettingsError(f"DATA_DIR {str(data_dir)!r} is not writable: {exc}") from exc
    else:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_urlsafe(48))
    secret = path.read_text(encoding="ascii").strip()
    if not secret:
        raise SettingsError(f"{path} is empty; delete it to generate a new secret")
    return secret


def _parts(raw: str) -> SplitResult:
    """``raw`` split as a URL; no parts at all if it cannot be split."""
    try:
        return urlsplit(raw)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return urlsplit("")


def _public_url(raw: str | None) -> str | None:
    """PUBLIC_URL without its trailing slash; an http(s) URL with no query or fragment."""
    if raw is None:
        return None
    parts = _parts(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or "?" in raw or "#" in raw:
        raise SettingsError(
            f"PUBLIC_URL must be an http:// or https:// URL with no query, got {raw!r}"
        )
    return raw.rstrip("/")


def _url(name: str, raw: str | None, schemes: tuple[str, ...]) -> str | None:
    """``raw`` if it is a URL of one of ``schemes`` with a host (a path for unix://)."""
    if raw is None:
        return None
    parts = _parts(raw)
    if parts.scheme not in schemes or not (parts.netloc or (parts.scheme == "unix" and parts.path)):
        *others, last = [f"{scheme}://" for scheme in schemes]
        kinds = f"{', '.join(others)} or {last}" if others else last
        raise SettingsError(f"{name} must be a URL starting with {kinds}, got {raw!r}")
    return raw


def _cors_origins(raw: str | None) -> tuple[str, ...]:
    """The comma-separated origins of CORS_ORIGINS: ``*``, or each ``scheme://host[:port]``."""
    origins = tuple(origin.strip() for origin in (raw or "").split(",") if origin.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or origin != f"{parts.scheme}://{parts.netloc}"
        ):
            raise SettingsError(
                f"CORS_ORIGINS must be * or origins such as https://example.com, got {origin!r}"
            )
    return origins


def _log_format(raw: str | None) -> LogFormat:
    if raw is None or raw == "text":
        return "text"
    if raw == "json":
        return "json"
    raise SettingsError(f"LOG_FORMAT must be json or text, got {raw!r}")


def _check_storage(database_url: str | None, redis_url: str | None, workers: int) -> None:
    """Refuse storage settings no adapter can serve."""
    if database_url is None:
        if workers > 1:
            raise SettingsError("WORKERS must be 1 with the embedded SQLite storage")
        return
    _url("DATABASE_URL", database_url, ("postgresql", "postgres"))
    if redis_url is None:  # workers sharing a database must share one request count too
        raise SettingsError("REDIS_URL is required when DATABASE_URL is set")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")
) -> Settings:
    """The settings of ``environ`` (default: the process environment) over ``env_file``.

    Without DATABASE_URL and JWT_SECRET, the secret is generated once into DATA_DIR.
    """
    source = _Source({**read_env_file(env_file), **(os.environ if environ is None else environ)})
    data_dir = Path(source.text("DATA_DIR") or "data").absolute()
    database_url = source.text("DATABASE_URL")
    redis_url = _url("REDIS_URL", source.text("REDIS_URL"), ("redis", "rediss", "unix"))
    workers = source.integer("WORKERS", 1, 1)
    _check_storage(database_url, redis_url, workers)
    jwt_secret = source.text("JWT_SECRET")
    if jwt_secret is None:
        if database_url is not None:  # instances sharing a database must share the secret too
            raise SettingsError("JWT_SECRET is required when DATABASE_URL is set")
        jwt_secret = _generated_secret(data_dir)
    if len(jwt_secret) < JWT_SECRET_MIN:
        raise SettingsError(f"JWT_SECRET must be at least {JWT_SECRET_MIN} characters long")
    return Settings(
        jwt_secret=jwt_secret,
        database_url=database_url,
        database_pool_size=source.integer("DATABASE_POOL_SIZE", 10, 1),
        database_prepare=source.flag("DATABASE_PREPARE", default=False),
        redis_url=redis_url,
        redis_prefix=source.text("REDIS_PREFIX") or "moviecore:",
        external_movies_api_url=_url(
            "EXTERNAL_MOVIES_API_URL", source.text("EXTERNAL_MOVIES_API_URL"), ("http", "https")
        ),
        public_url=_public_url(source.text("PUBLIC_URL")),
        api_username=source.text("API_USERNAME"),
        api_password=source.text("API_PASSWORD"),
        host=source.text("HOST") or "127.0.0.1",
        port=source.integer("PORT", 8000, 1, 65535),
        workers=workers,
        data_dir=data_dir,
        bcrypt_rounds=source.integer("BCRYPT_ROUNDS", 12, 4, 31),
        access_log=source.flag("ACCESS_LOG", default=False),
        max_body_bytes=source.integer("MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1),
        # a head must hold at least a request line and a bearer token
        max_head_bytes=source.integer("MAX_HEAD_BYTES", DEFAULT_MAX_HEAD_BYTES, 1024),
        head_timeout_seconds=source.integer("HEAD_TIMEOUT_SECONDS", DEFAULT_HEAD_TIMEOUT, 1),
        keep_alive_seconds=source.integer("KEEP_ALIVE_SECONDS", DEFAULT_KEEP_ALIVE_SECONDS, 1),
        max_connections=source.integer("MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 1),
        limits=_limits(source),
        cors_origins=_cors_origins(source.text("CORS_ORIGINS")),
        log_format=_log_format(source.text("LOG_FORMAT")),
        metrics=source.flag("METRICS", default=True),
    )
