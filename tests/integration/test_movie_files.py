"""Movie files on disk: the bundled catalog, and user-supplied JSON and CSV files."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest

from adapters.movie_files import (
    GENRES,
    MAX_ERRORS,
    MovieFile,
    Rejected,
    bundled_movies,
    read_movies,
)
from moviecore import FieldError, Limits, Movie, ValidationError
from moviecore.ports import DEFAULT_LIMITS, split_genres

HEAT = Movie(
    UUID("3b241101-e2bb-4255-8caf-4136c566a962"),
    "Heat",
    "A thief and a detective, each the best at what he does.",
    "Action, Crime, Thriller",
)
AMELIE = Movie(
    UUID("0d7e0b7f-6f38-4c36-a2d5-6f1f1c0a9b11"),
    "Amélie",
    'A waitress in Paris, "shy" and kind,\nmends the lives around her.',
    "Comedy, Romance",
)


def _record(movie: Movie) -> dict[str, str]:
    return {
        "uuid": str(movie.uuid),
        "title": movie.title,
        "description": movie.description,
        "genres": movie.genres,
    }


def _write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _read(*movies: Movie) -> MovieFile:
    """What reading a file of ``movies`` and nothing else gives."""
    return MovieFile(movies=list(movies), rejected=[], rejected_count=0)


def _rejected(where: str, *errors: tuple[str, str]) -> Rejected:
    """A record rejected at ``where`` for ``(field, message)`` errors."""
    return Rejected(where, tuple(FieldError(field, message) for field, message in errors))


def _errors(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[FieldError, ...]:
    with pytest.raises(ValidationError) as caught:
        read_movies(path, limits)
    return caught.value.errors


class TestBundledCatalog:
    """The catalog shipped with the package."""

    def test_holds_at_least_120_movies_with_distinct_uuids_and_titles(self) -> None:
        """The bundled catalog lists at least 120 movies, none of them twice."""
        movies = bundled_movies()
        assert len(movies) >= 120
        assert len({movie.uuid for movie in movies}) == len(movies)
        assert len({movie.title for movie in movies}) == len(movies)

    def test_every_movie_fits_the_contract_limits(self) -> None:
        """Every bundled movie could be sent to the service as it stands."""
        too_long = [
            movie.title
            for movie in bundled_movies()
            if not 1 <= len(movie.title) <= DEFAULT_LIMITS.movie_title_max
            or not 1 <= len(movie.description) <= DEFAULT_LIMITS.movie_description_max
            or len(movie.genres) > DEFAULT_LIMITS.genres_max
        ]
        assert too_long == []

    def test_genres_come_from_one_vocabulary(self) -> None:
        """Every bundled movie has at least one genre, and all genres are spelled alike."""
        genres = {movie.title: split_genres(movie.genres) for movie in bundled_movies()}
        odd = {title: found - GENRES for title, found in genres.items() if not found <= GENRES}
        assert odd == {}
        assert [title for title, found in genres.items() if not found] == []


class TestReadingGoodFiles:
    """Files in either format give back their movies in file order."""

    def test_json_list(self, tmp_path: Path) -> None:
        """A JSON list of records reads as those movies."""
        path = _write_json(tmp_path / "movies.json", [_record(HEAT), _record(AMELIE)])
        assert read_movies(path) == _read(HEAT, AMELIE)

    def test_json_object_with_results(self, tmp_path: Path) -> None:
        """An upstream catalog page reads as its results, whatever other keys it has."""
        page = {"count": 2, "next": None, "results": [_record(AMELIE), _record(HEAT)]}
        path = _write_json(tmp_path / "page.JSON", page)
        assert read_movies(path) == _read(AMELIE, HEAT)

    def test_csv_with_columns_in_another_order(self, tmp_path: Path) -> None:
        """A CSV file reads by its header, with quoted commas, quotes and newlines intact."""
        path = tmp_path / "movies.csv"
        path.write_text(
            "genres,title,uuid,description\r\n"
            f'"Action, Crime, Thriller",Heat,{HEAT.uuid},"{HEAT.description}"\r\n'
            "\r\n"
            f'"Comedy, Romance",Amélie,{AMELIE.uuid},"A waitress in Paris, ""shy"" and kind,\n'
            'mends the lives around her."\r\n',
            encoding="utf-8-sig",
        )
        assert read_movies(path) == _read(HEAT, AMELIE)

    def test_empty_json_list(self, tmp_path: Path) -> None:
        """An empty JSON list reads as no movies."""
        assert read_movies(_write_json(tmp_path / "none.json", [])) == _read()


class TestRejectingBadRecords:
    """Records are fitted to the limits; those that cannot be served are rejected and named."""

    def test_json_records_follow_the_catalog_rule(self, tmp_path: Path) -> None:
        """Long text is cut, nulls are empty; each unusable record is named as results[i], with
        every field at fault."""
        long_title = "x" * 600
        records = [
            {**_record(HEAT), "description": None},
            {**_record(AMELIE), "uuid": "not-a-uuid"},
            {"uuid": str(AMELIE.uuid), "description": "", "genres": ""},
            {**_record(AMELIE), "title": long_title, "genres": "g\x00" * 501},
            {**_record(AMELIE), "description": 7},
            "Heat",
            {**_record(HEAT), "title": ""},
            _record(HEAT),
            {"uuid": 42, "title": "", "genres": []},
        ]
        path = _write_json(tmp_path / "bad.json", records)

        assert read_movies(path) == MovieFile(
            movies=[
                Movie(uuid=HEAT.uuid, title=HEAT.title, description="", genres=HEAT.genres),
                Movie(
                    uuid=AMELIE.uuid,
                    title=long_title[:500],
                    description=AMELIE.description,
                    genres="g" * 500,
                ),
            ],
            rejected=[
                _rejected("results[1]", ("uuid", "Invalid UUID")),
                _rejected("results[2]", ("title", "is required")),
                _rejected("results[4]", ("description", "Expected `str | null`, got `int`")),
                _rejected("results[5]", ("", "Expected `object`, got `str`")),
                _rejected("results[6]", ("title", "is empty")),
                _rejected("results[7]", ("uuid", "repeats the uuid of results[0]")),
                _rejected(
                    "results[8]",
                    ("uuid", "Expected `uuid`, got `int`"),
                    ("title", "is empty"),
                    ("genres", "Expected `str | null`, got `array`"),
                ),
            ],
            rejected_count=7,
        )

    def test_csv_records_are_named_by_line(self, tmp_path: Path) -> None:
        """Every unusable CSV row is named by the line it starts on, with every field at fault;
        the others are read."""
        path = tmp_path / "bad.csv"
        path.write_text(
            "uuid,title,description,genres\n"
            f'{HEAT.uuid},Heat,"two\nlines",Crime\n'
            "42,Heat 2,,Crime\n"
            f"{AMELIE.uuid},,,Comedy\n"
            f"{AMELIE.uuid},Amélie,too,many,values\n"
            f"{HEAT.uuid},Heat again,,Crime\n"
            "x,,,\n",
            encoding="utf-8",
        )
        assert read_movies(path) == MovieFile(
            movies=[Movie(uuid=HEAT.uuid, title="Heat", description="two\nlines", genres="Crime")],
            rejected=[
                _rejected("line 4", ("uuid", "Invalid UUID")),
                _rejected("line 5", ("title", "is empty")),
                _rejected("line 6", ("", "has 5 values but the header names 4 columns")),
                _rejected("line 7", ("uuid", "repeats the uuid of line 2")),
                _rejected("line 8", ("uuid", "Invalid UUID"), ("title", "is empty")),
            ],
            rejected_count=5,
        )

    def test_csv_header_must_name_every_column(self, tmp_path: Path) -> None:
        """A CSV header without some of the four columns is rejected, naming them."""
        path = tmp_path / "partial.csv"
        path.write_text(f"uuid,title\n{HEAT.uuid},Heat\n", encoding="utf-8")
        assert _errors(path) == (FieldError("header", "lacks the columns: description, genres"),)

    def test_limits_are_the_callers(self, tmp_path: Path) -> None:
        """Configured limits apply instead of the defaults."""
        path = _write_json(tmp_path / "movies.json", [_record(HEAT), _record(AMELIE)])
        limits = Limits(movie_title_max=5, genres_max=16)
        assert read_movies(path, limits) == _read(
            Movie(
                uuid=HEAT.uuid,
                title="Heat",
                description=HEAT.description,
                genres="Action, Crime, T",
            ),
            Movie(
                uuid=AMELIE.uuid,
                title="Améli",
                description=AMELIE.description,
                genres=AMELIE.genres,
            ),
        )

    def test_rejected_records_are_named_up_to_the_cap(self, tmp_path: Path) -> None:
        """A thoroughly broken file names its first MAX_ERRORS bad records and counts them all."""
        records = [{**_record(HEAT), "uuid": "bad"} for _ in range(MAX_ERRORS + 10)]
        expected = [
            _rejected(f"results[{index}]", ("uuid", "Invalid UUID")) for index in range(MAX_ERRORS)
        ]
        assert read_movies(_write_json(tmp_path / "bad.json", records)) == MovieFile(
            movies=[], rejected=expected, rejected_count=MAX_ERRORS + 10
        )


class TestReportingBadFiles:
    """A file that cannot be read as a whole is reported under the field "file"."""

    def test_unknown_suffix(self, tmp_path: Path) -> None:
        """A file that is neither .json nor .csv is refused before it is read."""
        path = tmp_path / "movies.txt"
        path.write_text("[]", encoding="utf-8")
        assert _errors(path) == (FieldError("file", "must end in .csv or .json"),)

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that does not exist is reported as unreadable."""
        path = tmp_path / "absent.json"
        assert _errors(path) == (FieldError("file", "cannot be read: No such file or directory"),)

    @pytest.mark.parametrize(
        "content",
        [
            pytest.param(b'[{"uuid": ', id="truncated"),
            pytest.param(b"\xff[]", id="not-utf8"),
            pytest.param(b'{"count": 1}', id="no-results"),
            pytest.param(b'"movies"', id="neither-list-nor-object"),
        ],
    )
    def test_json_that_is_not_a_catalog(self, tmp_path: Path, content: bytes) -> None:
        """JSON that is malformed, or not in the catalog format, is reported as a whole."""
        path = tmp_path / "broken.json"
        path.write_bytes(content)
        prefix = "is not valid JSON in the catalog format: "
        assert [(error.field, error.message.startswith(prefix)) for error in _errors(path)] == [
            ("file", True)
        ]

    def test_csv_that_is_not_utf8(self, tmp_path: Path) -> None:
        """A CSV file in another encoding is reported with the offending byte."""
        path = tmp_path / "latin1.csv"
        path.write_bytes("uuid,title,description,genres\nx,Amélie,,\n".encode("latin-1"))
        assert _errors(path) == (FieldError("file", "is not valid UTF-8 (byte 34)"),)
