"""Edit and delete on the pages (#10): notes in place with a 10-second Undo, follow-ups' title
and due, mistaken conversations and contacts after a confirmation, companies and tags pages."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from contacts.models import Company, Contact, Tag
from contacts.services import company_create, contact_create
from crm.models import NOTE_BODY_MAX_LENGTH, Note
from crm.services import opportunity_create
from outreach.models import Conversation, FollowUp, Reminder, StageChange
from outreach.services import conversation_transition, follow_up_create
from tests.factories import aware, conversation

NOW = aware(2026, 5, 4, 12, 0)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# --- notes -------------------------------------------------------------------------------------


def test_the_timeline_offers_edit_and_delete_on_each_note(web, note, contact):
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("note_edit", args=[note.pk]) in page
    assert reverse("note_delete", args=[note.pk]) in page


def test_a_note_is_edited_in_place(web, note):
    form = web.get(reverse("note_edit", args=[note.pk]), **HTMX)
    assert form.status_code == 200
    assert "Loves **metrics**" in form.content.decode()
    prefix = f"note-{note.pk}"
    response = web.post(
        reverse("note_edit", args=[note.pk]),
        {f"{prefix}-kind": "challenge", f"{prefix}-body": "Hiring *freeze*"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "<em>freeze</em>" in response.content.decode()
    note.refresh_from_db()
    assert (note.kind, note.body) == ("challenge", "Hiring *freeze*")


def test_a_note_is_edited_without_javascript_too(web, note, contact):
    page = web.get(reverse("note_edit", args=[note.pk]))
    assert page.status_code == 200 and "<h1>" in page.content.decode()
    prefix = f"note-{note.pk}"
    response = web.post(reverse("note_edit", args=[note.pk]), {f"{prefix}-kind": "advice", f"{prefix}-body": "New"})
    assert response.status_code == 302
    assert response.url == reverse("contact_detail", args=[contact.pk]) + f"#note-{note.pk}"


@pytest.mark.parametrize("body", ["", "x" * (NOTE_BODY_MAX_LENGTH + 1)])
def test_an_empty_or_over_long_note_is_a_form_error_and_changes_nothing(web, note, body):
    prefix = f"note-{note.pk}"
    response = web.post(
        reverse("note_edit", args=[note.pk]), {f"{prefix}-kind": "advice", f"{prefix}-body": body}, **HTMX
    )
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    note.refresh_from_db()
    assert note.body == "Loves **metrics**"


def test_an_over_long_new_note_is_a_form_error_and_writes_nothing(web, note, contact):
    response = web.post(
        reverse("contact_note_create", args=[contact.pk]), {"kind": "general", "body": "x" * (NOTE_BODY_MAX_LENGTH + 1)}
    )
    assert response.status_code == 400
    assert "at most 20000 characters" in response.content.decode()
    assert Note.objects.count() == 1


def test_deleting_a_note_offers_undo_and_undo_brings_it_back(web, note, contact, clock):
    response = web.post(reverse("note_delete", args=[note.pk]), **HTMX)
    assert response.status_code == 200
    assert "Note deleted." in response.content.decode()
    assert reverse("note_restore", args=[note.pk]) in response.content.decode()
    assert not Note.objects.exists()
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert "Loves" not in page
    clock.shift(timedelta(seconds=8))
    restored = web.post(reverse("note_restore", args=[note.pk]), **HTMX)
    assert restored.status_code == 200
    assert "<strong>metrics</strong>" in restored.content.decode()
    assert Note.objects.get().pk == note.pk


def test_a_reload_within_the_window_still_offers_undo(web, note, contact, clock):
    response = web.post(reverse("note_delete", args=[note.pk]))
    assert response.status_code == 302
    clock.shift(timedelta(seconds=4))
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("note_restore", args=[note.pk]) in page
    assert 'data-expires-in="6"' in page  # what is left of the window
    clock.shift(timedelta(seconds=7))
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("note_restore", args=[note.pk]) not in page


def test_undo_after_the_window_is_refused(web, note, clock):
    web.post(reverse("note_delete", args=[note.pk]), **HTMX)
    clock.shift(timedelta(seconds=11))
    response = web.post(reverse("note_restore", args=[note.pk]), **HTMX)
    assert response.status_code == 400
    assert "Too late to undo" in response.content.decode()
    assert not Note.objects.exists()


def test_another_user_cannot_undo_a_deleted_note(web, other_web, note):
    web.post(reverse("note_delete", args=[note.pk]), **HTMX)
    assert other_web.post(reverse("note_restore", args=[note.pk]), **HTMX).status_code == 404
    assert not Note.objects.exists()


# --- follow-ups --------------------------------------------------------------------------------


def test_a_follow_up_title_and_due_are_edited_and_its_reminder_follows(web, user, contact):
    follow_up = follow_up_create(
        owner=user, contact=contact, kind="other", title="Send deck", due_at=NOW + timedelta(hours=1)
    )
    prefix = f"fu-{follow_up.pk}"
    form = web.get(reverse("follow_up_edit", args=[follow_up.pk]), **HTMX)
    assert 'value="Send deck"' in form.content.decode()
    response = web.post(
        reverse("follow_up_edit", args=[follow_up.pk]),
        {f"{prefix}-title": "Send the case study", f"{prefix}-date": "2026-05-06", f"{prefix}-time": "15:30"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Send the case study" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.title == "Send the case study"
    assert follow_up.due_at == aware(2026, 5, 6, 15, 30)  # the user's clock is UTC here
    assert list(Reminder.objects.filter(follow_up=follow_up, status="pending").values_list("send_at", flat=True)) == [
        follow_up.due_at
    ]


def test_a_follow_up_edit_with_an_empty_title_changes_nothing(web, follow_up):
    prefix = f"fu-{follow_up.pk}"
    response = web.post(
        reverse("follow_up_edit", args=[follow_up.pk]),
        {f"{prefix}-title": "", f"{prefix}-date": "2026-05-06", f"{prefix}-time": "15:30"},
    )
    assert response.status_code == 400
    follow_up.refresh_from_db()
    assert follow_up.title == "Send Priya the deck"


# --- conversations -----------------------------------------------------------------------------


@pytest.fixture
def scheduled(user, contact):
    conv = conversation(user, contact)
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=NOW + timedelta(hours=30))
    return conv


def test_deleting_a_conversation_asks_first_and_says_what_goes(web, scheduled):
    page = web.get(reverse("conversation_delete", args=[scheduled.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "3 stage changes of its history" in text
    assert "2 pending reminder e-mails (never sent)" in text
    assert Conversation.objects.exists()  # a GET changes nothing


def test_a_deleted_conversation_takes_its_history_and_never_sends_a_reminder(web, user, scheduled, contact, clock):
    user.profile.daily_digest = user.profile.weekly_review = False
    user.profile.save()
    response = web.post(reverse("conversation_delete", args=[scheduled.pk]))
    assert response.status_code == 302 and response.url == reverse("contact_detail", args=[contact.pk])
    assert not Conversation.objects.exists() and not StageChange.objects.exists() and not FollowUp.objects.exists()
    for hours in (7, 29, 31):
        clock.move_to(NOW + timedelta(hours=hours))
        call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))
    assert mail.outbox == []


# --- contacts ----------------------------------------------------------------------------------


def test_deleting_a_contact_asks_first_beside_archive(web, contact, note):
    detail = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("contact_delete", args=[contact.pk]) in detail
    page = web.get(reverse("contact_delete", args=[contact.pk])).content.decode()
    assert "1 note" in page and "archive them instead" in page
    response = web.post(reverse("contact_delete", args=[contact.pk]))
    assert response.status_code == 302 and response.url == reverse("contact_list")
    assert not Contact.objects.exists() and not Note.all_objects.exists()


# --- companies and tags --------------------------------------------------------------------------


@pytest.fixture
def companies(user):
    acme = company_create(owner=user, name="Acme")
    acme_inc = company_create(owner=user, name="Acme Inc")
    grace = contact_create(owner=user, first_name="Grace", company=acme_inc, tags=["mentor", "fintech"])
    opportunity_create(owner=user, title="APM", company=acme_inc)
    return acme, acme_inc, grace


def test_the_companies_page_lists_names_with_contact_counts(web, companies, other_user):
    company_create(owner=other_user, name="Not yours")
    text = web.get(reverse("company_list")).content.decode()
    assert "Acme Inc" in text and "1 contact" in text and "Not yours" not in text
    assert "Acme Inc" not in web.get(reverse("company_list"), {"q": "zzz"}).content.decode()


def test_the_companies_page_is_paginated(web, user):
    Company.objects.bulk_create([Company(owner=user, name=f"Co {i:03}", name_key=f"co {i:03}") for i in range(60)])
    first = web.get(reverse("company_list")).content.decode()
    assert "Co 049" in first and "Co 050" not in first and "Page 1 of 2" in first


def test_renaming_a_company(web, companies):
    acme, *_ = companies
    response = web.post(reverse("company_edit", args=[acme.pk]), {"name": "Acme Labs"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Labs"


def test_renaming_to_a_name_you_have_offers_to_merge_instead(web, companies):
    acme, acme_inc, grace = companies
    response = web.post(reverse("company_edit", args=[acme_inc.pk]), {"name": "ACME"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "You already have a company named “Acme”" in text
    assert reverse("company_merge", args=[acme_inc.pk]) in text
    acme_inc.refresh_from_db()
    assert acme_inc.name == "Acme Inc"
    merged = web.post(reverse("company_merge", args=[acme_inc.pk]), {"name": "Acme"})
    assert merged.status_code == 302
    grace.refresh_from_db()
    assert grace.company == acme
    assert list(Company.objects.values_list("name", flat=True)) == ["Acme"]
    assert acme.opportunities.count() == 1


@pytest.mark.parametrize(("route", "limit"), [("company_edit", 200), ("tag_edit", 50)])
def test_an_over_long_name_is_a_form_error(web, companies, route, limit):
    row = companies[0] if route == "company_edit" else Tag.objects.get(name="mentor")
    response = web.post(reverse(route, args=[row.pk]), {"name": "n" * (limit + 1)})
    assert response.status_code == 400
    assert f"at most {limit} characters" in response.content.decode()
    row.refresh_from_db()
    assert len(row.name) < limit


def test_merging_into_a_name_you_do_not_have_is_a_form_error(web, companies):
    acme, *_ = companies
    response = web.post(reverse("company_merge", args=[acme.pk]), {"name": "Nowhere"})
    assert response.status_code == 400
    assert "You have no company named “Nowhere”" in response.content.decode()
    assert web.post(reverse("company_merge", args=[acme.pk]), {"name": "acme"}).status_code == 400
    assert Company.objects.count() == 2


def test_deleting_a_company_keeps_its_contacts(web, companies):
    _, acme_inc, grace = companies
    page = web.get(reverse("company_delete", args=[acme_inc.pk])).content.decode()
    assert "1 contact. Its contacts and opportunities stay, with no company." in page
    assert web.post(reverse("company_delete", args=[acme_inc.pk])).status_code == 302
    grace.refresh_from_db()
    assert grace.company is None


def test_the_tags_page_renames_merges_and_deletes(web, companies):
    _, _, grace = companies
    mentor, fintech = Tag.objects.get(name="mentor"), Tag.objects.get(name="fintech")
    assert "mentor" in web.get(reverse("tag_list")).content.decode()
    assert web.post(reverse("tag_edit", args=[mentor.pk]), {"name": "Mentors"}).status_code == 302
    assert web.post(reverse("tag_merge", args=[fintech.pk]), {"name": "mentors"}).status_code == 302
    assert list(grace.tags.values_list("name", flat=True)) == ["Mentors"]
    assert web.post(reverse("tag_delete", args=[mentor.pk])).status_code == 302
    assert Contact.objects.filter(pk=grace.pk, tags__isnull=True).exists()
