"""Settings from the environment and .env, and the moviecore command's answers to bad ones."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapters.settings import Settings, SettingsError, load_settings
from app import jwt_secret
from fixtures.server import moviecore_command
from moviecore import Limits

SECRET = "s" * 40


def _run(args: list[str], cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    env = {**keep, **environment}
    return subprocess.run(
        [*moviecore_command(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=30
    )


def test_defaults(tmp_path: Path) -> None:
    """With only a secret set, every setting takes the documented default."""
    settings = load_settings({"JWT_SECRET": SECRET}, env_file=tmp_path / ".env")
    assert settings == Settings(jwt_secret=SECRET, data_dir=Path("data").absolute())


def test_environment_values_are_parsed(tmp_path: Path) -> None:
    """Every setting is read from its environment variable, limits included."""
    environ = {
        "JWT_SECRET": SECRET,
        "DATABASE_URL": "postgresql://db/moviecore",
        "DATABASE_POOL_SIZE": "4",
        "DATABASE_PREPARE": "true",
        "REDIS_URL": "redis://cache:6379/0",
        "EXTERNAL_MOVIES_API_URL": "https://movies.example/api",
        "API_USERNAME": "reader",
        "API_PASSWORD": "pass word",
        "HOST": "0.0.0.0",
        "PORT": "9000",
        "WORKERS": "3",
        "DATA_DIR": str(tmp_path / "store"),
        "BCRYPT_ROUNDS": "10",
        "MAX_BODY_BYTES": "2048",
        "MAX_HEAD_BYTES": "4096",
        "HEAD_TIMEOUT_SECONDS": "3",
        "KEEP_ALIVE_SECONDS": "2",
        "MAX_CONNECTIONS": "100",
        "MOVIES_MAX": "50",
        "COLLECTIONS_PAGE_SIZE": "5",
        "CORS_ORIGINS": "https://app.example, http://localhost:3000",
        "TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,fd00::/8",
        "LOG_FORMAT": "json",
        "METRICS": "false",
        "ACCESS_TOKEN_MINUTES": "5",
        "REFRESH_TOKEN_DAYS": "1",
        "SESSION_CACHE_MS": "0",
        "OPERATORS": " ada, Bob ,",
    }
    assert load_settings(environ, env_file=tmp_path / ".env") == Settings(
        jwt_secret=SECRET,
        database_url="postgresql://db/moviecore",
        database_pool_size=4,
        database_prepare=True,
        redis_url="redis://cache:6379/0",
        external_movies_api_url="https://movies.example/api",
        api_username="reader",
        api_password="pass word",
        host="0.0.0.0",
        port=9000,
        workers=3,
        data_dir=tmp_path / "store",
        bcrypt_rounds=10,
        max_body_bytes=2048,
        max_head_bytes=4096,
        head_timeout_seconds=3,
        keep_alive_seconds=2,
        max_connections=100,
        limits=Limits(movies_max=50, collections_page_size=5),
        cors_origins=("https://app.example", "http://localhost:3000"),
        trusted_proxies=("127.0.0.1", "10.0.0.0/8", "fd00::/8"),
        log_format="json",
        metrics=False,
        access_token_minutes=5,
        refresh_token_days=1,
        session_cache_ms=0,
        operators=("ada", "Bob"),
    )


def test_env_file_fills_what_the_environment_leaves_unset(tmp_path: Path) -> None:
    """A .env file supplies settings, quoted or not, and the environment wins over it."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# local settings\n\nexport PORT=9100\nHOST='10.0.0.1'\nJWT_SECRET=\"" + SECRET + '"\n',
        encoding="utf-8",
    )
    settings = load_settings({"PORT": "9200"}, env_file=env_file)
    assert (settings.port, settings.host, settings.jwt_secret) == (9200, "10.0.0.1", SECRET)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "abc"}, "PORT must be an integer, got 'abc'"),
        ({"PORT": "70000"}, "PORT must be between 1 and 65535, got 70000"),
        ({"WORKERS": "0"}, "WORKERS must be at least 1, got 0"),
        ({"BCRYPT_ROUNDS": "3"}, "BCRYPT_ROUNDS must be between 4 and 31, got 3"),
        (
            {"PASSWORD_MAX_BYTES": "100"},
            "PASSWORD_MAX_BYTES must be at most 72 (bcrypt's limit), got 100",
        ),
        ({"JWT_SECRET": "short"}, "JWT_SECRET must be at least 32 characters long"),
        ({"ACCESS_LOG": "maybe"}, "ACCESS_LOG must be true or false, got 'maybe'"),
        ({"DATABASE_POOL_SIZE": "0"}, "DATABASE_POOL_SIZE must be at least 1, got 0"),
        ({"DATABASE_PREPARE": "often"}, "DATABASE_PREPARE must be true or false, got 'often'"),
        ({"DATABASE_URL": "postgresql://db/x"}, "REDIS_URL is required when DATABASE_URL is set"),
        (
            {"JWT_SECRET": "", "DATABASE_URL": "mysql://db/x"},
            "DATABASE_URL must be a URL starting with postgresql:// or postgres://, got 'mysql://db/x'",
        ),
        (
            {"DATABASE_URL": "host=db user=app password=secret"},
            "DATABASE_URL must be a URL starting with postgresql:// or postgres://,"
            " got 'host=db user=app password=***'",
        ),
        (
            {"DATABASE_URL": "app:se:cret@db/moviecore"},
            "DATABASE_URL must be a URL starting with postgresql:// or postgres://,"
            " got 'app:***@db/moviecore'",
        ),
        (
            {"REDIS_URL": "http://nope"},
            "REDIS_URL must be a URL starting with redis://, rediss:// or unix://, got 'http://nope'",
        ),
        (
            {"EXTERNAL_MOVIES_API_URL": "notaurl"},
            "EXTERNAL_MOVIES_API_URL must be a URL starting with http:// or https://,"
            " got 'notaurl'",
        ),
        ({"MAX_HEAD_BYTES": "100"}, "MAX_HEAD_BYTES must be at least 1024, got 100"),
        ({"HEAD_TIMEOUT_SECONDS": "0"}, "HEAD_TIMEOUT_SECONDS must be at least 1, got 0"),
        ({"WORKERS": "2"}, "WORKERS must be 1 with the embedded SQLite storage"),
        ({"SESSION_CACHE_MS": "1001"}, "SESSION_CACHE_MS must be between 0 and 1000, got 1001"),
        ({"ACCESS_TOKEN_MINUTES": "0"}, "ACCESS_TOKEN_MINUTES must be between 1 and 1440, got 0"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be json or text, got 'xml'"),
        ({"METRICS": "on"}, "METRICS must be true or false, got 'on'"),
        (
            {"CORS_ORIGINS": "https://app.example/path"},
            "CORS_ORIGINS must be * or origins such as https://example.com,"
            " got 'https://app.example/path'",
        ),
        (
            {"TRUSTED_PROXIES": "127.0.0.1,nginx"},
            "TRUSTED_PROXIES must be IP addresses and networks such as 10.0.0.0/8, got 'nginx'",
        ),
        (
            {"TRUSTED_PROXIES": "*"},
            "TRUSTED_PROXIES must be IP addresses and networks such as 10.0.0.0/8, got '*'",
        ),
        (
            {"TRUSTED_PROXIES": "10.0.0.1/8"},  # host bits set: no network
            "TRUSTED_PROXIES must be IP addresses and networks such as 10.0.0.0/8,"
            " got '10.0.0.1/8'",
        ),
        (
            {"JWT_SECRET": "", "DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r"},
            "JWT_SECRET is required when DATABASE_URL is set",
        ),
    ],
)
def test_bad_settings_name_the_setting(
    tmp_path: Path, environ: dict[str, str], message: str
) -> None:
    """A malformed or out-of-range setting is refused with a message naming it."""
    with pytest.raises(SettingsError) as caught:
        load_settings({"JWT_SECRET": SECRET, **environ}, env_file=tmp_path / ".env")
    assert str(caught.value) == message


def test_unreadable_env_file_is_one_line_naming_it(tmp_path: Path) -> None:
    """A .env file that is not UTF-8 text is refused with one line naming the file."""
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"PORT=\xff\n")
    with pytest.raises(SettingsError) as caught:
        load_settings({"JWT_SECRET": SECRET}, env_file=env_file)
    message = str(caught.value)
    assert (message.startswith(f"cannot read {env_file}: "), message.count("\n")) == (True, 0)


def test_malformed_env_file_line_is_named(tmp_path: Path) -> None:
    """A .env line without '=' is refused with its line number."""
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=1\nnonsense\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings({"JWT_SECRET": SECRET}, env_file=env_file)
    assert str(caught.value) == f"{env_file} line 2: expected NAME=value"


def test_reading_settings_writes_nothing(tmp_path: Path) -> None:
    """Without JWT_SECRET, reading the settings leaves DATA_DIR uncreated and the secret unset."""
    settings = load_settings({"DATA_DIR": str(tmp_path / "data")}, env_file=tmp_path / ".env")
    assert (settings.jwt_secret, list(tmp_path.iterdir())) == (None, [])


def test_generated_secret_is_private_and_kept(tmp_path: Path) -> None:
    """Without JWT_SECRET, the service's secret is generated once into DATA_DIR, owner-only,
    and reused."""
    settings = load_settings({"DATA_DIR": str(tmp_path / "data")}, env_file=tmp_path / ".env")
    first, second = jwt_secret(settings), jwt_secret(settings)
    mode = stat.S_IMODE((tmp_path / "data" / "jwt_secret").stat().st_mode)
    assert (first == second, len(first) >= 64, mode) == (True, True, 0o600)


def test_settings_shown_hold_no_secret(tmp_path: Path) -> None:
    """Settings written out (in a log line or a traceback) show none of their passwords."""
    environ = {
        "JWT_SECRET": SECRET,
        "DATABASE_URL": "postgresql://app:dbsecret@db/moviecore",
        "REDIS_URL": "redis://:cachesecret@cache:6379/0",
        "EXTERNAL_MOVIES_API_URL": "https://reader:urlsecret@movies.example/api",
        "API_PASSWORD": "apisecret",
    }
    shown = repr(load_settings(environ, env_file=tmp_path / ".env"))
    secrets = [SECRET, "dbsecret", "cachesecret", "urlsecret", "apisecret"]
    assert [secret for secret in secrets if secret in shown] == []


@pytest.mark.parametrize(
    ("setting", "mistyped", "shown"),
    [
        (
            "DATABASE_URL",
            "postgresq://user:secret@host/db",
            "DATABASE_URL must be a URL starting with postgresql:// or postgres://,"
            " got 'postgresq://user:***@host/db'",
        ),
        (
            "REDIS_URL",
            "redis:/user:secret@cache:6379/0",
            "REDIS_URL must be a URL starting with redis://, rediss:// or unix://,"
            " got 'redis:/user:***@cache:6379/0'",
        ),
        (
            "EXTERNAL_MOVIES_API_URL",
            "htps://reader:se/cr@t@movies.example/api",
            "EXTERNAL_MOVIES_API_URL must be a URL starting with http:// or https://,"
            " got 'htps://reader:***@movies.example/api'",
        ),
    ],
)
def test_a_mistyped_url_stops_serve_without_its_password(
    tmp_path: Path, setting: str, mistyped: str, shown: str
) -> None:
    """`moviecore serve` with a mistyped URL exits with code 2 and one line naming the
    setting, the URL shown with its password replaced by ***."""
    environment = {
        "DATABASE_URL": "postgresql://127.0.0.1/moviecore",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "JWT_SECRET": SECRET,
        setting: mistyped,
    }
    result = _run(["serve"], tmp_path, **environment)
    assert (result.returncode, result.stderr) == (2, f"moviecore: {shown}\n")


def test_bad_setting_stops_the_command_with_one_line(tmp_path: Path) -> None:
    """`moviecore serve` with PORT=abc exits with code 2 and one line on stderr, no traceback."""
    result = _run(["serve"], tmp_path, PORT="abc", DATA_DIR=str(tmp_path / "data"))
    assert (result.returncode, result.stderr) == (
        2,
        "moviecore: PORT must be an integer, got 'abc'\n",
    )


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_missing_database_stops_the_command_saying_how_to_create_it(
    tmp_path: Path, postgres_url: str, command: str
) -> None:
    """A DATABASE_URL naming a database that does not exist stops `serve` and `migrate` at
    once with exit code 2 and one line giving the command that creates it."""
    parts = urlsplit(postgres_url)
    missing = parts._replace(path="/moviecore_missing").geturl()
    result = _run(
        [command],
        tmp_path,
        DATABASE_URL=missing,
        REDIS_URL="redis://127.0.0.1:6379/0",
        JWT_SECRET=SECRET,
    )
    flags = f"-h {parts.hostname} -p {parts.port} -U {parts.username}"
    assert (result.returncode, result.stderr) == (
        2,
        'moviecore: DATABASE_URL: database "moviecore_missing" does not exist;'
        f" create it with: createdb {flags} moviecore_missing\n",
    )


def test_a_redis_url_of_another_scheme_stops_serve_with_one_line(tmp_path: Path) -> None:
    """`moviecore serve` with REDIS_URL=http://nope exits with code 2 and one line naming it."""
    result = _run(
        ["serve"],
        tmp_path,
        DATABASE_URL="postgresql://127.0.0.1/moviecore",
        REDIS_URL="http://nope",
        JWT_SECRET=SECRET,
    )
    assert (result.returncode, result.stderr) == (
        2,
        "moviecore: REDIS_URL must be a URL starting with redis://, rediss:// or unix://,"
        " got 'http://nope'\n",
    )


def test_catalog_import_fills_the_local_catalog(tmp_path: Path) -> None:
    """`moviecore catalog import` adds the movies of a file, and `migrate` succeeds after."""
    movie = {"uuid": str(uuid.uuid4()), "title": "Imported", "description": "", "genres": "Drama"}
    source = tmp_path / "movies.json"
    source.write_text(json.dumps({"results": [movie]}), encoding="utf-8")
    data = str(tmp_path / "data")
    imported = _run(["catalog", "import", str(source)], tmp_path, DATA_DIR=data)
    migrated = _run(["migrate"], tmp_path, DATA_DIR=data)
    assert (imported.returncode, imported.stdout, migrated.returncode, migrated.stdout) == (
        0,
        f"moviecore: {source}: 1 movie added, 0 replaced, 0 rejected; the catalog holds 1 movie\n",
        0,
        "moviecore: nothing to apply; the database is up to date\n",
    )


def test_unreadable_import_file_fails_with_one_line(tmp_path: Path) -> None:
    """Importing a missing file exits with code 1 and one line naming the problem."""
    result = _run(
        ["catalog", "import", str(tmp_path / "absent.json")], tmp_path, DATA_DIR=str(tmp_path)
    )
    assert (result.returncode, result.stderr.count("\n"), result.stderr[:11]) == (
        1,
        1,
        "moviecore: ",
    )
