"""Page access matrix, generated from the URL conf like tests/api/test_isolation.py: every
page, htmx endpoint, calendar and e-mail link route that names an object is requested by a
second user with the first user's object, by GET and by POST (with a valid CSRF token), and
must answer 404 (or 405 for a method the route does not take), show nothing of it and change
nothing. The same request by the owner must not be a 404, so a wrong URL cannot pass.

A new route with a parameter fails test_every_page_route_with_a_parameter_has_a_case until
it gets a case in CASES (or, if it addresses no user's row, a reason in NOT_OWNED)."""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from knox.models import get_token_model

from accounts.services import calendar_token_rotate
from contacts.models import Company, Contact, ContactEvent, ImportJob, Tag
from crm.models import Note, Opportunity
from outreach.emails import ACTION_COMPLETE, sign_link
from outreach.models import (
    CaptureOffer,
    Conversation,
    Correspondent,
    FollowUp,
    MessageTemplate,
    PortfolioItem,
    Question,
    Reminder,
    StageChange,
    StoredMail,
    Touch,
)
from tests.api.conftest import MARKER, seed_account

# Routes served elsewhere or to staff only: the API has its own matrix (tests/api/test_isolation.py);
# the Django admin is for superusers, who see every row by design.
SKIPPED_PREFIXES = ("api/v1/", "admin/")
METHODS = ("get", "post")


@dataclass
class World:
    owner: object  # the first user, whose rows are addressed
    intruder: object  # the second user, who must not reach them
    rows: dict


@dataclass
class Case:
    """How to address the owner's object on one route, and what a real request sends."""

    kwargs: Callable[[World], dict]  # URL parameters naming the owner's object
    methods: tuple[str, ...]  # the methods the route serves (the others must be 405 or 404)
    query: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    # URL parameters for the intruder's request when they differ (signed links, feed tokens).
    intruder_kwargs: Callable[[World], dict] | None = None
    login: bool = True  # token routes ignore the session


def _pk(name):
    return lambda w: {"pk": w.rows[name].pk}


CASES = {
    # Contacts
    "contact_detail": Case(_pk("contact"), ("get",)),
    "contact_edit": Case(
        _pk("contact"),
        ("get", "post"),
        data=lambda w: {"first_name": "Hijacked", "relationship": "other", "source": "other"},
    ),
    "contact_archive": Case(_pk("contact"), ("post",), data=lambda w: {"archived": "1"}),
    # The owner's control merges the contact with itself: refused with a message, not a 404.
    "contact_merge": Case(_pk("contact"), ("post",), data=lambda w: {"other": w.rows["contact"].pk}),
    "contact_request": Case(
        _pk("contact"),
        ("get", "post"),
        query=lambda w: {"rq-template": w.rows["template"].pk},
        data=lambda w: {"rq-template": w.rows["template"].pk, "rq-channel": "email", "rq-kind": ""},
    ),
    "contact_plan": Case(
        _pk("contact"), ("post",), data=lambda w: {"pl-kind": "referral_request", "pl-channel": "email"}
    ),
    "contact_log_chat": Case(
        _pk("contact"),
        ("post",),
        data=lambda w: {"lg-date": "2020-01-02", "lg-time": "10:00", "lg-kind": "coffee_chat", "lg-channel": "video"},
    ),
    "contact_note_create": Case(_pk("contact"), ("post",), data=lambda w: {"kind": "general", "body": "hijack"}),
    "contact_follow_up_create": Case(
        _pk("contact"),
        ("post",),
        data=lambda w: {"fu-title": "hijack", "fu-kind": "other", "fu-due_on": "2030-01-01"},
    ),
    "contact_touch_create": Case(_pk("contact"), ("post",), data=lambda w: {"channel": "call", "summary": "hijack"}),
    "job_change_seen": Case(_pk("job_change"), ("post",)),
    "touch_delete": Case(_pk("touch"), ("post",)),
    "contact_delete": Case(_pk("contact"), ("get", "post")),
    # Notes
    "note_detail": Case(_pk("note"), ("get",)),
    "note_edit": Case(
        _pk("note"),
        ("get", "post"),
        data=lambda w: {f"note-{w.rows['note'].pk}-kind": "general", f"note-{w.rows['note'].pk}-body": "hijack"},
    ),
    "note_delete": Case(_pk("note"), ("post",)),
    "note_restore": Case(_pk("note"), ("post",)),
    # Companies and tags
    "company_edit": Case(_pk("company"), ("get", "post"), data=lambda w: {"name": "hijack"}),
    "company_merge": Case(_pk("company"), ("get", "post"), data=lambda w: {"name": "hijack"}),
    "company_delete": Case(_pk("company"), ("get", "post")),
    "tag_edit": Case(_pk("tag"), ("get", "post"), data=lambda w: {"name": "hijack"}),
    # Targets (issue #14): the inline LAMP edit of one company
    "target_edit": Case(_pk("company"), ("post",), data=lambda w: {"target": "on", "motivation": "3", "posting": "3"}),
    "tag_merge": Case(_pk("tag"), ("get", "post"), data=lambda w: {"name": "hijack"}),
    "tag_delete": Case(_pk("tag"), ("get", "post")),
    "conversation_reply": Case(_pk("conversation"), ("post",)),
    "new_person_decide": Case(_pk("correspondent"), ("post",), data=lambda w: {"action": "ignore"}),
    "stored_mail": Case(_pk("stored_mail"), ("get",)),
    "capture_offer_decide": Case(_pk("capture_offer"), ("post",), data=lambda w: {"action": "dismiss"}),
    # Import page (htmx progress polling)
    "import_job_status": Case(_pk("import_job"), ("get",)),
    # Pipeline
    "conversation_detail": Case(_pk("conversation"), ("get", "post"), data=lambda w: {"agenda": "hijack"}),
    "conversation_move": Case(
        _pk("conversation"),
        ("get", "post"),
        query=lambda w: {"stage": "held"},
        data=lambda w: {"stage": "held"},
    ),
    "conversation_delete": Case(_pk("conversation"), ("get", "post")),
    # Follow-ups
    "follow_up_complete": Case(_pk("follow_up"), ("post",)),
    "follow_up_edit": Case(
        _pk("follow_up"),
        ("get", "post"),
        data=lambda w: {
            f"fu-{w.rows['follow_up'].pk}-title": "hijack",
            f"fu-{w.rows['follow_up'].pk}-date": "2030-01-01",
            f"fu-{w.rows['follow_up'].pk}-time": "09:00",
        },
    ),
    "follow_up_draft": Case(_pk("follow_up"), ("get",)),
    "follow_up_snooze": Case(_pk("follow_up"), ("post",), data=lambda w: {"due_on": "2030-01-01"}),
    # Templates
    "template_edit": Case(
        _pk("template"),
        ("get", "post"),
        data=lambda w: {"name": "hijack", "kind": "nudge", "subject": "", "body": "hijack"},
    ),
    "template_delete": Case(_pk("template"), ("post",)),
    # Question bank and agendas (#14)
    "question_edit": Case(
        _pk("question"),
        ("get", "post"),
        data=lambda w: {"kind": "coffee_chat", "category": "", "text": "hijack?"},
    ),
    "question_delete": Case(_pk("question"), ("post",)),
    "question_move": Case(_pk("question"), ("post",), data=lambda w: {"direction": "down"}),
    "conversation_build_agenda": Case(_pk("conversation"), ("post",)),
    "contact_request_check": Case(
        _pk("contact"),
        ("post",),
        data=lambda w: {"rq-template": w.rows["template"].pk, "rq-kind": "", "rq-message_body": "Hi, I want a job."},
    ),
    # Opportunities board, note → opportunity, portfolio pages (issue #14)
    "opportunity_edit": Case(_pk("opportunity"), ("get", "post"), data=lambda w: {"title": "hijack"}),
    "opportunity_move": Case(_pk("opportunity"), ("post",), data=lambda w: {"status": "applying"}),
    "opportunity_delete": Case(_pk("opportunity"), ("get", "post")),
    # The seeded note is an advice note: the owner's POST is refused with a reason (400), not a 404.
    "note_opportunity": Case(_pk("note"), ("get", "post"), data=lambda w: {f"opp-{w.rows['note'].pk}-title": "hijack"}),
    "portfolio_detail": Case(_pk("portfolio_item"), ("get",)),
    "portfolio_status": Case(_pk("portfolio_item"), ("post",), data=lambda w: {"status": "shared"}),
    # Calendar: one chat's invitation (logged in), and the feed (its secret token is the key:
    # a rotated token is what anyone but the owner can at best hold).
    "calendar_chat_ics": Case(_pk("conversation"), ("get",)),
    "calendar_feed": Case(
        lambda w: {"token": w.owner.profile.calendar_token},
        ("get",),
        intruder_kwargs=lambda w: {"token": w.rows["rotated_calendar_token"]},
        login=False,
    ),
    # One-click e-mail links: the signed token names a user and a follow-up; one naming the
    # intruder and the owner's follow-up must not reach it.
    "email-action": Case(
        lambda w: {"token": sign_link(user=w.owner, action=ACTION_COMPLETE, follow_up=w.rows["follow_up"])},
        ("get", "post"),
        intruder_kwargs=lambda w: {
            "token": sign_link(user=w.intruder, action=ACTION_COMPLETE, follow_up=w.rows["follow_up"])
        },
        login=False,
    ),
}

# Routes with a parameter that address no user's row, and why they are not in the matrix.
NOT_OWNED = {
    "password_reset_confirm": "Django's reset link: its signed token, not a row id, decides (tested by Django).",
}

OWNED_MODELS = (
    Company,
    Contact,
    ContactEvent,
    ImportJob,
    Tag,
    Conversation,
    StageChange,
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
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def page_routes():
    """(route, url name, parameter names) of every route outside the API and the admin."""
    return [
        (route, pattern.name, list(pattern.pattern.regex.groupindex))
        for route, pattern in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


ROUTES = page_routes()
ID_ROUTES = sorted({name for _, name, params in ROUTES if params})
PLAIN_ROUTES = sorted({name for _, name, params in ROUTES if not params})


def test_the_walk_finds_the_dashboard_calendar_and_email_routes():
    """Sanity: an empty walk cannot pass the matrix."""
    for name in ("contact_detail", "conversation_move", "import_job_status", "calendar_chat_ics", "email-action"):
        assert name in ID_ROUTES
    assert "today" in PLAIN_ROUTES and "contact_list" in PLAIN_ROUTES


def test_every_page_route_with_a_parameter_has_a_case():
    untested = [name for name in ID_ROUTES if name not in CASES and name not in NOT_OWNED]
    assert not untested, f"add a case to CASES (or a reason to NOT_OWNED) for: {untested}"
    stale = (set(CASES) | set(NOT_OWNED)) - set(ID_ROUTES)
    assert not stale, f"no such route any more: {sorted(stale)}"


def _world(owner, intruder) -> World:
    rows = seed_account(owner)
    rows["job_change"] = ContactEvent.objects.filter(owner=owner, kind="job_change").first()
    rows["import_job"] = ImportJob.objects.create(owner=owner, kind="csv", filename=f"{MARKER}.csv")
    old_token = owner.profile.calendar_token
    calendar_token_rotate(profile=owner.profile)
    owner.profile.refresh_from_db()
    rows["rotated_calendar_token"] = old_token
    return World(owner=owner, intruder=intruder, rows=rows)


def _snapshot(user) -> dict:
    """Every row the user owns, field by field, their tokens and their profile."""
    state = {model.__name__: list(model.objects.filter(owner=user).order_by("pk").values()) for model in OWNED_MODELS}
    state["tokens"] = list(get_token_model().objects.filter(user=user).order_by("pk").values())
    state["profile"] = list(type(user.profile).objects.filter(user=user).values())
    return state


def _csrf_client(user=None) -> Client:
    """A client that, like a browser, must send the CSRF token; it holds one from a page."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get(reverse("login"))  # renders a form: sets the csrftoken cookie
    return client


def _request(client: Client, method: str, url: str, case: Case, world: World):
    if method == "get":
        return client.get(url, case.query(world))
    token = client.cookies["csrftoken"].value
    return client.post(url, case.data(world), HTTP_X_CSRFTOKEN=token)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("name", sorted(CASES))
def test_another_users_object_is_404_and_untouched(user, other_user, name):
    case = CASES[name]
    world = _world(user, other_user)
    intruder = _csrf_client(other_user if case.login else None)
    url = reverse(name, kwargs=(case.intruder_kwargs or case.kwargs)(world))
    before = _snapshot(user)
    for method in METHODS:
        response = _request(intruder, method, url, case, world)
        expected = (404,) if method in case.methods else (404, 405)
        assert response.status_code in expected, (method.upper(), url, response.status_code)
        assert MARKER not in _body(response), (method.upper(), url)
    assert _snapshot(user) == before


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_owner_reaches_the_same_object(user, other_user, name):
    """The control for the test above: the owner's request is not a 404 (nor an error)."""
    case = CASES[name]
    world = _world(user, other_user)
    owner = _csrf_client(user if case.login else None)
    url = reverse(name, kwargs=case.kwargs(world))
    for method in case.methods:
        response = _request(owner, method, url, case, world)
        assert response.status_code not in (403, 404, 405) and response.status_code < 500, (
            method.upper(),
            url,
            response.status_code,
        )


def test_pages_without_an_id_show_none_of_another_users_rows(user, other_user):
    world = _world(user, other_user)
    intruder = _csrf_client(other_user)
    for name in PLAIN_ROUTES:
        response = intruder.get(reverse(name))
        assert response.status_code < 500, name
        assert MARKER not in _body(response), name
    # The contact list's filters take ids: the owner's company or tag matches nothing, nor does
    # a search for the owner's contacts (all named "… Person").
    owner_rows = world.rows
    for query in ({"company": owner_rows["company"].pk}, {"tag": owner_rows["tag"].pk}, {"q": "Person"}):
        response = intruder.get(reverse("contact_list"), query)
        assert response.status_code == 200
        assert MARKER not in _body(response), query
    # Bulk actions naming the owner's contacts (or the intruder's filter) change nothing of theirs.
    before = _snapshot(user)
    token = intruder.cookies["csrftoken"].value
    for data in (
        {"ids": [world.rows["contact"].pk], "action": "archive"},
        {"ids": [world.rows["contact"].pk], "action": "plan", "value_kind": "coffee_chat"},
        {"scope": "filter", "action": "tag", "value_tag": "x"},
    ):
        response = intruder.post(reverse("contact_bulk"), data, HTTP_X_CSRFTOKEN=token, follow=True)
        assert response.status_code == 200
        assert MARKER not in _body(response)
    assert _snapshot(user) == before
