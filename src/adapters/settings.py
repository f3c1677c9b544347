"""Settings: each declared once, read from the environment and an optional ``.env`` file.

A setting is a field of ``Settings``: the field gives its type and default, its
environment variable is the field's name in capitals, and ``_setting`` adds the
one sentence that documents it and the function that reads its text. The limits
(``moviecore.Limits``) are settings too, one per field, their defaults the core's.
``SETTINGS`` lists them all; the configuration table of the docs is generated from
it (``python -m adapters.settings docs/configuration.md`` rewrites it).

Reading settings touches nothing but the ``.env`` file. A bad setting raises
SettingsError with one line that names it, its secret never shown, so the service
refuses to start rather than fail at its first request.
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import Field, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult, urlsplit

from dotenv.parser import parse_stream

from adapters.logs import LogFormat
from moviecore import Limits
from moviecore.ports import DEFAULT_LIMITS

T = TypeVar("T")

PASSWORD_BYTES_CEILING = 72
"""bcrypt ignores every byte past the 72nd, so no limit may allow more."""

JWT_SECRET_MIN = 32
"""HS256 wants a key of at least 32 bytes (RFC 7518)."""

TABLE_HEADER = "| name | default | meaning |\n|---|---|---|\n"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


# --- Reading one setting's text ---------------------------------------------
# Each reader takes the variable's name and its (stripped, non-empty) text.


def _text(name: str, raw: str) -> str:
    return raw


def _secret(name: str, raw: str) -> str:
    if len(raw) < JWT_SECRET_MIN:
        raise SettingsError(f"{name} must be at least {JWT_SECRET_MIN} characters long")
    return raw


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def _flag(name: str, raw: str) -> bool:
    if raw.lower() not in _FLAGS:
        raise SettingsError(f"{name} must be true or false, got {raw!r}")
    return _FLAGS[raw.lower()]


def _integer(low: int, high: int | None = None) -> Callable[[str, str], int]:
    def read(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name} must be an integer, got {raw!r}") from None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"between {low} and {high}"
            raise SettingsError(f"{name} must be {bounds}, got {value}")
        return value

    return read


def _directory(name: str, raw: str) -> Path:
    return Path(raw).absolute()


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/+")
_PASSWORD_PARAMETER = re.compile(r"(?i)(password\s*=\s*)('[^']*'|[^&\s]*)")


def redacted(url: str) -> str:
    """``url`` with any password in it replaced by ``***``, for a message to show it.

    Made for mistyped URLs too (``redis:/user:secret@host``): the user information
    ends at the last ``@``, so a password holding an unescaped ``@`` or ``/`` is
    hidden whole; a ``password=`` parameter (libpq's) is hidden too.
    """
    before, at, after = url.rpartition("@")
    if at:
        scheme = _SCHEME.match(before)
        start = scheme.end() if scheme else 0
        user, colon, _ = before[start:].partition(":")
        if colon:
            url = f"{before[:start]}{user}:***@{after}"
    return _PASSWORD_PARAMETER.sub(r"\1***", url)


def _parts(raw: str) -> SplitResult:
    """``raw`` split as a URL; no parts at all if it cannot be split."""
    try:
        return urlsplit(raw)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return urlsplit("")


def _url(*schemes: str) -> Callable[[str, str], str]:
    """A reader of URLs of one of ``schemes`` with a host (a path for unix://)."""
    *others, last = [f"{scheme}://" for scheme in schemes]
    kinds = f"{', '.join(others)} or {last}" if others else last

    def read(name: str, raw: str) -> str:
        parts = _parts(raw)
        if parts.scheme not in schemes or not (
            parts.netloc or (parts.scheme == "unix" and parts.path)
        ):
            raise SettingsError(
                f"{name} must be a URL starting with {kinds}, got {redacted(raw)!r}"
            )
        return raw

    return read


def _public_url(name: str, raw: str) -> str:
    """An http(s) URL with no query or fragment, without its trailing slash."""
    parts = _parts(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or "?" in raw or "#" in raw:
        raise SettingsError(
            f"{name} must be an http:// or https:// URL with no query, got {redacted(raw)!r}"
        )
    return raw.rstrip("/")


def _cors_origins(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated origins: ``*``, or each ``scheme://host[:port]``."""
    origins = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or origin != f"{parts.scheme}://{parts.netloc}"
        ):
            raise SettingsError(
                f"{name} must be * or origins such as https://example.com, got {origin!r}"
            )
    return origins


def _trusted_proxies(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated addresses and networks (``10.0.0.0/8``), as uvicorn's middleware
    reads them (strictly: no host bits in a network). No ``*``: a client behind a proxy
    trusted blindly would choose the address it is throttled by."""
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry)
        except ValueError:
            raise SettingsError(
                f"{name} must be IP addresses and networks such as 10.0.0.0/8, got {entry!r}"
            ) from None
    return entries


def _names(name: str, raw: str) -> tuple[str, ...]:
    """Comma-separated usernames, white space around each ignored."""
    return tuple(each.strip() for each in raw.split(",") if each.strip())


def _log_format(name: str, raw: str) -> LogFormat:
    if raw == "text":
        return "text"
    if raw == "json":
        return "json"
    raise SettingsError(f"{name} must be json or text, got {raw!r}")


# --- Declaring settings -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting as declared: its variable, type, default, meaning and reader."""

    name: str
    type: str
    default: object
    description: str
    read: Callable[[str, str], object]
    unset: str | None = None
    """What leaving the variable unset means, where that is not a value of its own."""

    @property
    def shown_default(self) -> str:
        """The default as the documentation shows it."""
        if self.unset is not None:
            return f"unset: {self.unset}"
        return f"`{_as_text(self.default)}`"


def _as_text(value: object) -> str:
    """``value`` written as the text of its variable."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value)
    return str(value)


_DECLARED = "setting"


def _setting(
    default: T,
    description: str,
    read: Callable[[str, str], T],
    *,
    unset: str | None = None,
    secret: bool = False,
) -> T:
    """A field of Settings read from its name in capitals; a ``secret`` one is not in its repr."""
    return field(
        default=default,
        repr=not secret,
        metadata={_DECLARED: Setting("", "", default, description, read, unset)},
    )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured with, validated."""

    database_url: str | None = _setting(
        None,
        "`postgresql://...` to use PostgreSQL (needs `REDIS_URL` and `JWT_SECRET`)",
        _url("postgresql", "postgres"),
        unset="SQLite in `DATA_DIR`",
        secret=True,
    )
    database_pool_size: int = _setting(
        10, "connections each worker keeps to PostgreSQL (or to its pooler) at most", _integer(1)
    )
    database_prepare: bool = _setting(
        False,
        "`true` prepares statements on the server: only on a direct connection"
        " (see [deployment](deployment.md#behind-pgbouncer-in-transaction-mode))",
        _flag,
    )
    redis_url: str | None = _setting(
        None,
        "`redis://...`: request count, login throttle and catalog cache shared by every worker",
        _url("redis", "rediss", "unix"),
        unset="count in process (kept in `DATA_DIR` across restarts)",
        secret=True,
    )
    redis_prefix: str = _setting(
        "moviecore:",
        "prefix of every Redis key (`<prefix>requests`, `<prefix>login-attempts:`,"
        " `<prefix>catalog:`)",
        _text,
    )
    external_movies_api_url: str | None = _setting(
        None,
        "the upstream catalog, with `API_USERNAME` and `API_PASSWORD`",
        _url("http", "https"),
        unset="local catalog",
        secret=True,
    )
    api_username: str | None = _setting(
        None, "the user name the upstream catalog is called with", _text, unset="none sent"
    )
    api_password: str | None = _setting(
        None,
        "the password the upstream catalog is called with",
        _text,
        unset="none sent",
        secret=True,
    )
    public_url: str | None = _setting(
        None,
        "the service's public address (`https://movies.example/api`), used in the"
        " `next`/`previous` links and `Location`; set it behind a proxy, so that no forged"
        " `Host` header shows in them",
        _public_url,
        unset="the request's `Host`, and `X-Forwarded-Proto` from a proxy in `TRUSTED_PROXIES`",
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "comma-separated addresses and networks (`127.0.0.1,10.0.0.0/8`) of the proxies in"
        " front: from these peers, the client is the right-most address of `X-Forwarded-For`"
        " that is not one of them, and `X-Forwarded-Proto` the scheme of links; the client"
        " is what the login throttle counts and the access line shows",
        _trusted_proxies,
        unset="the client is the connection's peer; forwarded headers are ignored",
    )
    log_format: LogFormat = _setting(
        "text",
        "`json`: one JSON object per line for everything the process logs, the server's lines"
        " included (time, level, event, and during a request its id, method, path, and the"
        " user once known); `text`: the same fields, readable",
        _log_format,
    )
    access_log: bool = _setting(
        False,
        "`true`: one line per request once answered, with its client, query string and user"
        " agent (each cut at 512 bytes, control characters escaped), status and duration in ms",
        _flag,
    )
    metrics: bool = _setting(
        True,
        "`false`: no Prometheus metrics, nothing measured (see [metrics](deployment.md#metrics))",
        _flag,
    )
    metrics_host: str = _setting(
        "127.0.0.1",
        "the address `GET /metrics` is served on, apart from the API; the loopback keeps it"
        " private",
        _text,
    )
    # OpenTelemetry's Prometheus exporter's port.
    metrics_port: int = _setting(
        9464, "the port `GET /metrics` is served on, apart from the API", _integer(1, 65535)
    )
    cors_origins: tuple[str, ...] = _setting(
        (),
        "comma-separated origins (`https://app.example,http://localhost:3000`, or `*`) whose"
        " browser pages may call the API",
        _cors_origins,
        unset="no CORS",
    )
    jwt_secret: str | None = _setting(
        None,
        f"at least {JWT_SECRET_MIN} characters; required with `DATABASE_URL`",
        _secret,
        unset="generated into `DATA_DIR` by `moviecore serve`",
        secret=True,
    )
    access_token_minutes: int = _setting(
        15, "how long an access token lives (`expires_in`)", _integer(1, 24 * 60)
    )
    refresh_token_days: int = _setting(
        14,
        "how long a refresh token lives; a session not refreshed for as long ends",
        _integer(1, 365),
    )
    # At most 1 s: the contract's bound on a revocation reaching every worker.
    session_cache_ms: int = _setting(
        500,
        "how long a worker trusts a session it found live; a session ended elsewhere is"
        " refused here within it (`0`: every request asks the database)",
        _integer(0, 1000),
    )
    operators: tuple[str, ...] = _setting(
        (),
        "comma-separated usernames who are operators (may reset the request count), beside"
        " those granted with `moviecore users grant-operator`",
        _names,
        unset="none",
    )
    host: str = _setting("127.0.0.1", "the address to listen on", _text)
    port: int = _setting(8000, "the port to listen on", _integer(1, 65535))
    workers: int = _setting(1, "how many worker processes serve (1 on SQLite)", _integer(1))
    data_dir: Path = _setting(
        Path("data"),
        "the folder, from the working directory, of the SQLite file, its request count file"
        " and the generated secret",
        _directory,
    )
    bcrypt_rounds: int = _setting(12, "password hashing cost", _integer(4, 31))
    max_body_bytes: int = _setting(1024 * 1024, "larger request bodies get `413`", _integer(1))
    # nginx reads heads in 8 KiB lines and allows 32 KiB in all; a bearer token here is
    # < 300 B. A head must hold at least a request line and that token, hence 1024.
    max_head_bytes: int = _setting(
        32 * 1024,
        "a larger request line and headers get `431` (`414` for the URL alone)",
        _integer(1024),
    )
    # nginx allows 60 s, Apache 20 to 40.
    head_timeout_seconds: int = _setting(
        10,
        "a request head not complete this long after its first bytes: the connection is closed",
        _integer(1),
    )
    # Apache's mod_reqtimeout allows 20 before its minimum rate; the default body limit,
    # 1 MiB, then needs 52 KiB/s.
    body_timeout_seconds: int = _setting(
        20,
        "a request body not complete this long after its head gets `408`",
        _integer(1),
    )
    # uvicorn's and Starlette's usual default.
    keep_alive_seconds: int = _setting(
        5,
        "a connection that sends nothing this long, after opening or after an answer, is closed",
        _integer(1),
    )
    # Well below the usual 1024 open files.
    max_connections: int = _setting(
        1000,
        "connections one worker serves at once; a request past them gets `503`"
        " (keep it under `ulimit -n`)",
        _integer(1),
    )
    # With 1 MiB bodies, at most 64 MiB held by bodies in flight.
    max_uploads: int = _setting(
        64,
        "request bodies one worker receives at once; a request with a body past them gets"
        " `503` (with `MAX_BODY_BYTES`, bounds the memory bodies hold)",
        _integer(1),
    )
    # More than a readiness probe's usual period (Kubernetes: 10 s, with failureThreshold 1
    # at 5 s here), so that a load balancer polling it sees it before the port closes.
    drain_seconds: int = _setting(
        5,
        "after `SIGTERM`, how long requests are still served while `/health/ready/` answers"
        " `503` and every answer closes its connection (`SIGINT` skips it)",
        _integer(0),
    )
    # Kubernetes' default grace period; above BODY_TIMEOUT_SECONDS, so that a slow upload
    # still ends with its answer.
    shutdown_timeout_seconds: int = _setting(
        30,
        "after the drain, how long requests already accepted have to finish (uploads still"
        " arriving get `408` a second before its end)",
        _integer(1),
    )
    limits: Limits = DEFAULT_LIMITS
    """Each field is a setting of its own (``LIMIT_SETTINGS``)."""

    @property
    def sqlite_path(self) -> Path:
        """Where the embedded default keeps its database."""
        return self.data_dir / "moviecore.sqlite3"


_LIMIT_MEANINGS = {
    "username_max": "longest username, in characters",
    "password_min_bytes": "shortest password, in bytes of UTF-8",
    "password_max_bytes": f"longest password, in bytes of UTF-8 (at most {PASSWORD_BYTES_CEILING},"
    " bcrypt's limit)",
    "title_max": "longest collection title, in characters",
    "description_max": "longest collection description, in characters",
    "movies_max": "most movies in one collection",
    "movie_title_max": "longest movie title, in characters",
    "movie_description_max": "longest movie description, in characters",
    "genres_max": "longest genres of a movie, in characters",
    "collections_page_size": "collections in one page of `GET /collections/`",
    "search_max": "longest search, in characters",
}
"""One sentence for each field of Limits: a field added there without one fails at import."""


def _declared(declared: Field[Any]) -> Setting:
    """The setting of a field of Settings, named and typed by it."""
    setting: Setting = declared.metadata[_DECLARED]
    return replace(setting, name=declared.name.upper(), type=str(declared.type))


SERVICE_SETTINGS = tuple(_declared(each) for each in fields(Settings) if _DECLARED in each.metadata)
LIMIT_SETTINGS = tuple(
    Setting(
        each.name.upper(), str(each.type), each.default, _LIMIT_MEANINGS[each.name], _integer(1)
    )
    for each in fields(Limits)
)
SETTINGS = SERVICE_SETTINGS + LIMIT_SETTINGS
"""Every setting, in the order the documentation lists them."""


# --- Loading ----------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """The ``NAME=value`` statements of a .env file, as python-dotenv reads them.

    Values are taken as written: ``${NAME}`` is not expanded. A missing file is no
    settings; one that cannot be read, or a statement that does not parse (or has
    no ``=``), is refused with its line.
    """
    values: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as stream:
            for binding in parse_stream(stream):
                if binding.error or (binding.key is not None and binding.value is None):
                    line = binding.original.line
                    raise SettingsError(f"{path} line {line}: expected NAME=value")
                if binding.key is not None and binding.value is not None:
                    values[binding.key] = binding.value
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    return values


def _value(setting: Setting, values: Mapping[str, str]) -> object:
    """The setting's value: its variable's text read, or else its default read the same way."""
    raw = values.get(setting.name, "").strip()
    if not raw and setting.default is None:
        return None
    return setting.read(setting.name, raw or _as_text(setting.default))


def _limits(values: Mapping[str, Any]) -> Limits:
    limits = Limits(**{each.name: values[each.name.upper()] for each in fields(Limits)})
    if limits.password_max_bytes > PASSWORD_BYTES_CEILING:
        raise SettingsError(
            f"PASSWORD_MAX_BYTES must be at most {PASSWORD_BYTES_CEILING} (bcrypt's limit), "
            f"got {limits.password_max_bytes}"
        )
    if limits.password_min_bytes > limits.password_max_bytes:
        raise SettingsError("PASSWORD_MIN_BYTES must not exceed PASSWORD_MAX_BYTES")
    return limits


def _check(settings: Settings) -> None:
    """Refuse settings that no adapter can serve together."""
    if settings.database_url is None:
        if settings.workers > 1:
            raise SettingsError("WORKERS must be 1 with the embedded SQLite storage")
        return
    if settings.redis_url is None:  # workers sharing a database must share one request count too
        raise SettingsError("REDIS_URL is required when DATABASE_URL is set")
    if settings.jwt_secret is None:  # instances sharing a database must share the secret too
        raise SettingsError("JWT_SECRET is required when DATABASE_URL is set")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path = Path(".env")
) -> Settings:
    """The settings of ``environ`` (default: the process environment) over ``env_file``.

    Without DATABASE_URL and JWT_SECRET, ``jwt_secret`` is None: the command that
    serves keeps a generated one in DATA_DIR.
    """
    values = {**read_env_file(env_file), **(os.environ if environ is None else environ)}
    read: dict[str, Any] = {setting.name: _value(setting, values) for setting in SETTINGS}
    settings = Settings(
        **{setting.name.lower(): read[setting.name] for setting in SERVICE_SETTINGS},
        limits=_limits(read),
    )
    _check(settings)
    return settings


# --- The documentation table ------------------------------------------------


def settings_table() -> str:
    """The Markdown table of every setting: name, default and meaning."""
    rows = (f"| `{s.name}` | {s.shown_default} | {s.description} |\n" for s in SETTINGS)
    return TABLE_HEADER + "".join(rows)


def with_settings_table(document: str) -> str:
    """``document`` with its settings table (from its header to the first blank line)
    replaced by ``settings_table()``."""
    start = document.index(TABLE_HEADER)
    end = document.find("\n\n", start)
    end = len(document) if end == -1 else end + 1
    return document[:start] + settings_table() + document[end:]


def main(argv: Sequence[str]) -> None:
    """Print the settings table; given Markdown files, rewrite the table in each instead."""
    for name in argv:
        path = Path(name)
        path.write_text(with_settings_table(path.read_text(encoding="utf-8")), encoding="utf-8")
    if not argv:
        print(settings_table(), end="")


if __name__ == "__main__":
    main(sys.argv[1:])
