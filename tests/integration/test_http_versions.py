"""Concurrent updates lose nothing, and ETag with If-Match guards against stale writes."""

from __future__ import annotations

import uuid
from functools import partial

import httpx

from fixtures.server import at_once, problem_of

TRIALS = 50


def _movie(title: str) -> dict[str, str]:
    return {"uuid": str(uuid.uuid4()), "title": title, "description": "", "genres": "Drama"}


def _create(http: httpx.Client, auth: dict[str, str], old: dict[str, str]) -> httpx.Response:
    created = http.post(
        "/collections/", headers=auth, json={"title": "OLD", "description": "kept", "movies": [old]}
    )
    assert created.status_code == 201, created.text
    return created


def _race(
    http: httpx.Client, auth: dict[str, str], path: str, movie: dict[str, str]
) -> list[tuple[int, str | None, object]]:
    """A title change and a movie change sent at the same moment: each answer's status, ETag
    and body, in the order of the versions they report."""
    changes: list[dict[str, object]] = [{"title": "NEW"}, {"movies": [movie]}]
    answers = at_once([partial(http.put, path, headers=auth, json=change) for change in changes])
    seen = [(a.status_code, a.headers.get("etag"), a.json()) for a in answers]
    return sorted(seen, key=lambda answer: str(answer[1]))


def test_simultaneous_partial_updates_both_stick(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """In 50 trials, a new title and a new movie list sent at once are both kept, and each
    answer is a state that was stored, with its own ETag."""
    outcomes = []
    for _ in range(TRIALS):
        old, new = _movie("Old"), _movie("New")
        uuid_ = _create(client, auth, old).json()["collection_uuid"]
        path = f"/collections/{uuid_}/"
        first, second = _race(client, auth, path, new)
        final = client.get(path, headers=auth)
        both = {"uuid": uuid_, "title": "NEW", "description": "kept", "movies": [new], "version": 3}
        one_change = [
            {**both, "movies": [old], "version": 2},
            {**both, "title": "OLD", "version": 2},
        ]
        outcomes.append(
            (
                final.json() == both,
                final.headers["etag"],
                (first[0], first[1], first[2] in one_change),
                (second[0], second[1], second[2] == both),
            )
        )
    assert outcomes == [(True, '"3"', (200, '"2"', True), (200, '"3"', True))] * TRIALS


def test_every_write_changes_the_etag(client: httpx.Client, auth: dict[str, str]) -> None:
    """A new collection, a read and each update carry a strong ETag that changes on every
    write and matches what a read then shows."""
    created = _create(client, auth, _movie("Old"))
    path = f"/collections/{created.json()['collection_uuid']}/"
    tags = [created.headers["etag"], client.get(path, headers=auth).headers["etag"]]
    for body in ({"title": "Two"}, {"title": "Two"}, {"movies": []}):
        tags.append(client.put(path, headers=auth, json=body).headers["etag"])
        tags.append(client.get(path, headers=auth).headers["etag"])
    assert tags == ['"1"', '"1"', '"2"', '"2"', '"3"', '"3"', '"4"', '"4"']


def test_stale_if_match_is_412_and_changes_nothing(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A PUT or DELETE whose If-Match is not the current ETag (an old one, a weak one, a
    list, garbage) answers 412 problem details naming the current ETag, and changes nothing."""
    created = _create(client, auth, _movie("Old"))
    path = f"/collections/{created.json()['collection_uuid']}/"
    client.put(path, headers=auth, json={"title": "Current"})
    before = client.get(path, headers=auth).json()
    stale_tags = ['"1"', 'W/"2"', '"1", "2"', "2", "garbage", '"99999999999999999999"']
    answers = []
    for tag in stale_tags:
        guarded = {**auth, "If-Match": tag}
        answers.append(client.put(path, headers=guarded, json={"title": "Lost"}))
        answers.append(client.delete(path, headers=guarded))
    after = client.get(path, headers=auth)
    assert {(*problem_of(answer)[:2], answer.headers.get("etag")) for answer in answers} == {
        (412, "application/problem+json", '"2"')
    }
    assert {(a.json()["type"], a.json()["detail"]) for a in answers} == {
        ("urn:moviecore:problem:version-mismatch", 'If-Match does not name the current ETag, "2"')
    }
    assert (after.json(), after.headers["etag"]) == (before, '"2"')


def test_if_match_on_several_lines_is_one_list(client: httpx.Client, auth: dict[str, str]) -> None:
    """If-Match sent on two lines is read as the list of both, whatever their order: a list
    of several tags never matches, so both orders answer 412."""
    created = _create(client, auth, _movie("Old"))
    path = f"/collections/{created.json()['collection_uuid']}/"
    token = [("Authorization", auth["Authorization"])]
    answers = [
        client.put(path, headers=[*token, ("If-Match", a), ("If-Match", b)], json={"title": "x"})
        for a, b in (('"1"', '"7"'), ('"7"', '"1"'), ("*", '"7"'))
    ]
    assert [answer.status_code for answer in answers] == [412, 412, 412]


def test_current_if_match_goes_through(client: httpx.Client, auth: dict[str, str]) -> None:
    """A PUT with the current ETag (or *) in If-Match is applied, and so is a DELETE."""
    created = _create(client, auth, _movie("Old"))
    path = f"/collections/{created.json()['collection_uuid']}/"
    first = client.put(path, headers={**auth, "If-Match": '"1"'}, json={"title": "Two"})
    second = client.put(path, headers={**auth, "If-Match": "*"}, json={"title": "Three"})
    deleted = client.delete(path, headers={**auth, "If-Match": second.headers["etag"]})
    gone = client.get(path, headers=auth)
    assert (
        (first.status_code, first.json()["title"], first.headers["etag"]),
        (second.status_code, second.json()["title"], second.headers["etag"]),
        deleted.status_code,
        gone.status_code,
    ) == ((200, "Two", '"2"'), (200, "Three", '"3"'), 200, 404)


def test_if_match_on_a_missing_collection_is_404(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """If-Match does not hide that a collection does not exist: the answer stays 404."""
    path = f"/collections/{uuid.uuid4()}/"
    guarded = {**auth, "If-Match": '"1"'}
    answers = [
        client.put(path, headers=guarded, json={"title": "x"}),
        client.delete(path, headers=guarded),
    ]
    assert [answer.status_code for answer in answers] == [404, 404]


def test_openapi_documents_etag_and_if_match(client: httpx.Client) -> None:
    """The OpenAPI document lists the ETag (and a creation's Location) header, the If-Match
    parameter and the 412."""
    paths = client.get("/schema/openapi.json").json()["paths"]
    one = paths["/collections/{collection_uuid}/"]
    assert (
        "ETag" in one["get"]["responses"]["200"]["headers"],
        "ETag" in one["put"]["responses"]["200"]["headers"],
        sorted(paths["/collections/"]["post"]["responses"]["201"]["headers"]),
        [p["name"] for p in one["put"]["parameters"] if p["in"] == "header"],
        [p["name"] for p in one["delete"]["parameters"] if p["in"] == "header"],
        "412" in one["put"]["responses"] and "412" in one["delete"]["responses"],
    ) == (True, True, ["ETag", "Location"], ["If-Match"], ["If-Match"], True)


def test_if_none_match_of_the_current_etag_is_a_304(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A GET naming the ETag the client holds is 304 with no body while the collection is
    unchanged (also as a weak tag, in a list or as *), and 200 once it has changed."""
    path = client.post("/collections/", headers=auth, json={"title": "Cached"}).headers["location"]

    def read(if_none_match: str) -> tuple[int, str, bytes]:
        answer = client.get(path, headers={**auth, "If-None-Match": if_none_match})
        return answer.status_code, answer.headers["etag"], answer.content

    unchanged = [read(tag) for tag in ('"1"', 'W/"1"', '"7", "1"', "*")]
    other = read('"2"')
    client.put(path, headers=auth, json={"title": "Changed"})
    changed = read('"1"')
    assert (unchanged, other[:2], changed[:2]) == (
        [(304, '"1"', b"")] * 4,
        (200, '"1"'),
        (200, '"2"'),
    )
