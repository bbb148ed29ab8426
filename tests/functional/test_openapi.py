"""The OpenAPI document: valid, complete, and true to the app under fuzzing (schemathesis)."""

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from tests.builders import issue_token, make_user
from warehouse.domain.accounts import Role

UNDOCUMENTED = {"api-docs.openapi_json", "apidocs.docs"}
# CI runs a fixed, repeatable sample; WAREHOUSE_FUZZ_EXAMPLES=500 explores afresh each run.
FUZZ_EXAMPLES = int(os.environ.get("WAREHOUSE_FUZZ_EXAMPLES", "0"))


@pytest.fixture
def document(client_as):
    response = client_as("logistics").get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def test_the_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(app, document):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"][path], f"{method} {path}"


def test_every_operation_documents_the_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["responses"]["default"]["$ref"].endswith("DEFAULT_ERROR"), (method, path)


def test_only_token_login_is_documented_as_public(document):
    public = [(m, p) for p, ops in document["paths"].items() for m, op in ops.items()
              if isinstance(op, dict) and op.get("security") == []]
    assert public == [("post", "/api/v1/auth/token")]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine_name(request) -> str:
    """Fuzz on both engines: PostgreSQL is stricter about what it stores."""
    return request.param


@pytest.fixture
def api_schema(app):
    """The app's own document, called in-process with an admin's bearer token."""
    admin = make_user(app, Role.ADMIN, username="fuzzer")
    token = issue_token(app, admin, days=None, name="schemathesis")
    schema = schemathesis.openapi.from_dict(app.extensions["warehouse_api"].spec.to_dict())
    schema.app = app
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    # Every check but "schema-valid data is accepted": some rules (a taken name, a password
    # too simple) cannot be said in JSON Schema and rightly answer 409/422.
    schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])
    return schema


# Revoking tokens would revoke the fuzzer's own; test_api_conventions covers it.
fuzzed = schemathesis.pytest.from_fixture("api_schema").exclude(
    method="DELETE", path="/api/v1/tokens/{token_id}")


@fuzzed.parametrize()
@settings(max_examples=FUZZ_EXAMPLES or 60, derandomize=not FUZZ_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_never_fails_and_always_answers_as_documented(case):
    case.call_and_validate()
