"""Entity tags of collections: the ETag a response carries and the If-Match a client sends.

A collection's ETag is its version in quotes (``"3"``): strong, and different after
every write, since every update adds one to the version.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Annotated

from litestar.datastructures import ResponseHeader
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter

_STRONG_TAG = re.compile(r'\s*"(?P<version>[1-9][0-9]{0,17})"\s*')

FIRST_VERSION = 1
"""The version of a collection just created."""

NEVER = 0
"""The version a tag that matches nothing stands for: versions start at 1."""

# Documents the header; handlers read every line of it from the request (expected_version).
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description=(
            "Change the collection only if its ETag is still this one (or `*`); "
            "otherwise answer 412 and change nothing."
        ),
    ),
]

IfNoneMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        required=False,
        description=(
            "The ETag of the copy the client holds: if it is still current, the answer is"
            " `304` with no body."
        ),
    ),
]

ETAG_HEADER = ResponseHeader(
    name="ETag",
    description="The collection's version, a strong entity tag that changes on every write;"
    " send it back in If-Match.",
    documentation_only=True,
)


NOT_MODIFIED = {
    HTTPStatus.NOT_MODIFIED.value: ResponseSpec(
        None, description="Not Modified: the copy named in If-None-Match is current; no body."
    )
}
"""The OpenAPI description of a 304."""


def etag(version: int) -> dict[str, str]:
    """The ETag header of a collection at ``version``."""
    return {"ETag": f'"{version}"'}


def not_modified(if_none_match: list[str], version: int) -> bool:
    """Whether the If-None-Match lines of a request name ``version`` (or are ``*``): the
    client's copy is current. Compared weakly, as RFC 9110 asks for If-None-Match."""
    tags = (tag.strip() for line in if_none_match for tag in line.split(","))
    current = f'"{version}"'
    return any(tag == "*" or tag.removeprefix("W/") == current for tag in tags)


def expected_version(if_match: list[str]) -> int | None:
    """The version the If-Match lines of a request require, or None when any will do.

    Every line counts, since HTTP reads repeated lines as one comma-separated list.
    ``*`` (or no header) matches any version. Anything but one strong tag of ours (a
    weak tag, a list of several, a malformed value) matches none, so the write is
    refused with 412 rather than risk overwriting a change the client has not seen.
    """
    if not if_match:
        return None
    value = ",".join(if_match)
    if value.strip() == "*":
        return None
    tag = _STRONG_TAG.fullmatch(value)
    return NEVER if tag is None else int(tag["version"])
