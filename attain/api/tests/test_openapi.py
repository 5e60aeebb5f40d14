"""The API document: every operation named `<noun>_<verb>`, tagged, and behind authentication."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

NAME = re.compile(r"^[a-z]+(_[a-z]+)*$")


@pytest.fixture
def document(world, login_as):
    response = login_as(world.rep).get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_operation_is_named_tagged_and_authenticated(document):
    seen: set[str] = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            op_id = operation["operationId"]
            assert NAME.match(op_id), f"{method.upper()} {path}: operationId {op_id!r}"
            assert op_id not in seen, f"duplicate operationId {op_id}"
            seen.add(op_id)
            assert operation.get("tags"), f"{method.upper()} {path} has no tag"
            assert operation.get("security"), (
                f"{method.upper()} {path} is not behind authentication"
            )


def test_every_domain_app_is_in_the_api(document):
    prefixes = {path.split("/")[3] for path in document["paths"]}
    assert {
        "organization",
        "catalog",
        "customers",
        "pipeline",
        "orders",
        "service",
        "settings",
        "tokens",
    } <= prefixes
