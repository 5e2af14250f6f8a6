"""A lone surrogate ("\\ud800" in JSON) is text Python reads but UTF-8 cannot encode: no
database can store it and no response can quote it. Wherever it is sent — any field of any
JSON body, an enum filter, a backup — the answer is a 400 naming where it was, never a 500.

The cases are read from the OpenAPI schema, so a field or filter added later is covered."""

import json

import pytest

from config.api import ChoiceField, enum_filter
from config.parsers import JSONRenderer
from contacts.models import Contact, Source
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"
# The UTF-8 bytes a lenient client would send for it in a URL (Django decodes them to U+FFFD).
SURROGATE_IN_URL = "%ED%A0%80"

# First path segment under /api/v1/ -> the seeded row its {id} routes address.
DETAIL_OBJECTS = {
    "companies": "company",
    "contacts": "contact",
    "conversations": "conversation",
    "follow-ups": "follow_up",
    "notes": "note",
    "opportunities": "opportunity",
    "portfolio": "portfolio_item",
    "tags": "tag",
    "templates": "template",
    "touches": "touch",
    "questions": "question",
}


def _schema(client) -> dict:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _is_enum(schema: dict, node: dict) -> bool:
    node = _resolve(schema, node)
    if "enum" in node:
        return True
    if node.get("type") == "array" and "items" in node:
        return _is_enum(schema, node["items"])
    return any(_is_enum(schema, sub) for key in ("allOf", "oneOf", "anyOf") for sub in node.get(key, []))


def _body_fields(schema: dict):
    """(method, path, field, is an enum) for every writable property of every JSON request body."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content is None:
                continue
            for name, prop in _resolve(schema, content["schema"]).get("properties", {}).items():
                if not (prop.get("readOnly") or _resolve(schema, prop).get("readOnly")):
                    yield method, path, name, _is_enum(schema, prop)


def _enum_filters(schema: dict):
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and _is_enum(schema, parameter.get("schema", {})):
                    yield path, parameter["name"]


def _url(path: str, rows: dict) -> str:
    if "{id}" not in path:
        return path
    resource = path.removeprefix("/api/v1/").split("/")[0]
    return path.replace("{id}", str(rows[DETAIL_OBJECTS[resource]].pk))


def _send(client, method: str, url: str, body: dict):
    # json.dumps writes the surrogate as the escape "\ud800", as a client's JSON library would.
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_every_choice_field_answers_a_lone_surrogate_with_a_400_on_that_field(user, seeded):
    client = token_client(user)
    cases = [(method, path, name) for method, path, name, is_enum in _body_fields(_schema(client)) if is_enum]
    assert len({(path.replace("{id}/", ""), name) for _, path, name in cases}) >= 12  # the enums of the API
    failures = []
    for method, path, name in cases:
        response = _send(client, method, _url(path, seeded), {name: SURROGATE})
        if response.status_code != 400 or name not in response.json():
            failures.append((method, path, name, response.status_code, response.content[:200]))
    assert failures == []


def test_every_field_of_every_json_body_answers_a_lone_surrogate_with_a_400_on_that_field(user, seeded):
    client = token_client(user)
    cases = list(_body_fields(_schema(client)))
    failures = []
    for method, path, name, _ in cases:
        response = _send(client, method, _url(path, seeded), {name: f"a{SURROGATE}b"})
        body = response.json()
        if response.status_code != 400 or "Surrogate characters are not allowed: U+D800." not in str(body.get(name)):
            failures.append((method, path, name, response.status_code, response.content[:200]))
    assert failures == []
    assert Contact.objects.filter(owner=user).count() == 1  # the seeded one; nothing was written


def test_every_enum_filter_answers_an_unencodable_value_with_a_400_on_that_filter(user, seeded):
    client = token_client(user)
    filters = list(_enum_filters(_schema(client)))
    assert len(filters) >= 14
    failures = []
    for path, name in filters:
        response = client.get(f"{path}?{name}={SURROGATE_IN_URL}")
        if response.status_code != 400 or name not in response.json():
            failures.append((path, name, response.status_code, response.content[:200]))
    assert failures == []


def test_a_lone_surrogate_deep_in_a_body_names_the_field_and_the_place(user):
    body = {"format": "coffeechat-backup", "version": 1, "contacts": [{"id": 1, "first_name": SURROGATE}]}
    response = _send(token_client(user), "post", "/api/v1/imports/backup/", body)
    assert response.status_code == 400
    assert response.json() == {"contacts": ["contacts[0].first_name: Surrogate characters are not allowed: U+D800."]}


def test_a_lone_surrogate_in_a_key_is_quoted_escaped(user):
    response = _send(token_client(user), "post", "/api/v1/contacts/", {"first_name": "A", SURROGATE: "x"})
    assert response.status_code == 400
    assert response.json() == {"\\ud800": ["Surrogate characters are not allowed: U+D800."]}


# --- the messages themselves never quote what cannot be sent -----------------------------------


def test_a_choice_error_quotes_a_lone_surrogate_escaped_and_a_long_value_shortened():
    field = ChoiceField(choices=Source.choices)
    with pytest.raises(Exception) as surrogate:
        field.run_validation(SURROGATE)
    assert str(surrogate.value.detail[0]).startswith('"\\ud800" is not a valid choice. Allowed values: linkedin')
    with pytest.raises(Exception) as long:
        field.run_validation("x" * 10_000)
    assert len(str(long.value.detail[0])) < 250


def test_an_enum_filter_error_quotes_a_lone_surrogate_escaped():
    field = enum_filter(Source.choices).field
    with pytest.raises(Exception) as error:
        field.clean(SURROGATE)
    assert error.value.messages[0].startswith('"\\ud800" is not a valid choice. Allowed values: linkedin')


def test_an_answer_quoting_a_lone_surrogate_is_sent_escaped_not_a_500():
    rendered = JSONRenderer().render({"detail": f"x{SURROGATE}é"})
    assert json.loads(rendered) == {"detail": f"x{SURROGATE}é"}
    assert JSONRenderer().render({"detail": "é"}) == '{"detail":"é"}'.encode()
