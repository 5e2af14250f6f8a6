"""Idempotent writes (#10): an authenticated POST under /api/v1/ with an `Idempotency-Key`
runs once; the same key replays its first answer for 24 hours."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.errors import ApplicationError
from accounts.idempotency import idempotency_keys_prune
from accounts.models import IdempotencyKey
from accounts.tasks import prune_idempotency_keys
from config.celery import _beat_schedule
from config.idempotency import IdempotentAPIMixin
from contacts.models import Company, Contact, ImportJob
from tests.api.conftest import seed_account, token_client
from tests.api.test_isolation import ROUTES, _basename, _id, _path_params, _url
from tests.factories import UserFactory

CONTACTS = "/api/v1/contacts/"
KEY = "3f0c9d1e-6b1a-4c55-9d58-2a4f7f0e8b11"
EXEMPT_ROUTES = {"api-register", "api-token-create"}


def post(client, url, body, key=KEY, **kwargs):
    kwargs.setdefault("format", "json")
    return client.post(url, body, HTTP_IDEMPOTENCY_KEY=key, **kwargs)


def contacts_of(user):
    return Contact.objects.filter(owner=user)


# --- the rule --------------------------------------------------------------------------------------


def test_the_same_key_replays_the_first_response_and_writes_nothing(user):
    client = token_client(user)
    first = post(client, CONTACTS, {"first_name": "Lin", "tags": ["mentor"]})
    second = post(client, CONTACTS, {"first_name": "Lin", "tags": ["mentor"]})
    assert first.status_code == 201
    assert second.status_code == 201
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/json"
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert contacts_of(user).count() == 1
    assert IdempotencyKey.objects.filter(owner=user).count() == 1


def test_a_replay_runs_no_query_of_the_view(api_client, user):
    post(api_client, CONTACTS, {"first_name": "Lin"})
    with CaptureQueriesContext(connection) as queries:
        post(api_client, CONTACTS, {"first_name": "Lin"})
    assert not any("contacts_contact" in q["sql"] for q in queries.captured_queries)


def test_the_location_header_is_replayed(user, settings):
    settings.IMPORT_SYNC_MAX_ROWS = 1  # a two-row file becomes a background job: 202 + Location
    client = token_client(user)
    upload = b"first_name,last_name\nAda,Lovelace\nGrace,Hopper\n"

    def send():
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            "/api/v1/imports/csv/",
            {"file": SimpleUploadedFile("c.csv", upload, content_type="text/csv")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True  # no broker to reach: the job is queued in-process
    try:
        first, second = send(), send()
    finally:
        app.conf.task_always_eager = previous
    assert first.status_code == 202, first.content
    assert second.status_code == 202
    assert second["Location"] == first["Location"]
    assert second.content == first.content
    assert ImportJob.objects.filter(owner=user).count() == 1


def test_a_changed_body_with_the_same_key_is_422_and_writes_nothing(api_client, user):
    post(api_client, CONTACTS, {"first_name": "Lin"})
    response = post(api_client, CONTACTS, {"first_name": "Linda"})
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert list(contacts_of(user).values_list("first_name", flat=True)) == ["Lin"]


def test_the_same_key_on_another_path_is_422(api_client, user):
    post(api_client, CONTACTS, {"first_name": "Acme"})
    response = post(api_client, "/api/v1/companies/", {"first_name": "Acme"})
    assert response.status_code == 422
    assert not Company.objects.filter(owner=user).exists()


def test_json_with_other_key_order_and_spacing_is_the_same_request(api_client, user):
    first = api_client.post(
        CONTACTS, '{"first_name": "Lin", "title": "PM"}', content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    second = api_client.post(
        CONTACTS, '{"title":"PM","first_name":"Lin"}', content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert second.status_code == 201
    assert second.content == first.content
    assert contacts_of(user).count() == 1


def test_a_multipart_upload_sent_again_with_a_new_boundary_is_replayed(api_client, user):
    csv = b"first_name,last_name\nAda,Lovelace\n"
    bodies = []
    for boundary in ("BoundaryOne", "BoundaryTwo"):
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\n'
                f"Content-Type: text/csv\r\n\r\n"
            ).encode()
            + csv
            + f"\r\n--{boundary}--\r\n".encode()
        )
        bodies.append(
            api_client.generic(
                "POST",
                "/api/v1/imports/csv/",
                body,
                content_type=f"multipart/form-data; boundary={boundary}",
                HTTP_IDEMPOTENCY_KEY=KEY,
            )
        )
    assert bodies[0].status_code == 200, bodies[0].content
    assert bodies[0].json()["created"] == 1
    assert bodies[1]["Idempotent-Replayed"] == "true"
    assert bodies[1].content == bodies[0].content
    assert contacts_of(user).count() == 1


def test_a_different_file_with_the_same_key_is_422(api_client, user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(content):
        return api_client.post(
            "/api/v1/imports/csv/",
            {"file": SimpleUploadedFile("c.csv", content, content_type="text/csv")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )

    assert send(b"first_name\nAda\n").status_code == 200
    assert send(b"first_name\nGrace\n").status_code == 422
    assert list(contacts_of(user).values_list("first_name", flat=True)) == ["Ada"]


def test_two_users_with_the_same_key_are_independent(user, other_user):
    mine = post(token_client(user), CONTACTS, {"first_name": "Lin"})
    theirs = post(token_client(other_user), CONTACTS, {"first_name": "Sam"})
    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["first_name"] == "Sam"
    assert contacts_of(user).count() == contacts_of(other_user).count() == 1


def test_a_key_older_than_24_hours_runs_again(api_client, user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        post(api_client, CONTACTS, {"first_name": "Lin"})
    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert post(api_client, CONTACTS, {"first_name": "Lin"})["Idempotent-Replayed"] == "true"
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        again = post(api_client, CONTACTS, {"first_name": "Lin"})
        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again
        # ... and the key now replays this new answer, even with what was a different body before.
        assert post(api_client, CONTACTS, {"first_name": "Lin"}).content == again.content
    assert contacts_of(user).count() == 2
    assert IdempotencyKey.objects.filter(owner=user).count() == 1


def test_without_a_key_every_post_writes(api_client, user):
    api_client.post(CONTACTS, {"first_name": "Lin"}, format="json")
    api_client.post(CONTACTS, {"first_name": "Lin"}, format="json")
    assert contacts_of(user).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_other_methods_ignore_the_header(api_client, user):
    contact = api_client.post(CONTACTS, {"first_name": "Lin"}, format="json").json()
    url = f"{CONTACTS}{contact['id']}/"
    api_client.patch(url, {"title": "PM"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    api_client.patch(url, {"title": "APM"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert contacts_of(user).get().title == "APM"
    assert not IdempotencyKey.objects.exists()


# --- refusals --------------------------------------------------------------------------------------


def test_a_first_4xx_is_a_response_and_is_replayed(api_client, user):
    first = post(api_client, CONTACTS, {"first_name": ""})
    assert first.status_code == 400
    second = post(api_client, CONTACTS, {"first_name": ""})
    assert second.status_code == 400
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    # A corrected request is a new request: it needs a new key.
    assert post(api_client, CONTACTS, {"first_name": "Lin"}).status_code == 422
    assert post(api_client, CONTACTS, {"first_name": "Lin"}, key="another-key").status_code == 201


@pytest.mark.parametrize(
    "key",
    ["", "x" * 256, "has space", "naïve", "tab\tinside"],
    ids=["empty", "256 characters", "space", "non-ascii", "control character"],
)
def test_a_malformed_key_is_400_on_the_header_and_writes_nothing(api_client, user, key):
    response = api_client.post(
        CONTACTS, {"first_name": "Lin"}, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not contacts_of(user).exists()
    assert not IdempotencyKey.objects.exists()


def test_a_key_of_255_characters_is_accepted(api_client, user):
    assert post(api_client, CONTACTS, {"first_name": "Lin"}, key="k" * 255).status_code == 201
    assert post(api_client, CONTACTS, {"first_name": "Lin"}, key="k" * 255)["Idempotent-Replayed"] == "true"
    assert contacts_of(user).count() == 1


def test_an_unauthenticated_post_with_a_key_is_401_and_keeps_nothing(db):
    response = post(APIClient(), CONTACTS, {"first_name": "Lin"})
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_server_error_keeps_no_answer_and_no_write_so_a_retry_runs(user, monkeypatch):
    from contacts import api as contacts_api

    real = contacts_api.ContactViewSet.create_object
    calls = []

    def create_then_fail(self, data):
        calls.append(1)
        contact = real(self, data)
        if len(calls) == 1:
            raise RuntimeError("the database connection died after the insert")
        return contact

    monkeypatch.setattr(contacts_api.ContactViewSet, "create_object", create_then_fail)
    client = token_client(user)
    client.raise_request_exception = False
    assert post(client, CONTACTS, {"first_name": "Lin"}).status_code == 500
    assert not contacts_of(user).exists()  # the write was rolled back with the failed request
    assert not IdempotencyKey.objects.exists()  # the key is free again
    retry = post(client, CONTACTS, {"first_name": "Lin"})
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert contacts_of(user).count() == 1


def test_a_503_answer_is_not_kept(user, monkeypatch):
    from contacts import api as contacts_api

    def unavailable(self, data):
        raise ApplicationError("The queue is down.", code=ApplicationError.UNAVAILABLE)

    monkeypatch.setattr(contacts_api.ContactViewSet, "create_object", unavailable)
    client = token_client(user)
    assert post(client, CONTACTS, {"first_name": "Lin"}).status_code == 503
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert post(client, CONTACTS, {"first_name": "Lin"}).status_code == 201


def test_a_request_while_the_first_is_in_progress_is_409_with_retry_after(api_client, user, settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.2
    post(api_client, CONTACTS, {"first_name": "Lin"})
    IdempotencyKey.objects.update(status_code=None)  # as if that first request were still running
    started = time.monotonic()
    response = post(api_client, CONTACTS, {"first_name": "Lin"})
    assert response.status_code == 409
    assert time.monotonic() - started >= 0.2  # it waited for the first before giving up
    assert response["Retry-After"] == "1"
    assert "in progress" in response.json()["detail"]
    assert contacts_of(user).count() == 1


def test_a_key_whose_first_request_never_finished_runs_after_the_abandon_time(api_client, user, settings):
    settings.IDEMPOTENCY_WAIT_SECONDS = 0
    IdempotencyKey.objects.create(
        owner=user, scope="api", key=KEY, request_hash="running", created_at=timezone.now() - timedelta(seconds=121)
    )
    response = post(api_client, CONTACTS, {"first_name": "Lin"})
    assert response.status_code == 201
    assert contacts_of(user).count() == 1
    assert post(api_client, CONTACTS, {"first_name": "Lin"})["Idempotent-Replayed"] == "true"


# --- where it applies ----------------------------------------------------------------------------


def test_registration_and_token_creation_take_no_key(db):
    client = APIClient()
    body = {"username": "sam", "email": "sam@example.com", "password": "pm-journey-2026!"}
    assert post(client, "/api/v1/auth/register/", body).status_code == 201
    again = post(client, "/api/v1/auth/register/", body)
    assert again.status_code == 400  # ran again: the username is taken, not a replay
    assert "Idempotent-Replayed" not in again
    credentials = {"username": "sam", "password": "pm-journey-2026!"}
    tokens = [post(client, "/api/v1/auth/token/", credentials).json()["token"] for _ in range(2)]
    assert tokens[0] != tokens[1]
    assert AuthToken.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


POST_ROUTES = [
    (route, pattern) for route, pattern, method, _ in ROUTES if method == "post" and pattern.name not in EXEMPT_ROUTES
]


def test_every_post_route_but_registration_and_token_creation_honours_the_key():
    exempt = [pattern for route, pattern, method, _ in ROUTES if method == "post" and pattern.name in EXEMPT_ROUTES]
    assert len(exempt) == 2
    for pattern in exempt:
        assert not pattern.callback.cls.accepts_idempotency_key()
    for route, pattern in POST_ROUTES:
        assert issubclass(pattern.callback.cls, IdempotentAPIMixin), f"POST /{route} ignores Idempotency-Key"
        assert pattern.callback.cls.accepts_idempotency_key()


@pytest.mark.parametrize(("route", "pattern"), POST_ROUTES, ids=[_id(r, "post") for r, _ in POST_ROUTES])
def test_each_post_route_replays_its_first_answer(user, route, pattern):
    rows = seed_account(user)
    value = None
    if _path_params(pattern):
        obj = (
            rows.get(
                {"follow-up": "follow_up", "template": "template", "conversation": "conversation"}.get(
                    _basename(pattern) or "", ""
                )
            )
            or rows["contact"]
        )
        value = obj.pk
        if pattern.name == "api-job-change-acknowledge":
            from contacts.models import ContactEvent

            value = ContactEvent.objects.filter(owner=user).first().pk
    url = _url(route, pattern, value)
    client = token_client(user)
    parsers = {parser.media_type for parser in pattern.callback.cls.parser_classes}
    body_format = "json" if "application/json" in parsers else "multipart"
    first = post(client, url, {}, format=body_format)
    assert first.status_code < 500, first.content
    second = post(client, url, {}, format=body_format)
    assert (second.status_code, second.content) == (first.status_code, first.content)
    assert second["Idempotent-Replayed"] == "true"


def test_the_schema_documents_the_header_on_every_post_that_takes_it(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            takes = method == "post" and path not in ("/api/v1/auth/register/", "/api/v1/auth/token/")
            assert ("Idempotency-Key" in names) == takes, f"{method} {path}"
            if takes:
                assert {"409", "422"} <= set(operation["responses"]), f"{method} {path}"


# --- expiry --------------------------------------------------------------------------------------


def test_the_prune_deletes_keys_older_than_24_hours_only(user):
    now = timezone.now()
    old = IdempotencyKey.objects.create(owner=user, scope="api", key="old", created_at=now - timedelta(hours=25))
    fresh = IdempotencyKey.objects.create(owner=user, scope="api", key="fresh", created_at=now - timedelta(hours=23))
    assert prune_idempotency_keys() == 1
    assert list(IdempotencyKey.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IdempotencyKey.objects.filter(pk=old.pk).exists()
    assert idempotency_keys_prune(now=now + timedelta(hours=2)) == 1


def test_beat_prunes_the_keys_hourly():
    entry = _beat_schedule()["idempotency-key-prune"]
    assert entry["task"] == "accounts.tasks.prune_idempotency_keys"
    assert entry["schedule"] == 3600.0


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_write_one_row(monkeypatch):
    """Two clients send the same request with the same key at the same moment: one runs, the
    other waits for it and answers its response."""
    from contacts import api as contacts_api

    user = UserFactory(username="racer")
    real = contacts_api.ContactViewSet.create_object
    gate = threading.Barrier(2)

    def slow_create(self, data):
        contact = real(self, data)
        time.sleep(0.5)  # the other request arrives while this one is still running
        return contact

    monkeypatch.setattr(contacts_api.ContactViewSet, "create_object", slow_create)
    responses = []

    def send():
        client = token_client(user)
        try:
            gate.wait()
            responses.append(post(client, CONTACTS, {"first_name": "Lin"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].content == responses[1].content
    assert sorted("Idempotent-Replayed" in r for r in responses) == [False, True]
    assert Contact.objects.filter(owner=user).count() == 1
    assert IdempotencyKey.objects.filter(owner=user).count() == 1
