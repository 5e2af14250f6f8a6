"""CRUD, validation and unhappy paths of each endpoint, through HTTP."""

from datetime import timedelta

import pytest
import time_machine

from contacts.models import Contact, Tag
from outreach.models import Reminder
from outreach.services import conversation_transition, follow_up_complete
from tests.factories import ContactFactory, aware, conversation

NOW = aware(2026, 3, 2, 15, 0)  # Monday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


# --- contacts, companies, tags ------------------------------------------------------------------


def test_contact_crud_with_company_and_tag_names(api_client, user):
    company = api_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").json()
    created = api_client.post(
        "/api/v1/contacts/",
        {
            "first_name": "Lin",
            "last_name": "Park",
            "company": company["id"],
            "tags": ["mentor", "Fintech", "mentor"],
            "linkedin_url": "https://www.linkedin.com/in/linpark/?trk=x",
            "reconnect_every_days": 30,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["company_name"] == "Acme"
    assert sorted(body["tags"]) == ["Fintech", "mentor"]
    assert body["last_contacted_at"] is None
    assert body["reconnect_due_at"] == "2026-04-01T08:00:00Z"  # the digest hour that day

    url = f"/api/v1/contacts/{body['id']}/"
    updated = api_client.patch(url, {"tags": ["fintech"], "last_contacted_at": "2020-01-01T00:00:00Z"}, format="json")
    assert updated.json()["tags"] == ["Fintech"]
    assert updated.json()["last_contacted_at"] is None  # read-only, ignored
    assert api_client.get("/api/v1/companies/").json()["results"][0]["contact_count"] == 1
    assert api_client.delete(url).status_code == 204
    assert not Contact.objects.filter(owner=user).exists()


def test_contact_needs_a_first_name_and_a_known_relationship(api_client):
    response = api_client.post("/api/v1/contacts/", {"first_name": "", "relationship": "boss"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "first_name" in errors
    assert errors["relationship"] == [
        '"boss" is not a valid choice. Allowed values: product_manager, designer, engineer, analyst, '
        "recruiter, hiring_manager, internal_colleague, alumni, other."
    ]


def test_tags_must_be_a_list_of_names(api_client):
    response = api_client.post("/api/v1/contacts/", {"first_name": "A", "tags": "mentor"}, format="json")
    assert response.status_code == 400
    assert "list of names" in response.json()["tags"][0]


def test_duplicate_linkedin_url_is_a_400_naming_the_field_and_writes_nothing(api_client, user):
    body = {"first_name": "A", "linkedin_url": "https://linkedin.com/in/same"}
    assert api_client.post("/api/v1/contacts/", body, format="json").status_code == 201
    response = api_client.post("/api/v1/contacts/", {**body, "first_name": "B"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"linkedin_url": ["You already have a contact with this LinkedIn profile."]}
    assert [c.first_name for c in Contact.objects.filter(owner=user)] == ["A"]


def test_contact_filters(api_client, user):
    acme = api_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").json()["id"]
    api_client.post(
        "/api/v1/contacts/", {"first_name": "A", "company": acme, "tags": ["mentor"], "source": "event"}, format="json"
    )
    api_client.post(
        "/api/v1/contacts/", {"first_name": "B", "archived": True, "relationship": "designer"}, format="json"
    )
    with time_machine.travel(NOW - timedelta(days=40), tick=False):
        api_client.post("/api/v1/contacts/", {"first_name": "C", "reconnect_every_days": 30}, format="json")

    def names(**query):
        return [row["first_name"] for row in api_client.get("/api/v1/contacts/", query).json()["results"]]

    assert names() == ["A", "B", "C"]
    assert names(company=acme) == ["A"]
    assert names(tag="MENTOR") == ["A"]
    assert names(source="event") == ["A"]
    assert names(relationship="designer") == ["B"]
    assert names(archived="true") == ["B"]
    assert names(reconnect_due="true") == ["C"]
    assert names(search="acme") == ["A"]
    assert names(ordering="-first_name") == ["C", "B", "A"]
    assert names(company=999999) == []


def test_an_invalid_filter_value_names_the_allowed_ones(api_client):
    response = api_client.get("/api/v1/contacts/", {"source": "fax"})
    assert response.status_code == 400
    assert "Allowed values: linkedin, slack_community" in response.json()["source"][0]


def test_company_names_are_unique_per_user_case_insensitively(api_client, other_api_client):
    assert api_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").status_code == 201
    response = api_client.post("/api/v1/companies/", {"name": "ACME"}, format="json")
    assert response.status_code == 400
    assert "already have a company" in str(response.json())
    assert other_api_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").status_code == 201


def test_tags_crud_and_duplicates(api_client, user):
    created = api_client.post("/api/v1/tags/", {"name": "  mentor  "}, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "mentor"
    assert api_client.post("/api/v1/tags/", {"name": "Mentor"}, format="json").status_code == 400
    renamed = api_client.patch(f"/api/v1/tags/{created.json()['id']}/", {"name": "mentors"}, format="json")
    assert renamed.json()["name"] == "mentors"
    assert api_client.delete(f"/api/v1/tags/{created.json()['id']}/").status_code == 204
    assert not Tag.objects.filter(owner=user).exists()


def test_pagination_shape_and_page_size_cap(api_client, user):
    for i in range(3):
        ContactFactory(owner=user, first_name=f"P{i}")
    page = api_client.get("/api/v1/contacts/", {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 3 and len(page["results"]) == 2 and "page=2" in page["next"]
    assert len(api_client.get("/api/v1/contacts/", {"page_size": 5000}).json()["results"]) == 3
    assert api_client.get("/api/v1/contacts/", {"page": 9}).status_code == 404


# --- conversations ------------------------------------------------------------------------------


def test_conversation_is_created_planned_and_stage_is_read_only(api_client, user):
    contact = ContactFactory(owner=user)
    response = api_client.post(
        "/api/v1/conversations/", {"contact": contact.pk, "kind": "coffee_chat", "stage": "held"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["stage"] == "planned"
    assert body["stage_history"] == [{"stage": "planned", "at": "2026-03-02T15:00:00Z"}]
    assert body["allowed_next_stages"] == ["requested", "cancelled"]
    patched = api_client.patch(
        f"/api/v1/conversations/{body['id']}/", {"stage": "held", "agenda": "Ask about discovery"}, format="json"
    )
    assert patched.json()["stage"] == "planned"
    assert patched.json()["agenda"] == "Ask about discovery"


def test_transition_moves_and_reports_history(api_client, user):
    conv = conversation(user)
    url = f"/api/v1/conversations/{conv.pk}/transition/"
    assert api_client.post(url, {"stage": "requested"}, format="json").status_code == 200
    response = api_client.post(url, {"stage": "scheduled", "scheduled_for": "2026-03-05T10:00:00+01:00"}, format="json")
    body = response.json()
    assert body["stage"] == "scheduled"
    assert body["scheduled_for"] == "2026-03-05T09:00:00Z"
    assert [h["stage"] for h in body["stage_history"]] == ["planned", "requested", "scheduled"]
    assert body["allowed_next_stages"] == ["scheduled", "held", "cancelled"]


def test_a_naive_scheduled_for_is_read_in_the_users_time_zone(api_client, user):
    user.profile.timezone = "America/Toronto"
    user.profile.save()
    conv = conversation(user)
    url = f"/api/v1/conversations/{conv.pk}/transition/"
    api_client.post(url, {"stage": "requested"}, format="json")
    body = api_client.post(url, {"stage": "scheduled", "scheduled_for": "2026-03-05T10:00:00"}, format="json").json()
    assert body["scheduled_for"] == "2026-03-05T15:00:00Z"


def test_an_illegal_move_names_current_and_allowed_stages(api_client, user):
    conv = conversation(user)
    response = api_client.post(f"/api/v1/conversations/{conv.pk}/transition/", {"stage": "held"}, format="json")
    assert response.status_code == 400
    assert response.json()["current_stage"] == "planned"
    assert response.json()["allowed_stages"] == ["requested", "cancelled"]
    assert "planned" in response.json()["detail"]


def test_scheduling_needs_a_time(api_client, user):
    conv = conversation(user)
    url = f"/api/v1/conversations/{conv.pk}/transition/"
    api_client.post(url, {"stage": "requested"}, format="json")
    response = api_client.post(url, {"stage": "scheduled"}, format="json")
    assert response.status_code == 400
    assert "scheduled_for" in response.json()


def test_transition_to_an_unknown_stage_lists_the_stages(api_client, user):
    conv = conversation(user)
    response = api_client.post(f"/api/v1/conversations/{conv.pk}/transition/", {"stage": "done"}, format="json")
    assert response.status_code == 400
    assert "Allowed values: planned, requested" in response.json()["stage"][0]


def _suggests_no_response(api_client, conv) -> bool:
    return api_client.get(f"/api/v1/conversations/{conv.pk}/").json()["suggest_no_response"]


def test_no_response_is_suggested_once_the_last_nudge_goes_unanswered(api_client, user):
    user.profile.max_nudges = 2
    user.profile.save()
    conv = conversation(user)
    assert _suggests_no_response(api_client, conv) is False
    conversation_transition(conversation=conv, to_stage="requested")
    assert _suggests_no_response(api_client, conv) is False  # the first nudge is still to come
    follow_up_complete(follow_up=conv.follow_ups.get(kind="nudge", status="open"))
    assert _suggests_no_response(api_client, conv) is False  # one more nudge is planned
    follow_up_complete(follow_up=conv.follow_ups.get(kind="nudge", status="open"))
    assert _suggests_no_response(api_client, conv) is True
    rows = {row["id"]: row["suggest_no_response"] for row in api_client.get("/api/v1/conversations/").json()["results"]}
    assert rows[conv.pk] is True


def test_no_response_is_not_suggested_once_they_answered_or_when_asked_again(api_client, user):
    user.profile.max_nudges = 1
    user.profile.save()
    answered, asked_again = conversation(user), conversation(user)
    for conv in (answered, asked_again):
        conversation_transition(conversation=conv, to_stage="requested")
        follow_up_complete(follow_up=conv.follow_ups.get(kind="nudge", status="open"))
        assert _suggests_no_response(api_client, conv) is True
    conversation_transition(conversation=answered, to_stage="scheduled", scheduled_for=NOW + timedelta(days=1))
    with time_machine.travel(NOW + timedelta(days=10), tick=False):
        conversation_transition(conversation=asked_again, to_stage="no_response")
        conversation_transition(conversation=asked_again, to_stage="requested")
    assert _suggests_no_response(api_client, answered) is False
    assert _suggests_no_response(api_client, asked_again) is False  # a new round of nudges starts


def test_conversation_filters(api_client, user):
    a, b = conversation(user, kind="coffee_chat"), conversation(user, kind="referral_request")
    conversation_transition(conversation=a, to_stage="requested")

    def ids(**query):
        return {row["id"] for row in api_client.get("/api/v1/conversations/", query).json()["results"]}

    assert ids(stage="requested") == {a.pk}
    assert ids(kind="referral_request") == {b.pk}
    assert ids(contact=a.contact_id) == {a.pk}


def test_a_case_study_conversation_shows_on_its_portfolio_item(api_client, user):
    item = api_client.post(
        "/api/v1/portfolio/", {"title": "Checkout redesign", "kind": "redesign"}, format="json"
    ).json()
    contact = ContactFactory(owner=user, first_name="Rae", last_name="Kim")
    conv = api_client.post(
        "/api/v1/conversations/",
        {"contact": contact.pk, "kind": "case_study_feedback", "portfolio_item": item["id"]},
        format="json",
    ).json()
    feedback = api_client.get(f"/api/v1/portfolio/{item['id']}/").json()["feedback"]
    assert [(f["id"], f["contact_name"], f["stage"]) for f in feedback] == [(conv["id"], "Rae Kim", "planned")]


# --- follow-ups ---------------------------------------------------------------------------------


def test_follow_up_with_a_date_is_due_at_the_digest_hour_local(api_client, user):
    user.profile.timezone = "Europe/Berlin"
    user.profile.digest_hour = 7
    user.profile.save()
    contact = ContactFactory(owner=user)
    body = {"contact": contact.pk, "title": "Send deck", "kind": "send_material", "due_at": "2026-03-04"}
    created = api_client.post("/api/v1/follow-ups/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["due_at"] == "2026-03-04T06:00:00Z"
    naive = api_client.post("/api/v1/follow-ups/", {**body, "due_at": "2026-03-04T09:30"}, format="json")
    assert naive.json()["due_at"] == "2026-03-04T08:30:00Z"
    bad = api_client.post("/api/v1/follow-ups/", {**body, "due_at": "next tuesday"}, format="json")
    assert bad.status_code == 400
    assert "YYYY-MM-DD" in bad.json()["due_at"][0]


def test_complete_snooze_cancel(api_client, user):
    contact = ContactFactory(owner=user)
    make = lambda title: api_client.post(  # noqa: E731
        "/api/v1/follow-ups/", {"contact": contact.pk, "title": title, "due_at": "2026-03-03T09:00:00Z"}, format="json"
    ).json()["id"]
    done, snoozed, dropped = make("a"), make("b"), make("c")
    completed = api_client.post(f"/api/v1/follow-ups/{done}/complete/")
    assert completed.json()["status"] == "done" and completed.json()["completed_at"] == "2026-03-02T15:00:00Z"
    assert api_client.post(f"/api/v1/follow-ups/{done}/complete/").status_code == 400
    moved = api_client.post(f"/api/v1/follow-ups/{snoozed}/snooze/", {"due_at": "2026-03-09T10:00:00Z"}, format="json")
    assert moved.json()["due_at"] == "2026-03-09T10:00:00Z"
    reminder = Reminder.objects.get(follow_up_id=snoozed, status="pending")
    assert reminder.send_at == aware(2026, 3, 9, 10, 0)
    past = api_client.post(f"/api/v1/follow-ups/{snoozed}/snooze/", {"due_at": "2026-03-01"}, format="json")
    assert past.status_code == 400 and "future" in past.json()["due_at"][0]
    assert api_client.post(f"/api/v1/follow-ups/{snoozed}/snooze/", {}, format="json").status_code == 400
    assert api_client.post(f"/api/v1/follow-ups/{dropped}/cancel/").json()["status"] == "cancelled"
    assert not Reminder.objects.filter(follow_up_id=dropped, status="pending").exists()


def test_follow_up_due_filters_on_the_users_clock(api_client, user):
    user.profile.timezone = "America/Los_Angeles"  # 07:00 local, Monday 2 March
    user.profile.save()
    contact = ContactFactory(owner=user)
    for title, due in [
        ("overdue", "2026-03-02T14:00:00Z"),
        ("tonight", "2026-03-03T07:00:00Z"),  # 23:00 local Monday
        ("tomorrow", "2026-03-03T09:00:00Z"),  # 01:00 local Tuesday
        ("sunday", "2026-03-09T06:00:00Z"),  # 23:00 local Sunday 8 March (PDT after the change)
        ("next week", "2026-03-09T08:00:00Z"),
    ]:
        api_client.post("/api/v1/follow-ups/", {"contact": contact.pk, "title": title, "due_at": due}, format="json")

    def titles(**query):
        return [row["title"] for row in api_client.get("/api/v1/follow-ups/", query).json()["results"]]

    assert titles(due="overdue") == ["overdue"]
    assert titles(due="today") == ["tonight"]
    assert titles(due="week") == ["tonight", "tomorrow", "sunday"]
    assert titles(status="open", kind="other") == ["overdue", "tonight", "tomorrow", "sunday", "next week"]
    assert api_client.get("/api/v1/follow-ups/", {"due": "later"}).status_code == 400


def test_a_follow_up_conversation_must_be_with_the_same_contact(api_client, user):
    conv = conversation(user)
    other = ContactFactory(owner=user)
    response = api_client.post(
        "/api/v1/follow-ups/",
        {"contact": other.pk, "conversation": conv.pk, "title": "x", "due_at": "2026-03-04"},
        format="json",
    )
    assert response.status_code == 400
    assert "conversation" in response.json()


# --- notes, opportunities, templates, reminders ------------------------------------------------


def test_note_body_is_rendered_safely(api_client, user):
    contact = ContactFactory(owner=user)
    body = "**Advice**: ship small <script>alert(1)</script> [x](javascript:alert(1))"
    note = api_client.post(
        "/api/v1/notes/", {"contact": contact.pk, "body": body, "kind": "advice"}, format="json"
    ).json()
    assert "<strong>Advice</strong>" in note["body_html"]
    assert "<script" not in note["body_html"] and "javascript:" not in note["body_html"]
    assert api_client.get("/api/v1/notes/", {"kind": "challenge"}).json()["count"] == 0
    assert api_client.get("/api/v1/notes/", {"contact": contact.pk}).json()["count"] == 1


def test_a_note_on_a_conversation_counts_as_a_touch(api_client, user):
    conv = conversation(user)
    api_client.post(
        "/api/v1/notes/", {"contact": conv.contact_id, "conversation": conv.pk, "body": "Met"}, format="json"
    )
    assert api_client.get(f"/api/v1/contacts/{conv.contact_id}/").json()["last_contacted_at"] == "2026-03-02T15:00:00Z"


def test_opportunities_crud_and_filters(api_client, user):
    acme = api_client.post("/api/v1/companies/", {"name": "Acme"}, format="json").json()["id"]
    referrer = ContactFactory(owner=user)
    opp = api_client.post(
        "/api/v1/opportunities/",
        {"title": "APM", "company": acme, "referrer": referrer.pk, "url": "https://acme.example/jobs/1"},
        format="json",
    )
    assert opp.status_code == 201
    api_client.patch(f"/api/v1/opportunities/{opp.json()['id']}/", {"status": "applied"}, format="json")
    assert api_client.get("/api/v1/opportunities/", {"status": "applied", "company": acme}).json()["count"] == 1
    assert api_client.get("/api/v1/opportunities/", {"status": "heard"}).json()["count"] == 0
    bad = api_client.patch(f"/api/v1/opportunities/{opp.json()['id']}/", {"url": "not a url"}, format="json")
    assert bad.status_code == 400


def test_template_unknown_placeholder_is_refused(api_client):
    response = api_client.post(
        "/api/v1/templates/", {"name": "x", "kind": "nudge", "body": "Hi {firstname}"}, format="json"
    )
    assert response.status_code == 400
    assert "{firstname}" in response.json()["body"][0]


def test_template_render(api_client, user):
    contact = ContactFactory(owner=user, first_name="Rae", company__name="Acme", how_we_met="PM Slack")
    template = api_client.post(
        "/api/v1/templates/",
        {
            "name": "Ask",
            "kind": "coffee_chat",
            "subject": "Hi {first_name}",
            "body": "{how_we_met} at {company}, {my_name}",
        },
        format="json",
    ).json()
    rendered = api_client.post(f"/api/v1/templates/{template['id']}/render/", {"contact": contact.pk}, format="json")
    assert rendered.json() == {"subject": "Hi Rae", "body": "PM Slack at Acme, Ada Lovelace", "empty": [], "checks": []}
    assert api_client.post(f"/api/v1/templates/{template['id']}/render/", {}, format="json").status_code == 400


def test_rendering_a_template_saved_with_an_unknown_placeholder_is_a_400(api_client, user):
    from outreach.models import MessageTemplate

    template = MessageTemplate.objects.create(owner=user, name="legacy", kind="nudge", body="Hi {nickname}")
    response = api_client.post(
        f"/api/v1/templates/{template.pk}/render/", {"contact": ContactFactory(owner=user).pk}, format="json"
    )
    assert response.status_code == 400
    assert "{nickname}" in response.json()["body"][0]


def test_rendering_and_saving_refuse_an_unknown_placeholder_in_the_same_words(api_client, user):
    from outreach.models import MessageTemplate

    template = MessageTemplate.objects.create(owner=user, name="legacy", kind="nudge", body="Hi {nickname}")
    rendered = api_client.post(
        f"/api/v1/templates/{template.pk}/render/", {"contact": ContactFactory(owner=user).pk}, format="json"
    )
    saved = api_client.patch(f"/api/v1/templates/{template.pk}/", {"body": "Hello {nickname}"}, format="json")
    assert (rendered.status_code, saved.status_code) == (400, 400)
    assert rendered.json()["body"] == saved.json()["body"]
    assert "Allowed: {first_name}, {last_name}" in saved.json()["body"][0]


def test_reminders_are_read_only_and_filterable(api_client, user):
    conv = conversation(user)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(days=3))
    rows = api_client.get("/api/v1/reminders/", {"kind": "chat_prep"}).json()["results"]
    assert [(r["kind"], r["status"], r["send_at"]) for r in rows] == [("chat_prep", "pending", "2026-03-04T15:00:00Z")]
    assert api_client.post("/api/v1/reminders/", {}, format="json").status_code == 405
    assert api_client.delete(f"/api/v1/reminders/{rows[0]['id']}/").status_code == 405


# --- me -----------------------------------------------------------------------------------------


def test_me_reads_and_updates_the_profile(api_client, user):
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "ada" and me["timezone"] == "UTC"
    updated = api_client.patch(
        "/api/v1/me/", {"timezone": "Europe/Paris", "digest_hour": 6, "username": "eve"}, format="json"
    )
    assert updated.status_code == 200
    assert (updated.json()["timezone"], updated.json()["digest_hour"], updated.json()["username"]) == (
        "Europe/Paris",
        6,
        "ada",
    )


def test_me_sets_the_name_that_signs_rendered_messages(api_client, user):
    response = api_client.patch("/api/v1/me/", {"first_name": "Sam", "last_name": " Rivera "}, format="json")
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Sam", "Rivera")
    contact = api_client.post("/api/v1/contacts/", {"first_name": "Priya"}, format="json").json()
    template = api_client.post(
        "/api/v1/templates/",
        {"name": "Sig", "kind": "nudge", "subject": "Hi", "body": "Thanks, {my_name}"},
        format="json",
    ).json()
    rendered = api_client.post(f"/api/v1/templates/{template['id']}/render/", {"contact": contact["id"]}, format="json")
    assert rendered.json()["body"] == "Thanks, Sam Rivera"


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", "Mars/Olympus"), ("digest_hour", 24), ("pathway", "astronaut"), ("nudge_after_days", 0)],
)
def test_me_refuses_invalid_settings(api_client, field, value):
    response = api_client.patch("/api/v1/me/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_calendar_token_rotation_gives_a_new_url(api_client, user, settings):
    old = api_client.get("/api/v1/me/").json()["calendar_url"]
    new = api_client.post("/api/v1/me/calendar-token/").json()["calendar_url"]
    assert new != old
    assert new.startswith(settings.SITE_URL + "/calendar/") and new.endswith(".ics")
    user.profile.refresh_from_db()
    assert new == f"{settings.SITE_URL}/calendar/{user.profile.calendar_token}.ics"


def test_errors_are_always_an_object(api_client):
    response = api_client.get("/api/v1/notes/", {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Null characters are not allowed."]}


def test_an_unknown_api_path_is_a_json_404(api_client):
    response = api_client.put("/api/v1/contacts/1.5/", {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
