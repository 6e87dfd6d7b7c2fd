from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from io import StringIO

        out = StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/register/" in schema["paths"]


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    for path, method, operation in operations(schema):
        errors = {code: r for code, r in operation["responses"].items() if code >= "400"}
        assert "401" in errors, (method, path)
        for response in errors.values():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (method, path)


def test_every_operation_has_a_summary_and_a_tag(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), (method, path)
        assert operation.get("tags"), (method, path)


def test_writes_document_validation_size_and_media_type_errors(schema):
    for path, method, operation in operations(schema):
        if method in {"post", "put", "patch"}:
            assert {"400", "413", "415"} <= set(operation["responses"]), (method, path)


def test_the_error_component_lists_the_contract_fields(schema):
    error = schema["components"]["schemas"]["Error"]

    assert set(error["required"]) == {"type", "detail", "errors", "request_id"}


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_are_served_from_our_own_static_files(client, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/" in html
    assert "cdn" not in html.lower()
    assert "default-src 'self'" in response["Content-Security-Policy"]
