"""Requests generated from the service's OpenAPI document, valid and invalid, as a signed-in user.

Every operation the document lists gets generated calls; each answer must be no
server error, have a documented status code and content type, and match the
documented schema. A failing check means the service or its document is wrong.
The calls reach a real server of each setup, whose own layer reads them first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, BaseSchema, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fixtures.server import ServerProcess, register_user

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
COLLECTION_PARAMETER = "collection_uuid"


@pytest.fixture
def api_schema(shared_server: ServerProcess) -> BaseSchema:
    """The OpenAPI document the running service serves."""
    return schemathesis.openapi.from_url(f"{shared_server.base_url}/schema/openapi.json")


def _operations(schema: BaseSchema) -> Iterator[APIOperation[Any, Any, Any, Any]]:
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()  # the document describes an operation badly
        yield result.ok()


def _seeded_collection(http: httpx.Client, auth: dict[str, str]) -> str:
    body = {
        "title": "Seed",
        "movies": [{"uuid": "00000000-0000-0000-0000-000000000001", "title": "M"}],
    }
    response = http.post("/collections/", headers=auth, json=body)
    assert response.status_code == httpx.codes.CREATED, response.text
    return str(response.json()["collection_uuid"])


def _cases(
    operation: APIOperation[Any, Any, Any, Any], existing: str
) -> st.SearchStrategy[Case[Any]]:
    """Valid and invalid calls; a collection path names an existing collection half the time."""
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(mode) for mode in modes]
    if COLLECTION_PARAMETER in operation.path:
        path = {COLLECTION_PARAMETER: existing}
        strategies += [operation.as_strategy(mode, path_parameters=path) for mode in modes]
    return st.one_of(strategies)


def _check_operation(
    operation: APIOperation[Any, Any, Any, Any], base_url: str, http: httpx.Client
) -> int:
    """Run generated calls of one operation as a fresh user; how many ran."""
    auth = register_user(http)
    existing = _seeded_collection(http, auth)
    ran = 0

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=_cases(operation, existing))
    def check(case: Case[Any]) -> None:
        nonlocal ran
        ran += 1
        response = case.call(base_url=base_url, headers=auth)
        case.validate_response(response, checks=CHECKS)

    check()
    return ran


def test_every_operation_answers_as_documented(
    api_schema: BaseSchema,
    shared_server: ServerProcess,
    server_client: httpx.Client,
    record_property: Callable[[str, object], None],
) -> None:
    """Every generated call of every operation gets a documented, well-formed answer, no 5xx."""
    ran = Counter(
        {
            operation.label: _check_operation(operation, shared_server.base_url, server_client)
            for operation in _operations(api_schema)
        }
    )
    record_property("generated_cases", ran.total())
    assert min(ran.values(), default=0) > 0
