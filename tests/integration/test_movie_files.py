"""Movie files on disk: the bundled catalog, and user-supplied JSON and CSV files."""

from __future__ import annotations

import json
from pathlib import Path
from uuid import UUID

import pytest

from adapters.movie_files import GENRES, MAX_ERRORS, bundled_movies, read_movies
from moviecore import DEFAULT_LIMITS, FieldError, Limits, Movie, ValidationError, split_genres

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
        assert read_movies(path) == [HEAT, AMELIE]

    def test_json_object_with_results(self, tmp_path: Path) -> None:
        """An upstream catalog page reads as its results, whatever other keys it has."""
        page = {"count": 2, "next": None, "results": [_record(AMELIE), _record(HEAT)]}
        path = _write_json(tmp_path / "page.JSON", page)
        assert read_movies(path) == [AMELIE, HEAT]

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
        assert read_movies(path) == [HEAT, AMELIE]

    def test_empty_json_list(self, tmp_path: Path) -> None:
        """An empty JSON list reads as no movies."""
        assert read_movies(_write_json(tmp_path / "none.json", [])) == []


class TestReportingBadRecords:
    """Each bad record is named by its place in the file and its field."""

    def test_json_errors_name_the_record_and_field(self, tmp_path: Path) -> None:
        """Every bad JSON record is reported at once, as results[index].field."""
        records = [
            _record(HEAT),
            {**_record(AMELIE), "uuid": "not-a-uuid"},
            {"uuid": str(AMELIE.uuid), "description": "", "genres": ""},
            {**_record(AMELIE), "title": "x" * 501, "genres": "g" * 501},
            {**_record(AMELIE), "description": 7},
            "Heat",
            _record(HEAT),
        ]
        assert _errors(_write_json(tmp_path / "bad.json", records)) == (
            FieldError("results[1].uuid", "Invalid UUID"),
            FieldError("results[2].title", "is required"),
            FieldError("results[3].title", "must be 1 to 500 characters long"),
            FieldError("results[3].genres", "must be 0 to 500 characters long"),
            FieldError("results[4].description", "Expected `str`, got `int`"),
            FieldError("results[5]", "Expected `object`, got `str`"),
            FieldError("results[6].uuid", "repeats the uuid of results[0]"),
        )

    def test_csv_errors_name_the_row_and_field(self, tmp_path: Path) -> None:
        """Every bad CSV row is reported at once, numbered as a spreadsheet shows it."""
        path = tmp_path / "bad.csv"
        path.write_text(
            "uuid,title,description,genres\n"
            f"{HEAT.uuid},Heat,,Crime\n"
            "42,Heat 2,,Crime\n"
            f"{AMELIE.uuid},,,Comedy\n"
            f"{AMELIE.uuid},Amélie,too,many,values\n"
            f"{HEAT.uuid},Heat again,,Crime\n",
            encoding="utf-8",
        )
        assert _errors(path) == (
            FieldError("row[3].uuid", "Invalid UUID"),
            FieldError("row[4].title", "must be 1 to 500 characters long"),
            FieldError("row[5]", "has 5 values but the header names 4 columns"),
            FieldError("row[6].uuid", "repeats the uuid of row[2]"),
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
        assert _errors(path, limits) == (
            FieldError("results[0].genres", "must be 0 to 16 characters long"),
            FieldError("results[1].title", "must be 1 to 5 characters long"),
        )

    def test_errors_stop_at_the_cap(self, tmp_path: Path) -> None:
        """A thoroughly broken file reports its first MAX_ERRORS errors, not thousands."""
        records = [{**_record(HEAT), "uuid": "bad"} for _ in range(MAX_ERRORS + 10)]
        expected = tuple(
            FieldError(f"results[{index}].uuid", "Invalid UUID") for index in range(MAX_ERRORS)
        )
        assert _errors(_write_json(tmp_path / "bad.json", records)) == expected


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
