"""Isolation matrix, generated from the URL conf: every /api/v1/ route and method, seen by a
second user, must 404 on the first user's objects, refuse links to them, and never show or
count them. A route added later falls into this matrix automatically; one the matrix cannot
classify fails until it gets a case here."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Profile
from config.ownership import OwnedPrimaryKeyRelatedField
from contacts.models import Company, Contact, ContactEvent, ImportJob, Tag
from contacts.services import company_create
from crm.models import Note, Opportunity
from outreach.models import (
    CaptureOffer,
    Conversation,
    Correspondent,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Reminder,
    StoredMail,
    Touch,
)
from outreach.services import question_create
from tests.api.conftest import MARKER, seed_account

API_PREFIX = "api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")

# Router basename -> the seeded object a detail route of that basename addresses.
DETAIL_OBJECTS = {
    "contact": "contact",
    "company": "company",
    "tag": "tag",
    "conversation": "conversation",
    "follow-up": "follow_up",
    "note": "note",
    "opportunity": "opportunity",
    "portfolio-item": "portfolio_item",
    "template": "template",
    "reminder": "reminder",
    "touch": "touch",
    "api-token": "api_token",
    "capture-offer": "capture_offer",
    "correspondent": "correspondent",
    "question": "question",
}
# Routes outside the router, by URL name -> how to make the first user's object they address.
DETAIL_FACTORIES = {
    "api-import-job": lambda user, rows: ImportJob.objects.create(owner=user, kind="csv", filename=f"{MARKER}.csv"),
    "api-job-change-acknowledge": lambda user, rows: ContactEvent.objects.filter(owner=user).first(),
}
# Related models of the writable fields -> the seeded object to smuggle in.
RELATED_OBJECTS = {
    Contact: "contact",
    Company: "company",
    Conversation: "conversation",
    MessageTemplate: "template",
    PortfolioItem: "portfolio_item",
}
# Every custom action, with the body the second user sends to their own object and the
# fields of that body that link to other rows. A new action must be added here.
ACTIONS = {
    "transition": ({"stage": "requested"}, []),
    "reply": ({}, []),
    "accept": ({}, []),
    "dismiss": ({}, []),
    "add": ({}, []),
    "ignore": ({}, []),
    "complete": ({}, []),
    "snooze": ({"due_at": "2099-01-01"}, []),
    "cancel": ({}, []),
    "render": ({"contact": "own:contact"}, ["contact"]),
    "merge": ({"other": "own:contact"}, ["other"]),  # contacts; companies and tags merge their own kind
    "duplicates": ({}, []),
    "restore": ({}, []),
    "compare": ({}, []),  # GET /templates/compare/?a=&b=: test_compare_refuses_another_users_templates
    "intro_paths": ({}, []),  # GET /companies/{id}/intro-paths/ (issue #14)
    "build_agenda": ({"questions": ["own:question"] * 3}, ["questions"]),
    "opportunity": ({"title": "Role"}, []),  # notes: track an opportunity note (#14)
}
# Filter name -> how to express the first user's row in it.
FILTER_VALUES = {
    "company": lambda rows: rows["company"].pk,
    "contact": lambda rows: rows["contact"].pk,
    "conversation": lambda rows: rows["conversation"].pk,
    "referrer": lambda rows: rows["contact"].pk,
    "tag": lambda rows: rows["tag"].name,
    "name": lambda rows: rows["tag"].name,
    "industry": lambda rows: "fintech",
    "kind": None,  # enums: every value is tried
    "status": None,
    "stage": None,
    "source": None,
    "relationship": None,
    "responsiveness": None,
    "archived": lambda rows: "false",
    "reconnect_due": lambda rows: "false",
    "due": None,
    "channel": None,
    "target": lambda rows: "true",
}

OWNED_MODELS = (
    Company,
    Contact,
    ContactEvent,
    ImportJob,
    Tag,
    Conversation,
    FollowUp,
    Note,
    Opportunity,
    PortfolioItem,
    MessageTemplate,
    Reminder,
    Touch,
    CaptureOffer,
    Correspondent,
    StoredMail,
    Question,
)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def api_routes():
    """(route, pattern, method, action) for every method of every /api/v1/ route."""
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or pattern.name == "api-not-found":
            continue
        callback = pattern.callback
        actions = getattr(callback, "actions", None)
        if actions:
            for method, action in actions.items():
                found.append((route, pattern, method, action))
        else:
            view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            for method in METHODS:
                if view_class is None or hasattr(view_class, method):
                    found.append((route, pattern, method, None))
    return found


ROUTES = api_routes()


def _id(route, method):
    return f"{method.upper()} /{route}"


def _path_params(pattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _url(route: str, pattern, value=None) -> str:
    url = "/" + route
    for name in _path_params(pattern):
        url = re.sub(r"\(\?P<%s>[^)]*\)|<(?:\w+:)?%s>" % (name, name), str(value), url)
    return url


def _basename(pattern):
    return pattern.callback.initkwargs.get("basename") if hasattr(pattern.callback, "initkwargs") else None


def _seeded_value(obj):
    return getattr(obj, "token_key", None) or obj.pk


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _counts(user):
    counts = {model.__name__: model.objects.filter(owner=user).count() for model in OWNED_MODELS}
    counts["tokens"] = user.auth_token_set.count()
    profile = Profile.objects.get(user=user)
    counts["profile"] = (profile.calendar_token, profile.mail_in_token, profile.timezone, profile.digest_hour)
    return counts


@pytest.fixture
def victim(user):
    return user, seed_account(user)


def test_the_matrix_covers_the_api():
    """Sanity: the walk finds the spec's endpoints, so an empty matrix cannot pass."""
    routes = {_id(r, m) for r, _, m, _ in ROUTES}
    for expected in [
        "GET /api/v1/contacts/",
        "DELETE /api/v1/contacts/(?P<pk>[^/.]+)/",
        "POST /api/v1/conversations/(?P<pk>[^/.]+)/transition/",
        "POST /api/v1/templates/(?P<pk>[^/.]+)/render/",
        "GET /api/v1/dashboard/",
        "PATCH /api/v1/me/",
    ]:
        assert expected in routes
    assert len(ROUTES) > 60


DETAIL_ROUTES = [r for r in ROUTES if _path_params(r[1])]


@pytest.mark.parametrize(
    ("route", "pattern", "method", "action"), DETAIL_ROUTES, ids=[_id(r[0], r[2]) for r in DETAIL_ROUTES]
)
def test_another_users_object_is_404_and_untouched(victim, other_api_client, route, pattern, method, action):
    user, rows = victim
    basename = _basename(pattern)
    if basename:
        assert basename in DETAIL_OBJECTS, f"/{route}: add the object this route addresses to DETAIL_OBJECTS"
        target = rows[DETAIL_OBJECTS[basename]]
    else:
        assert pattern.name in DETAIL_FACTORIES, f"/{route}: add a factory for its object to DETAIL_FACTORIES"
        target = DETAIL_FACTORIES[pattern.name](user, rows)
    if action and action not in ("retrieve", "update", "partial_update", "destroy"):
        assert action in ACTIONS, f"/{route}: add the action {action!r} to ACTIONS"
    before = _counts(user)
    url = _url(route, pattern, _seeded_value(target))
    body = {"name": "hijack", "stage": "cancelled", "due_at": "2099-01-01", "contact": rows["contact"].pk}
    response = getattr(other_api_client, method)(url, body, format="json")
    assert response.status_code == 404, response.content
    assert MARKER not in body_text(response)
    assert _counts(user) == before


# GET routes without a path parameter that need query parameters naming rows: each has its own test.
NEEDS_IDS_IN_QUERY = {"compare": "test_compare_refuses_another_users_templates"}
LIST_ROUTES = [r for r in ROUTES if not _path_params(r[1]) and r[2] == "get" and r[3] not in NEEDS_IDS_IN_QUERY]


def _filter_values(view_class, rows):
    filterset = getattr(view_class, "filterset_class", None)
    if filterset is None:
        return []
    values = []
    for name, field in filterset.base_filters.items():
        assert name in FILTER_VALUES, f"{view_class.__name__}: add filter {name!r} to FILTER_VALUES"
        make = FILTER_VALUES[name]
        if make is None:
            values += [(name, choice) for choice, _ in field.extra["choices"]]
        else:
            values.append((name, make(rows)))
    return values


def _result_ids(payload):
    if isinstance(payload, dict) and "results" in payload:
        return {row.get("id") for row in payload["results"]}
    return set()


@pytest.mark.parametrize(
    ("route", "pattern", "method", "action"), LIST_ROUTES, ids=[_id(r[0], r[2]) for r in LIST_ROUTES]
)
def test_lists_filters_and_search_show_none_of_another_users_rows(
    victim, other_user, other_api_client, route, pattern, method, action
):
    user, rows = victim
    url = _url(route, pattern)
    view_class = getattr(pattern.callback, "cls", None)
    queries = [{}, {"search": MARKER}, {"page_size": 200}, *({k: v} for k, v in _filter_values(view_class, rows))]
    victim_ids = {model: set(model.objects.filter(owner=user).values_list("pk", flat=True)) for model in OWNED_MODELS}
    for query in queries:
        response = other_api_client.get(url, query)
        assert response.status_code == 200, (url, query, response.content[:300])
        assert MARKER not in body_text(response), (url, query)
        if response["Content-Type"].startswith("application/json"):
            payload = response.json()
            if "results" in payload:
                model = getattr(view_class, "selector_model", lambda: None)()
                assert not (_result_ids(payload) & victim_ids.get(model, set())), (url, query)
                if "search" in query:
                    assert payload["count"] == 0


def test_intro_paths_never_go_through_another_users_contacts(victim, other_user, other_api_client):
    """The victim's contact left a company named like the other user's; the other user's paths stay empty."""
    user, rows = victim
    own = company_create(owner=other_user, name="Elsewhere Inc")
    ContactEvent.objects.create(
        owner=user, contact=rows["contact"], kind="job_change", summary="moved", previous_company="Elsewhere Inc"
    )
    response = other_api_client.get(f"/api/v1/companies/{own.pk}/intro-paths/")
    assert response.status_code == 200
    assert response.json() == []


def test_the_dashboard_counts_none_of_another_users_rows(victim, other_api_client):
    metrics = other_api_client.get("/api/v1/dashboard/").json()
    assert set(metrics["pipeline"].values()) == {0}
    assert set(metrics["funnel"].values()) == {0}
    assert metrics["response_rate"] is None
    assert metrics["reply_rate"] is None
    assert metrics["follow_ups"] == {"overdue": 0, "today": 0}
    assert metrics["week"]["requests_sent"] == 0
    assert metrics["reconnect_due"] == metrics["failed_reminders"] == metrics["job_changes"] == 0
    assert all(row["used"] == 0 for row in metrics["templates"] + metrics["sources"])
    own_template_ids = set(MessageTemplate.objects.filter(owner__username="mallory").values_list("pk", flat=True))
    assert {row["id"] for row in metrics["templates"]} == own_template_ids


# --- writes: another user's ids in related fields ----------------------------------------------


def own_rows(user):
    """The second user's own rows, to build valid bodies that differ only in the smuggled field."""
    return seed_account(user, marker="Own")


CREATE_BODIES = {
    "contact": lambda own: {"first_name": "New", "company": own["company"].pk, "referred_by": own["contact"].pk},
    "company": lambda own: {"name": "New Co"},
    "tag": lambda own: {"name": "new-tag"},
    "conversation": lambda own: {
        "contact": own["contact"].pk,
        "kind": "case_study_feedback",
        "template": own["template"].pk,
        "portfolio_item": own["portfolio_item"].pk,
        "allow_duplicate": True,
    },
    "follow-up": lambda own: {
        "contact": own["contact"].pk,
        "conversation": own["conversation"].pk,
        "title": "Send it",
        "due_at": "2099-01-01",
    },
    "note": lambda own: {"contact": own["contact"].pk, "conversation": own["conversation"].pk, "body": "hi"},
    "opportunity": lambda own: {"title": "APM", "company": own["company"].pk, "referrer": own["contact"].pk},
    "portfolio-item": lambda own: {"title": "Case", "kind": "case_study"},
    "template": lambda own: {"name": "T", "kind": "nudge", "body": "Hi {first_name}"},
    "touch": lambda own: {"contacts": [own["contact"].pk], "channel": "event", "summary": "Meetup"},
    "question": lambda own: {"kind": "informational_interview", "category": "Trends", "text": "What is changing?"},
}

CREATE_ROUTES = [r for r in ROUTES if r[3] == "create"]
UPDATE_ROUTES = [r for r in ROUTES if r[3] in ("update", "partial_update")]


def _owned_fields(view_class):
    """Writable fields that link to the user's rows: one id, or a list of ids (`many=True`)."""
    serializer = view_class.serializer_class()
    fields = {}
    for name, field in serializer.fields.items():
        field = getattr(field, "child_relation", field)
        if isinstance(field, OwnedPrimaryKeyRelatedField):
            fields[name] = field.model
    return fields


def _smuggled(view_class, field, row):
    """Another user's row as the value of `field`: a list of ids for a many field."""
    many = hasattr(view_class.serializer_class().fields[field], "child_relation")
    return [row.pk] if many else row.pk


def _links(target, field) -> set:
    value = getattr(target, field)
    if hasattr(value, "all"):
        return {obj.pk for obj in value.all()}
    return {getattr(target, f"{field}_id")}


@pytest.mark.parametrize(
    ("route", "pattern", "method", "action"), CREATE_ROUTES, ids=[_id(r[0], r[2]) for r in CREATE_ROUTES]
)
def test_create_refuses_another_users_ids_and_ignores_owner(
    victim, other_user, other_api_client, route, pattern, method, action
):
    user, rows = victim
    basename = _basename(pattern)
    assert basename in CREATE_BODIES, f"/{route}: add a valid body to CREATE_BODIES"
    own = own_rows(other_user)
    view_class = pattern.callback.cls
    before = _counts(other_user)
    for field, model in _owned_fields(view_class).items():
        body = CREATE_BODIES[basename](own)
        body[field] = _smuggled(view_class, field, rows[RELATED_OBJECTS[model]])
        response = other_api_client.post(_url(route, pattern), body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json(), response.json()
        assert "not found" in str(response.json()[field]).lower()
        assert _counts(other_user) == before

    body = {**CREATE_BODIES[basename](own), "owner": user.pk}
    response = other_api_client.post(_url(route, pattern), body, format="json")
    assert response.status_code == 201, response.content
    created = view_class.selector_model().objects.get(pk=response.json()["id"])
    assert created.owner_id == other_user.pk


@pytest.mark.parametrize(
    ("route", "pattern", "method", "action"), UPDATE_ROUTES, ids=[_id(r[0], r[2]) for r in UPDATE_ROUTES]
)
def test_update_of_own_row_refuses_another_users_ids(
    victim, other_user, other_api_client, route, pattern, method, action
):
    user, rows = victim
    basename = _basename(pattern)
    own = own_rows(other_user)
    view_class = pattern.callback.cls
    target = own[DETAIL_OBJECTS[basename]]
    url = _url(route, pattern, target.pk)
    for field, model in _owned_fields(view_class).items():
        body = CREATE_BODIES[basename](own) if method == "put" else {}
        body[field] = _smuggled(view_class, field, rows[RELATED_OBJECTS[model]])
        response = getattr(other_api_client, method)(url, body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()
        target.refresh_from_db()
        assert rows[RELATED_OBJECTS[model]].pk not in _links(target, field)
    response = other_api_client.patch(url, {"owner": user.pk}, format="json")
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.owner_id == other_user.pk


def test_render_refuses_another_users_contact(victim, other_user, other_api_client):
    user, rows = victim
    own = own_rows(other_user)
    response = other_api_client.post(
        f"/api/v1/templates/{own['template'].pk}/render/", {"contact": rows["contact"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "not found" in response.json()["contact"][0].lower()
    assert MARKER not in body_text(response)


def test_compare_refuses_another_users_templates(victim, other_user, other_api_client):
    """GET /templates/compare/?a=&b=: the first user's template on either side is a 404, and
    comparing the second user's own templates counts none of the first user's asks."""
    user, rows = victim
    own = own_rows(other_user)
    second = MessageTemplate.objects.filter(owner=other_user).exclude(pk=own["template"].pk).first()
    for a, b in ((rows["template"], own["template"]), (own["template"], rows["template"])):
        response = other_api_client.get("/api/v1/templates/compare/", {"a": a.pk, "b": b.pk})
        assert response.status_code == 404, response.content
        assert MARKER not in body_text(response)
    response = other_api_client.get("/api/v1/templates/compare/", {"a": own["template"].pk, "b": second.pk})
    assert response.status_code == 200
    body = response.json()
    assert MARKER not in body_text(response)
    assert {body["a"]["id"], body["b"]["id"]} <= set(
        MessageTemplate.objects.filter(owner=other_user).values_list("pk", flat=True)
    )


def test_merge_and_bulk_refuse_another_users_contacts(victim, other_user, other_api_client):
    """The contacts named in a merge's body or a bulk action's ids are the second user's own or
    refused (400), and the first user's rows stay as they were."""
    user, rows = victim
    own = own_rows(other_user)
    before = _counts(user)
    response = other_api_client.post(
        f"/api/v1/contacts/{own['contact'].pk}/merge/", {"other": rows["contact"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "not found" in response.json()["other"][0].lower()
    for action, value in (("archive", None), ("tag", "x"), ("plan", "coffee_chat"), ("set_cadence", 5)):
        body = {"ids": [own["contact"].pk, rows["contact"].pk], "action": action, "value": value}
        response = other_api_client.post("/api/v1/contacts/bulk/", body, format="json")
        assert response.status_code == 400, response.content
        assert str(rows["contact"].pk) in response.json()["ids"][0]
        assert MARKER not in body_text(response)
    assert _counts(user) == before
    own["contact"].refresh_from_db()
    assert not own["contact"].archived


def test_duplicates_never_group_with_another_users_contacts(victim, other_user, other_api_client):
    user, rows = victim
    contact = rows["contact"]
    Contact.objects.create(owner=other_user, first_name=contact.first_name, last_name=contact.last_name, email="x@y.z")
    Contact.objects.filter(owner=user).update(email="x@y.z")
    response = other_api_client.get("/api/v1/contacts/duplicates/")
    assert response.json()["count"] == 0
    assert MARKER not in body_text(response)


def test_every_action_is_known():
    actions = {a for _, _, _, a in ROUTES if a} - {"list", "create", "retrieve", "update", "partial_update", "destroy"}
    assert actions == set(ACTIONS)


WRITE_ROUTES = [r for r in ROUTES if not _path_params(r[1]) and r[2] != "get" and r[3] != "create"]


@pytest.mark.parametrize(
    ("route", "pattern", "method", "action"), WRITE_ROUTES, ids=[_id(r[0], r[2]) for r in WRITE_ROUTES]
)
def test_other_writes_leave_another_user_untouched(victim, other_api_client, route, pattern, method, action):
    """Imports, restores, profile and token writes: whatever the second user sends, the first
    user's rows, profile and tokens stay as they were and nothing of theirs is echoed back."""
    user, rows = victim
    before = _counts(user)
    bodies = [{}, {"timezone": "Europe/Berlin", "digest_hour": 5}, {"file": "x", "contact": rows["contact"].pk}]
    for body in bodies:
        response = getattr(other_api_client, method)("/" + route, body, format="json")
        assert response.status_code < 500, response.content
        assert MARKER not in body_text(response)
    assert _counts(user) == before


def test_backup_and_export_routes_if_present_leak_nothing(victim, other_api_client):
    """Every GET under /api/v1/ without a path parameter (exports included) shows none of the
    first user's data to the second."""
    for route, pattern, method, _ in ROUTES:
        if method == "get" and not _path_params(pattern):
            response = other_api_client.get("/" + route)
            assert MARKER not in body_text(response), route
            if response["Content-Type"].startswith("application/json"):
                json.dumps(response.json())  # well-formed


def test_build_agenda_refuses_another_users_questions(victim, other_user, other_api_client):
    """Another user's question id among the ids is a 400 naming `questions`, and neither
    conversation's agenda changes (#14)."""
    user, rows = victim
    own = own_rows(other_user)
    mine = [question_create(owner=other_user, kind="coffee_chat", text=f"Mine {i}?") for i in range(2)]
    before = own["conversation"].agenda
    body = {"questions": [mine[0].pk, mine[1].pk, rows["question"].pk]}
    response = other_api_client.post(
        f"/api/v1/conversations/{own['conversation'].pk}/build-agenda/", body, format="json"
    )
    assert response.status_code == 400, response.content
    assert "questions" in response.json()
    assert MARKER not in body_text(response)
    own["conversation"].refresh_from_db()
    assert own["conversation"].agenda == before
    rows["conversation"].refresh_from_db()
    assert rows["conversation"].agenda == MARKER
