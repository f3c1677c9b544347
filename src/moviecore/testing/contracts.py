"""Contract tests: what every adapter of a port must do, as pytest base classes.

Subclass one per adapter and provide the fixtures it names (they may be async):

    class TestMyCollections(CollectionRepositoryContract):
        @pytest.fixture
        async def store(self): ...
        @pytest.fixture
        def users(self, store): return store.users
        @pytest.fixture
        def collections(self, store): return store.collections

| base class | fixtures |
|---|---|
| UserRepositoryContract | ``users`` |
| CollectionRepositoryContract | ``users`` and ``collections`` of the same store |
| MovieStoreContract | ``movie_store``: empty, 10 movies a page |
| CatalogSearchContract | ``movie_store``: empty, 10 movies a page |
| RequestCounterContract | ``counter``: fresh, reading 0 |
| LoginThrottleContract | ``throttle``: at most 5 failures in a 60 s window |
| PasswordHasherContract | ``hasher`` |
| TokenIssuerContract | ``tokens`` |

Every class also provides ``anyio_backend`` (asyncio), so a suite needs nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from uuid import UUID, uuid4

import pytest

from moviecore import (
    CatalogPage,
    Collection,
    CollectionRepository,
    CollectionSummary,
    InvalidToken,
    LoginThrottle,
    Movie,
    MovieQuery,
    MovieStore,
    PasswordHasher,
    RequestCounter,
    TokenIssuer,
    TooManyAttempts,
    User,
    UsernameTaken,
    UserRepository,
    count_genres,
    search_words,
)

from ._catalogs import sample_catalog
from ._reference import reference_search

__all__ = [
    "CatalogSearchContract",
    "CollectionRepositoryContract",
    "LoginThrottleContract",
    "MovieStoreContract",
    "PasswordHasherContract",
    "RequestCounterContract",
    "TokenIssuerContract",
    "UserRepositoryContract",
]


class _Contract:
    # Module scope, like anyio's own fixture, so module-scoped async fixtures may use it.
    @pytest.fixture(scope="module")
    @staticmethod
    def anyio_backend() -> str:
        """Run the contract's async tests on asyncio."""
        return "asyncio"


def _user(username: str | None = None) -> User:
    name = username or f"user-{uuid4().hex[:12]}"
    return User(id=uuid4(), username=name, password_hash=f"hash-of-{name}")


def _movie(title: str, genres: str = "", description: str = "") -> Movie:
    return Movie(uuid=uuid4(), title=title, description=description, genres=genres)


def _collection(owner: UUID, title: str, *movies: Movie, description: str = "") -> Collection:
    return Collection(uuid4(), owner, title, description, tuple(movies))


def _summary(collection: Collection) -> CollectionSummary:
    return CollectionSummary(collection.uuid, collection.title, collection.description)


def _positive(counts: Mapping[str, int]) -> dict[str, int]:
    # A store may keep a genre whose count fell to 0; nothing can observe the difference.
    return {genre: n for genre, n in counts.items() if n}


def _expected_counts(collections: Iterable[Collection]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for collection in collections:
        total.update(count_genres(collection.movies))
    return dict(total)


class UserRepositoryContract(_Contract):
    """Accounts: stored whole, found by id or by username in any case, names unique."""

    @pytest.mark.anyio
    async def test_added_user_is_found_by_id_and_username(self, users: UserRepository) -> None:
        """A stored user comes back whole by its id and by its exact username."""
        user = _user("Ada.Lovelace+1@x")
        await users.add(user)
        assert (await users.by_id(user.id), await users.by_username(user.username)) == (user, user)

    @pytest.mark.anyio
    async def test_username_lookup_ignores_case(self, users: UserRepository) -> None:
        """Looking a user up in another case finds the user with the name as registered."""
        user = _user(f"MixedCase-{uuid4().hex[:8]}")
        await users.add(user)
        assert await users.by_username(user.username.swapcase()) == user

    @pytest.mark.anyio
    async def test_unknown_user_is_none(self, users: UserRepository) -> None:
        """An id or a username nobody has finds nothing."""
        await users.add(_user())
        assert (await users.by_id(uuid4()), await users.by_username("nobody-here")) == (None, None)

    @pytest.mark.anyio
    async def test_duplicate_username_in_any_case_is_taken(self, users: UserRepository) -> None:
        """A second user whose name differs only in case is refused and the first stays."""
        first = _user(f"grace-{uuid4().hex[:8]}")
        await users.add(first)
        second = _user(first.username.upper())
        with pytest.raises(UsernameTaken):
            await users.add(second)
        assert (await users.by_username(first.username), await users.by_id(second.id)) == (
            first,
            None,
        )


class CollectionRepositoryContract(_Contract):
    """Collections: owner-scoped, newest first, replaced whole, genre counts kept on write."""

    @pytest.fixture
    async def owner(self, users: UserRepository) -> UUID:
        """A stored user owning the test's collections."""
        user = _user()
        await users.add(user)
        return user.id

    @pytest.fixture
    async def stranger(self, users: UserRepository) -> UUID:
        """Another stored user, who must see none of the owner's collections."""
        user = _user()
        await users.add(user)
        return user.id

    @pytest.mark.anyio
    async def test_round_trip_keeps_movies_in_order(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A stored collection comes back whole, its movies in the order given."""
        movies = [_movie(f"Film {n} \N{CLAPPER BOARD}", "Drama, Comedy", "d" * n) for n in range(5)]
        collection = _collection(owner, "Mixed bag", *reversed(movies), description="ünïcode")
        await collections.add(collection)
        assert await collections.get(owner, collection.uuid) == collection

    @pytest.mark.anyio
    async def test_empty_collection_round_trips(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A collection without movies or description comes back as stored."""
        collection = _collection(owner, "Empty")
        await collections.add(collection)
        assert await collections.get(owner, collection.uuid) == collection

    @pytest.mark.anyio
    async def test_unknown_collection_is_absent(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Reading, replacing or removing a uuid never stored finds nothing."""
        ghost = _collection(owner, "Ghost")
        assert (
            await collections.get(owner, ghost.uuid),
            await collections.replace(ghost),
            await collections.remove(owner, ghost.uuid),
        ) == (None, False, False)

    @pytest.mark.anyio
    async def test_another_owner_sees_nothing(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """Another owner can neither read, list, replace nor remove a collection."""
        collection = _collection(owner, "Mine", _movie("Heat", "Crime"))
        await collections.add(collection)
        hijacked = replace(collection, owner=stranger, title="Theirs")
        assert (
            await collections.get(stranger, collection.uuid),
            await collections.page(stranger, 0, 10),
            await collections.replace(hijacked),
            await collections.remove(stranger, collection.uuid),
            _positive(await collections.genre_counts(stranger)),
        ) == (None, ([], 0), False, False, {})
        assert await collections.get(owner, collection.uuid) == collection

    @pytest.mark.anyio
    async def test_pages_are_newest_first(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Pages slice the owner's collections newest first, each with the total count."""
        stored = [_collection(owner, f"C{n}", description=f"number {n}") for n in range(5)]
        for collection in stored:
            await collections.add(collection)
        newest = [_summary(c) for c in reversed(stored)]
        pages = [await collections.page(owner, offset, 2) for offset in (0, 2, 4, 6)]
        assert [(list(items), count) for items, count in pages] == [
            (newest[0:2], 5),
            (newest[2:4], 5),
            (newest[4:], 5),
            ([], 5),
        ]

    @pytest.mark.anyio
    async def test_replace_overwrites_whole_and_keeps_place(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A replaced collection shows only its new fields and movies, in its old place."""
        first = _collection(owner, "First", _movie("A", "Drama"), _movie("B", "Drama, War"))
        second = _collection(owner, "Second")
        await collections.add(first)
        await collections.add(second)
        new = replace(first, title="Renamed", description="now", movies=(_movie("C", "Horror"),))
        assert await collections.replace(new)
        items, count = await collections.page(owner, 0, 10)
        assert (await collections.get(owner, first.uuid), list(items), count) == (
            new,
            [_summary(second), _summary(new)],
            2,
        )

    @pytest.mark.anyio
    async def test_removed_collection_is_gone(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """A removed collection can no longer be read, listed or removed again."""
        kept = _collection(owner, "Kept")
        gone = _collection(owner, "Gone", _movie("X", "Drama"))
        await collections.add(kept)
        await collections.add(gone)
        assert await collections.remove(owner, gone.uuid)
        items, count = await collections.page(owner, 0, 10)
        assert (
            await collections.get(owner, gone.uuid),
            await collections.remove(owner, gone.uuid),
            list(items),
            count,
        ) == (None, False, [_summary(kept)], 1)

    @pytest.mark.anyio
    async def test_genre_counts_follow_every_write(
        self, collections: CollectionRepository, owner: UUID
    ) -> None:
        """Genre counts match the owner's collections after adds, a replace and a remove."""
        a = _collection(owner, "A", _movie("1", "Drama, Comedy"), _movie("2", " Drama ,drama,,"))
        b = _collection(owner, "B", _movie("3", "Comedy,Comedy"), _movie("4", ""))
        c = _collection(owner, "C", _movie("5", "War"))
        for collection in (a, b, c):
            await collections.add(collection)
        after_add = _positive(await collections.genre_counts(owner))
        b2 = replace(b, movies=(_movie("6", "Horror, Drama"),))
        await collections.replace(b2)
        after_replace = _positive(await collections.genre_counts(owner))
        await collections.remove(owner, c.uuid)
        after_remove = _positive(await collections.genre_counts(owner))
        assert (after_add, after_replace, after_remove) == (
            _expected_counts([a, b, c]),
            _expected_counts([a, b2, c]),
            _expected_counts([a, b2]),
        )

    @pytest.mark.anyio
    async def test_same_movie_in_two_collections(
        self, collections: CollectionRepository, owner: UUID, stranger: UUID
    ) -> None:
        """One movie uuid may sit in several collections, each keeping its own snapshot."""
        movie = _movie("Alien", "Horror, Sci-Fi")
        mine = _collection(owner, "Mine", movie)
        again = _collection(owner, "Again", replace(movie, title="Alien (1979)", genres="Horror"))
        theirs = _collection(stranger, "Theirs", replace(movie, genres="Comedy"))
        for collection in (mine, again, theirs):
            await collections.add(collection)
        stored = [await collections.get(c.owner, c.uuid) for c in (mine, again, theirs)]
        counts_before = _positive(await collections.genre_counts(owner))
        await collections.remove(owner, again.uuid)
        assert (
            stored,
            counts_before,
            await collections.get(owner, mine.uuid),
            _positive(await collections.genre_counts(owner)),
            _positive(await collections.genre_counts(stranger)),
        ) == (
            [mine, again, theirs],
            {"Horror": 2, "Sci-Fi": 1},
            mine,
            {"Horror": 1, "Sci-Fi": 1},
            {"Comedy": 1},
        )


def _catalog(count: int) -> list[Movie]:
    return [_movie(f"Movie {n}", "Drama", f"about {n}") for n in range(count)]


class MovieStoreContract(_Contract):
    """A local catalog: pages of 10 in insertion order; put replaces by uuid in place."""

    @pytest.mark.anyio
    async def test_empty_store_has_an_empty_first_page(self, movie_store: MovieStore) -> None:
        """An empty catalog answers page 1 with no movies and a count of 0."""
        assert (await movie_store.page(1), await movie_store.count()) == (
            CatalogPage((), 0, 1, has_next=False),
            0,
        )

    @pytest.mark.anyio
    async def test_pages_follow_insertion_order(self, movie_store: MovieStore) -> None:
        """Movies page ten at a time in the order they were put, past the end empty."""
        movies = _catalog(25)
        await movie_store.put(movies[:12])
        await movie_store.put(movies[12:])
        pages = [await movie_store.page(number) for number in (1, 2, 3, 4)]
        assert (pages, await movie_store.count()) == (
            [
                CatalogPage(tuple(movies[0:10]), 25, 1, has_next=True),
                CatalogPage(tuple(movies[10:20]), 25, 2, has_next=True),
                CatalogPage(tuple(movies[20:]), 25, 3, has_next=False),
                CatalogPage((), 25, 4, has_next=False),
            ],
            25,
        )

    @pytest.mark.anyio
    async def test_full_last_page_has_no_next(self, movie_store: MovieStore) -> None:
        """With exactly ten movies the first page is also the last."""
        movies = _catalog(10)
        await movie_store.put(movies)
        assert await movie_store.page(1) == CatalogPage(tuple(movies), 10, 1, has_next=False)

    @pytest.mark.anyio
    async def test_put_replaces_by_uuid_in_place(self, movie_store: MovieStore) -> None:
        """Putting a stored uuid again updates that movie where it stands; new ones go last."""
        first, second, third = _catalog(3)
        await movie_store.put([first, second, third])
        renamed = replace(second, title="Renamed", genres="Comedy", description="new")
        newest = _movie("Newest")
        await movie_store.put([renamed, newest])
        await movie_store.put([])
        assert (await movie_store.page(1), await movie_store.count()) == (
            CatalogPage((first, renamed, third, newest), 4, 1, has_next=False),
            4,
        )


def _query(search: str, genre: str | None = None) -> MovieQuery:
    return MovieQuery(words=search_words(search), genre=genre)


async def _found(store: MovieStore, search: str, genre: str | None = None) -> list[str]:
    """The titles of every movie the search finds, page after page, in the order listed."""
    titles: list[str] = []
    number = 1
    while True:
        page = await store.search(_query(search, genre), number)
        titles += [movie.title for movie in page.movies]
        if not page.has_next:
            return titles
        number += 1


class CatalogSearchContract(_Contract):
    """Search of a local catalog: Unicode-aware word prefixes, ranked, paged like the listing."""

    @pytest.mark.anyio
    async def test_matches_are_ranked_then_in_catalog_order(self, movie_store: MovieStore) -> None:
        """The exact title comes first, then titles starting with the words, then titles
        holding them, then descriptions; equal ranks keep catalog order."""
        await movie_store.put(
            [
                _movie("Making of The Godfather"),
                _movie("Corleone", description="The Godfather's family, in New York."),
                _movie("The Godfather: Part II"),
                _movie("The Godfather"),
                _movie("Heat", description="Cops and robbers."),
                _movie("THE GODFATHER!"),
                _movie("The Godfathers of Soul"),
            ]
        )
        assert await _found(movie_store, "the godfather") == [
            "The Godfather",
            "THE GODFATHER!",
            "The Godfather: Part II",
            "The Godfathers of Soul",
            "Making of The Godfather",
            "Corleone",
        ]

    @pytest.mark.anyio
    async def test_case_and_accents_do_not_matter(self, movie_store: MovieStore) -> None:
        """Searches find titles whatever their case and accents, and the other way round."""
        await movie_store.put(
            [_movie("Amélie"), _movie("AMELIE 2"), _movie("Łódź Story"), _movie("Die Straße")]
        )
        assert [
            await _found(movie_store, search)
            for search in ("amelie", "AMÉLIE", "lodz", "ŁÓDŹ", "strasse")
        ] == [
            ["Amélie", "AMELIE 2"],
            ["Amélie", "AMELIE 2"],
            ["Łódź Story"],
            ["Łódź Story"],
            ["Die Straße"],
        ]

    @pytest.mark.anyio
    async def test_words_match_by_their_beginning(self, movie_store: MovieStore) -> None:
        """The start of a word finds it; its middle or end does not."""
        await movie_store.put([_movie("The Godfather"), _movie("Godzilla")])
        assert [await _found(movie_store, s) for s in ("godf", "god", "odfather", "father")] == [
            ["The Godfather"],
            ["Godzilla", "The Godfather"],
            [],
            [],
        ]

    @pytest.mark.anyio
    async def test_every_script_is_found_by_its_own_words(self, movie_store: MovieStore) -> None:
        """Cyrillic, Arabic, Greek and Japanese titles are found by their words."""
        await movie_store.put(
            [
                _movie("Война и мир"),
                _movie("الرسالة", description="فيلم عن بداية الإسلام"),
                _movie("Ζορμπάς"),
                _movie("千と千尋の神隠し"),
            ]
        )
        searches = ("мир", "ВОЙНА", "الرسالة", "بداية", "ζορμπας", "千尋", "神隠し")
        assert [await _found(movie_store, search) for search in searches] == [
            ["Война и мир"],
            ["Война и мир"],
            ["الرسالة"],
            ["الرسالة"],
            ["Ζορμπάς"],
            ["千と千尋の神隠し"],
            ["千と千尋の神隠し"],
        ]

    @pytest.mark.anyio
    async def test_punctuation_is_ignored(self, movie_store: MovieStore) -> None:
        """Hyphens, colons and apostrophes neither join nor hide words, in titles or searches."""
        await movie_store.put([_movie("Spider-Man: No Way Home"), _movie("Schindler's List")])
        searches = ("spider man", "spider-man no way", "schindler s", "(list)")
        assert [await _found(movie_store, search) for search in searches] == [
            ["Spider-Man: No Way Home"],
            ["Spider-Man: No Way Home"],
            ["Schindler's List"],
            ["Schindler's List"],
        ]

    @pytest.mark.anyio
    async def test_genre_keeps_its_movies_only(self, movie_store: MovieStore) -> None:
        """A genre matches exactly after trimming; without words it lists its movies in order."""
        await movie_store.put(
            [
                _movie("Night Train", genres="Comedy,  Drama "),
                _movie("Night Shift", genres="Horror"),
                _movie("Day Train", genres="Drama"),
                _movie("Night Dramas", genres="Dramatic, drama"),
            ]
        )
        assert [
            await _found(movie_store, "night", "Drama"),
            await _found(movie_store, "", "Drama"),
            await _found(movie_store, "night", "Science Fiction"),
        ] == [["Night Train"], ["Night Train", "Day Train"], []]

    @pytest.mark.anyio
    async def test_results_page_like_the_listing(self, movie_store: MovieStore) -> None:
        """Matches come ten a page with their count; past the last page, an empty page."""
        movies = [_movie(f"Heat {n}") for n in range(25)]
        await movie_store.put([_movie("Cold"), *movies])
        pages = [await movie_store.search(_query("heat"), number) for number in (1, 3, 4)]
        assert pages == [
            CatalogPage(tuple(movies[:10]), 25, 1, has_next=True),
            CatalogPage(tuple(movies[20:]), 25, 3, has_next=False),
            CatalogPage((), 25, 4, has_next=False),
        ]

    @pytest.mark.anyio
    async def test_replaced_movie_is_found_by_its_new_words(self, movie_store: MovieStore) -> None:
        """After a movie is put again, its new title finds it and its old one no longer does."""
        movie = _movie("Working Title", genres="Drama")
        await movie_store.put([movie])
        await movie_store.put([replace(movie, title="Final Cut", genres="Comedy")])
        assert [
            await _found(movie_store, "working"),
            await _found(movie_store, "final", "Comedy"),
            await _found(movie_store, "final", "Drama"),
        ] == [[], ["Final Cut"], []]

    @pytest.mark.anyio
    async def test_ranks_a_large_catalog_as_the_reference_does(
        self, movie_store: MovieStore
    ) -> None:
        """On 2,000 made-up movies in many scripts, the first two pages of every search hold
        what the plain reference ranks there."""
        catalog = sample_catalog(2000, seed=11)
        await movie_store.put(catalog)
        searches = ["the", "night of", "amelie", "ka", "сталкер", "東京", "part 3", "story ven"]
        searches += [catalog[n].title for n in range(0, 2000, 250)]
        expected = []
        for search in searches:
            found = reference_search(catalog, search)
            expected += [
                CatalogPage(tuple(found[:10]), len(found), 1, len(found) > 10),
                CatalogPage(tuple(found[10:20]), len(found), 2, len(found) > 20),
            ]
        pages = [await movie_store.search(_query(s), n) for s in searches for n in (1, 2)]
        assert pages == expected


class RequestCounterContract(_Contract):
    """The request counter: adds up, reads, resets to zero."""

    @pytest.mark.anyio
    async def test_counts_add_up(self, counter: RequestCounter) -> None:
        """A fresh counter reads 0, then the sum of everything added."""
        before = await counter.read()
        await counter.add()
        await counter.add(5)
        assert (before, await counter.read()) == (0, 6)

    @pytest.mark.anyio
    async def test_reset_starts_again_from_zero(self, counter: RequestCounter) -> None:
        """After a reset the count is 0 and counts only what comes after."""
        await counter.add(7)
        await counter.reset()
        after_reset = await counter.read()
        await counter.add()
        assert (after_reset, await counter.read()) == (0, 1)


def _key(name: str) -> str:
    # Unique per test, so that a store shared between tests cannot leak failures.
    return f"{name}-{uuid4().hex}"


class LoginThrottleContract(_Contract):
    """Login throttling: five failures in the window lock a key until the window ends."""

    @pytest.mark.anyio
    async def test_four_failures_still_allow_a_try(self, throttle: LoginThrottle) -> None:
        """A key with fewer than five failures may try again."""
        key = _key("alice")
        for _ in range(4):
            await throttle.check(key)
            await throttle.failed(key)
        await throttle.check(key)

    @pytest.mark.anyio
    async def test_five_failures_lock_the_key(self, throttle: LoginThrottle) -> None:
        """The fifth failure makes the key wait between 1 and 60 seconds."""
        key = _key("alice")
        for _ in range(5):
            await throttle.failed(key)
        with pytest.raises(TooManyAttempts) as raised:
            await throttle.check(key)
        assert 1 <= raised.value.retry_after <= 60

    @pytest.mark.anyio
    async def test_success_clears_the_failures(self, throttle: LoginThrottle) -> None:
        """After a success the key starts again with five tries."""
        key = _key("alice")
        for _ in range(4):
            await throttle.failed(key)
        await throttle.succeeded(key)
        for _ in range(4):
            await throttle.failed(key)
        await throttle.check(key)

    @pytest.mark.anyio
    async def test_a_locked_key_locks_no_other(self, throttle: LoginThrottle) -> None:
        """Failures of one key leave every other key free to try."""
        locked, other, never_seen = _key("alice"), _key("bob"), _key("carol")
        for _ in range(5):
            await throttle.failed(locked)
        await throttle.failed(other)
        await throttle.check(other)
        await throttle.check(never_seen)
        with pytest.raises(TooManyAttempts):
            await throttle.check(locked)


class PasswordHasherContract(_Contract):
    """Password hashing: salted, and verifying only the password that was hashed."""

    @pytest.mark.anyio
    async def test_verify_accepts_only_the_password(self, hasher: PasswordHasher) -> None:
        """The hashed password verifies; a different or empty one does not."""
        password = "correct horse 🐴"
        hashed = await hasher.hash(password)
        assert [
            await hasher.verify(candidate, hashed)
            for candidate in (password, "correct horse", password + " ", "")
        ] == [True, False, False, False]

    @pytest.mark.anyio
    async def test_hashes_are_salted(self, hasher: PasswordHasher) -> None:
        """Hashing one password twice gives two different hashes, both verifying."""
        first, second = await hasher.hash("same password"), await hasher.hash("same password")
        assert (first != second, await hasher.verify("same password", second)) == (True, True)


def _tampered(token: str) -> str:
    # Change the first character after the last dot: in a signature it always carries
    # signed bits, unlike the last base64 character whose low bits may be padding.
    at = token.rfind(".") + 1
    swapped = "A" if token[at] != "A" else "B"
    return token[:at] + swapped + token[at + 1 :]


class TokenIssuerContract(_Contract):
    """Access tokens: a token names its user; anything altered or foreign is refused."""

    def test_round_trip(self, tokens: TokenIssuer) -> None:
        """Each issued token verifies to the user it was issued for."""
        alice, bob = uuid4(), uuid4()
        assert (tokens.verify(tokens.issue(alice)), tokens.verify(tokens.issue(bob))) == (
            alice,
            bob,
        )

    def test_tampered_token_is_invalid(self, tokens: TokenIssuer) -> None:
        """A token with its signature altered is refused."""
        with pytest.raises(InvalidToken):
            tokens.verify(_tampered(tokens.issue(uuid4())))

    def test_truncated_token_is_invalid(self, tokens: TokenIssuer) -> None:
        """A token cut short is refused."""
        token = tokens.issue(uuid4())
        with pytest.raises(InvalidToken):
            tokens.verify(token[: len(token) // 2])

    @pytest.mark.parametrize(
        "garbage", ["", "Bearer", "a.b.c", ".", "\N{SNOWMAN}.\u2603", str(UUID(int=1))]
    )
    def test_garbage_is_invalid(self, tokens: TokenIssuer, garbage: str) -> None:
        """Strings that were never tokens are refused."""
        with pytest.raises(InvalidToken):
            tokens.verify(garbage)
