"""An OpenAPI-driven fuzz run of the REST API (schemathesis over /api/openapi.json).

The app runs in-process (ASGI) over the sample store of tests/web_server.py. Every
operation gets a bounded, derandomized set of valid and of invalid requests: no answer may
be a 5xx, the answers must match what the schema declares (status codes, content types,
bodies) and invalid requests must be refused. POST /api/code runs the coder, so it gets
only a few examples.

Schemathesis's own pytest plugin (``schemathesis.pytest.from_fixture``) fails on pytest 9
(it sets ``Function._nodeid``), so each operation is driven through its Hypothesis
strategy (``APIOperation.as_strategy``) instead.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.jsonschema.types import JsonValue
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from eventcoder.web.app import create_app
from web_server import coded_store

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 25
CODING_EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
READ_OPERATIONS = (
    ("GET", "/api/health"),
    ("GET", "/api/stats"),
    ("GET", "/api/events"),
    ("GET", "/api/events/{event_id}"),
    ("GET", "/api/documents/{doc_id}"),
    ("GET", "/api/actors"),
    ("GET", "/api/timeline"),
    ("GET", "/api/network"),
    ("GET", "/api/places/map.svg"),
)
CODING_OPERATION = ("POST", "/api/code")
# the operations with a value an invalid request can get wrong (the others take no
# parameter, or any string as an id)
REFUSING_OPERATIONS = {
    "/api/events",
    "/api/actors",
    "/api/timeline",
    "/api/network",
    "/api/places/map.svg",
}
CASES = [
    *((method, path, GenerationMode.POSITIVE) for method, path in READ_OPERATIONS),
    *(
        (method, path, GenerationMode.NEGATIVE)
        for method, path in READ_OPERATIONS
        if path in REFUSING_OPERATIONS
    ),
]


@pytest.fixture(scope="module")
def api_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> OpenApiSchema:
    """The schema of an app over a copy of the sample store (POST /api/code may write)."""
    db = tmp_path_factory.mktemp("fuzz-store") / "events.db"
    shutil.copy(coded_store(tmp_path_factory), db)
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(f"sqlite:///{db}"))


def fuzz(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    examples: int,
    query: dict[str, Any] | None = None,
) -> None:
    """Send ``examples`` requests generated for ``operation`` (with the ``query`` values
    fixed) and check every answer."""

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, query=query))
    def send(case: Case[Any]) -> None:
        case.call_and_validate(checks=CHECKS)

    send()


def test_every_operation_is_fuzzed(api_schema: OpenApiSchema) -> None:
    paths = api_schema.raw_schema["paths"]
    found = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert found == {*READ_OPERATIONS, CODING_OPERATION}


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_read_operation(
    api_schema: OpenApiSchema, method: str, path: str, mode: GenerationMode
) -> None:
    fuzz(api_schema[path][method], mode, EXAMPLES_PER_OPERATION)


def test_timeline_of_a_known_pair(api_schema: OpenApiSchema) -> None:
    """Random actor codes are refused: the interval and dates fuzzed over a pair that exists."""
    operation = api_schema["/api/timeline"]["GET"]
    fuzz(
        operation,
        GenerationMode.POSITIVE,
        EXAMPLES_PER_OPERATION,
        {"source": "UKR", "target": "POL"},
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_code_operation(api_schema: OpenApiSchema, mode: GenerationMode) -> None:
    method, path = CODING_OPERATION
    fuzz(api_schema[path][method], mode, CODING_EXAMPLES)


def test_code_operation_codes_a_text(api_schema: OpenApiSchema) -> None:
    """Generated bodies rarely hold a valid date: one request that is coded for sure."""
    method, path = CODING_OPERATION
    body: JsonValue = {
        "text": "Poland condemned Russia over the missile strikes.",
        "date": "2024-02-05",
    }
    case = api_schema[path][method].Case(body=body, query={"store": "false"})
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200 and response.json()["events"]
