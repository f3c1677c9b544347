"""Request bodies checked whole: every wrong field named at once, in the service's words.

msgspec, which turns a body into its Struct (``_schemas``), stops at the first wrong
field and words it its own way (``Expected `str`, got `int```). A body it refuses is
walked here instead, along the Struct's own description (``msgspec.inspect``):
each field of the wrong type, missing or unknown is named, and the fields of the
right type are then held to the core's limits, so that a client fixes its body in one
round. A body msgspec accepts is not walked: measured on 1,000 movies, msgspec takes
2 ms and the walk 16 to 30 ms (a body with nulls is walked, then accepted). A walk
stops at MAX_ERRORS: 5 ms for 10,000 wrong movies.

A field set to ``null`` is taken as left out: a client's "no value" (``undefined``
in many clients, ``null`` in others) means the same here, so a required field sent
as ``null`` is missing, and an optional one gets its default (or, in an update,
stays as it is).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable
from uuid import UUID

import msgspec
import msgspec.inspect as schema

from moviecore import FieldError, Limits, ValidationError

MAX_ERRORS = 100
"""At most this many errors are listed: a list of 10,000 wrong movies is not 10,000 lines."""

_STAND_INS: dict[type[schema.Type], Any] = {
    schema.IntType: 0,
    schema.StrType: "",
    schema.UUIDType: str(UUID(int=0)),
    schema.ListType: [],
}
"""Values of the right type put in place of wrong ones, so the rest can be checked."""
_EXPECTED = {
    schema.IntType: "must be a whole number",
    schema.StrType: "must be a string",
    schema.UUIDType: "must be a UUID",
    schema.ListType: "must be a list",
    schema.StructType: "must be a JSON object",
}


_ABSENT = (schema.NoneType,)
"""What an optional field's type adds to the field's own."""


@runtime_checkable
class LimitedBody(Protocol):
    """A body whose fields the core holds to limits."""

    def limit_errors(self, limits: Limits) -> list[FieldError]:
        """Every limit the body breaks."""
        ...


def checked_body(raw: Any, struct: type[msgspec.Struct], limits: Limits) -> msgspec.Struct:
    """``raw`` as a ``struct``, its nulls left out; raise ValidationError naming every
    wrong field, and every limit the others break, if it is not one.

    Litestar converts what this returns into ``struct`` again: for an instance of it,
    that costs nothing (0.1 µs, against 2 ms from the JSON of 1,000 movies).
    """
    try:
        return msgspec.convert(raw, struct)
    except msgspec.ValidationError:
        pass
    errors: list[FieldError] = []
    cleaned = _walk(raw, schema.type_info(struct), "", errors)
    if len(errors) >= MAX_ERRORS:
        raise ValidationError(errors)
    stand_in = msgspec.convert(cleaned, struct)
    if not errors:
        return stand_in
    if isinstance(stand_in, LimitedBody) and errors[0].field != "body":
        wrong = tuple(error.field for error in errors)
        errors += [e for e in stand_in.limit_errors(limits) if not _under(e.field, wrong)]
    raise ValidationError(errors[:MAX_ERRORS])


def _under(field: str, wrong: tuple[str, ...]) -> bool:
    """Whether ``field`` is, or lies within, one of the fields already found wrong."""
    return any(field == w or field.startswith((f"{w}.", f"{w}[")) for w in wrong)


def _walk(value: Any, kind: schema.Type, at: str, errors: list[FieldError]) -> Any:
    """``value`` if it is of ``kind`` (nulls in objects left out), else a stand-in, with
    an error for each wrong part noted in ``errors`` under the path ``at``; once
    MAX_ERRORS are noted, the rest is not looked at."""
    if isinstance(kind, schema.UnionType):  # an optional field: X | None
        kind = next(t for t in kind.types if not isinstance(t, _ABSENT))
    if len(errors) >= MAX_ERRORS:
        return _stand_in(kind)
    if isinstance(kind, schema.StructType) and isinstance(value, dict):
        return _walk_object(value, kind, at, errors)
    if isinstance(kind, schema.ListType) and isinstance(value, list):
        return _walk_list(value, kind, at, errors)
    if isinstance(kind, schema.StrType) and isinstance(value, str):
        return value
    if isinstance(kind, schema.IntType) and type(value) is int:
        return value
    if isinstance(kind, schema.UUIDType) and isinstance(value, str) and _is_uuid(value):
        return value
    errors.append(FieldError(at or "body", _EXPECTED[type(kind)]))
    return _stand_in(kind)


def _walk_list(
    value: list[Any], kind: schema.ListType, at: str, errors: list[FieldError]
) -> list[Any]:
    walked = []
    for index, item in enumerate(value):
        if len(errors) >= MAX_ERRORS:
            break
        walked.append(_walk(item, kind.item_type, f"{at}[{index}]", errors))
    return walked


def _walk_object(
    value: dict[str, Any], kind: schema.StructType, at: str, errors: list[FieldError]
) -> dict[str, Any]:
    prefix = f"{at}." if at else ""
    names = {field.encode_name for field in kind.fields}
    errors.extend(
        FieldError(f"{prefix}{name}", "is not a field of this body; check its spelling")
        for name in value
        if name not in names
    )
    cleaned = {}
    for field in kind.fields:
        item = value.get(field.encode_name)
        path = f"{prefix}{field.encode_name}"
        if item is not None:
            cleaned[field.encode_name] = _walk(item, field.type, path, errors)
        elif field.required:
            errors.append(FieldError(path, "is required"))
            cleaned[field.encode_name] = _stand_in(field.type)
    return cleaned


def _stand_in(kind: schema.Type) -> Any:
    if isinstance(kind, schema.StructType):
        return {field.encode_name: _stand_in(field.type) for field in kind.fields if field.required}
    return _STAND_INS[type(kind)]


def _is_uuid(text: str) -> bool:
    """Whether msgspec, which reads the body next, takes ``text`` for a UUID."""
    try:
        msgspec.convert(text, UUID)
    except msgspec.ValidationError:
        return False
    return True
