"""A made-up movie catalog of any size, the same for the same seed, for search tests and load.

Titles mix common English words with made-up names (so most searches for a name
find a few movies, as in a real catalog), accented words, and titles in
Cyrillic, Arabic, Greek and Japanese; descriptions are mostly made-up names too.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from uuid import UUID

from moviecore import Movie

# fmt: off
_ENGLISH = (
    "night", "love", "war", "city", "river", "house", "man", "woman", "girl", "boy", "king",
    "queen", "death", "life", "road", "star", "heart", "blood", "dream", "shadow", "summer",
    "winter", "island", "secret", "story", "journey", "fire", "sea", "moon", "sun", "storm",
    "ghost", "stranger", "garden", "empire", "machine", "witness", "harbor", "kingdom", "world",
    "dark",
)
_ADJECTIVES = (
    "last", "silent", "crimson", "hidden", "broken", "golden", "midnight", "wild", "lost",
    "little", "great", "long", "cold", "red", "black", "white", "strange", "eternal", "final",
    "dangerous", "lonely",
)
_ACCENTED = (
    "Amélie", "café", "été", "déjà", "vu", "Niño", "Corazón", "Señor", "Über", "Straße", "Mädchen",
    "Ørsted", "Łódź", "Crème", "Brûlée", "Noël", "Fiancée", "Soupçon", "Piñata", "Dvořák", "Český",
    "Ísland", "Göteborg", "São", "Paulo",
)
_OTHER_SCRIPTS = (
    "Сталкер", "Война и мир", "Брат", "Ночь над городом", "Летят журавли",
    "الرسالة", "ليل القاهرة", "باب الحديد",
    "Ζορμπάς", "\N{GREEK CAPITAL LETTER OMICRON} θίασος",
    "東京物語", "千と千尋の神隠し", "七人の侍",
)
_GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "Horror", "Romance", "Science Fiction", "Thriller", "War",
)
_SYLLABLES = (
    "ka", "ro", "mi", "ta", "ven", "dor", "li", "sa", "mar", "gol", "thu", "ben", "ris", "zan",
    "el", "or", "vik", "nu", "pe", "lo", "ash",
)
# fmt: on


def _name(rng: random.Random) -> str:
    """A made-up proper name of two or three syllables, such as ``Vendorli``."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


_TITLES: tuple[Callable[[random.Random], str], ...] = (
    lambda rng: f"The {rng.choice(_ADJECTIVES).title()} {rng.choice(_ENGLISH).title()}",
    lambda rng: f"{rng.choice(_ENGLISH).title()} of the {rng.choice(_ENGLISH).title()}",
    lambda rng: f"{_name(rng)}",
    lambda rng: f"{_name(rng)}'s {rng.choice(_ENGLISH).title()}",
    lambda rng: f"{rng.choice(_ADJECTIVES).title()} {_name(rng)}: Part {rng.randint(2, 4)}",
    lambda rng: f"{rng.choice(_ACCENTED)} {_name(rng)}",
    lambda rng: f"{rng.choice(_OTHER_SCRIPTS)} {rng.randint(2, 99)}",
)
_WEIGHTS = (20, 15, 20, 15, 10, 12, 8)


_SYNOPSES = (
    "{0} meets {1} on the road to {2}.",
    "When {0} leaves {1}, nothing in {2} stays the same.",
    "{0} and {1} search for the lost {3} of {2}.",
    "In {2}, {0} must choose between {1} and the {3}.",
)


def _description(rng: random.Random) -> str:
    # Mostly made-up names, so that most words of a description are rare, as in a real
    # catalog's synopses; a common noun now and then.
    names = (_name(rng), _name(rng), _name(rng))
    return rng.choice(_SYNOPSES).format(*names, rng.choice(_ENGLISH))


def sample_catalog(size: int, seed: int = 0) -> list[Movie]:
    """``size`` made-up movies, always the same ones for the same ``seed``."""
    rng = random.Random(seed)
    movies = []
    for _ in range(size):
        title = rng.choices(_TITLES, _WEIGHTS)[0](rng)
        movies.append(
            Movie(
                uuid=UUID(int=rng.getrandbits(128), version=4),
                title=title,
                description=_description(rng),
                genres=", ".join(rng.sample(_GENRES, rng.randint(1, 3))),
            )
        )
    return movies
