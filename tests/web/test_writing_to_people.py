"""Writing to people on the dashboard (#10): the request's text is edited before sending, kept
and shown; empty placeholders are warned about; a second open ask shows the first; planning,
the Today queue, logging a past chat, refusing past times, and drafted follow-up replies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Conversation, FollowUp, MessageTemplate
from outreach.services import conversation_create, follow_up_create
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _template(user, name="Informational interview request"):
    return MessageTemplate.objects.get(owner=user, name=name)


def _request(web, contact, template, **fields):
    data = {
        "rq-template": template.pk,
        "rq-kind": "",
        "rq-channel": "email",
        "rq-message_subject": "My own subject",
        "rq-message_body": "Hi Priya,\n\nMy own words, not the template's.",
        **fields,
    }
    return web.post(reverse("contact_request", args=[contact.pk]), data)


def test_the_request_box_starts_from_the_template_and_is_editable(web, user, contact):
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert 'name="rq-message_body"' in page and 'name="rq-message_subject"' in page
    assert "Hi Priya," in page
    assert 'id="rq-body" readonly' not in page


def test_the_edited_request_is_stored_and_shown_on_the_conversation_and_the_timeline(web, user, contact):
    response = _request(web, contact, _template(user))
    assert response.status_code == 302
    conversation = Conversation.objects.get(owner=user, contact=contact)
    assert conversation.stage == "requested"
    assert conversation.message_subject == "My own subject"
    assert conversation.message_body == "Hi Priya,\n\nMy own words, not the template's."
    assert conversation.message_sent_at == conversation.requested_at
    detail = web.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert "Message sent" in detail and "My own words, not the template&#x27;s." in detail
    timeline = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert "My own subject" in timeline and "My own words" in timeline


def test_the_request_preview_warns_about_placeholders_that_stay_empty(web, user):
    bare = ContactFactory(owner=user, first_name="Sam", company=None, title="")
    template = MessageTemplate.objects.create(
        owner=user, name="Plain", kind="coffee_chat", subject="Hi", body="Your team at {company}, as {title}."
    )
    response = web.get(reverse("contact_request", args=[bare.pk]), {"rq-template": template.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Empty for Sam" in html and "{company}" in html and "{title}" in html
    full = web.get(reverse("contact_request", args=[bare.pk]), {"rq-template": _template(user).pk})
    assert "Empty for" not in full.content.decode()


def test_the_template_preview_warns_about_empty_placeholders_for_the_chosen_contact(web, user):
    bare = ContactFactory(owner=user, first_name="Sam", company=None)
    response = web.post(
        reverse("template_preview"),
        {"subject": "At {company}", "body": "Hi {first_name}, {company|your team}", "preview_contact": bare.pk},
    )
    html = response.content.decode()
    assert "Empty for Sam" in html and "{company}" in html
    assert "Hi Sam, your team" in html


def test_a_second_open_ask_shows_the_first_with_a_link_and_can_be_insisted_on(web, user, contact):
    assert _request(web, contact, _template(user)).status_code == 302
    first = Conversation.objects.get(owner=user, contact=contact)
    refused = _request(web, contact, _template(user), **{"rq-message_body": "Edited again"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert f'href="{reverse("conversation_detail", args=[first.pk])}"' in html
    assert "already has an open informational interview ask" in html
    assert "Edited again" in html  # the text the user wrote is not lost
    assert Conversation.objects.filter(owner=user, contact=contact).count() == 1
    insisted = _request(web, contact, _template(user), **{"rq-allow_duplicate": "on"})
    assert insisted.status_code == 302
    assert Conversation.objects.filter(owner=user, contact=contact).count() == 2


def test_plan_a_request_creates_a_planned_ask_and_today_lists_it(web, user, contact):
    response = web.post(
        reverse("contact_plan", args=[contact.pk]),
        {"pl-kind": "case_study_feedback", "pl-template": "", "pl-channel": "slack"},
    )
    assert response.status_code == 302
    planned = Conversation.objects.get(owner=user, contact=contact)
    assert (planned.stage, planned.kind, planned.channel) == ("planned", "case_study_feedback", "slack")
    today = web.get(reverse("today")).content.decode()
    assert "People to ask this week" in today and "Priya Raman" in today
    again = web.post(
        reverse("contact_plan", args=[contact.pk]),
        {"pl-kind": "case_study_feedback", "pl-template": "", "pl-channel": "slack"},
    )
    assert again.status_code == 409
    assert reverse("conversation_detail", args=[planned.pk]) in again.content.decode()


def test_today_bounds_the_planned_queue_and_counts_the_rest(web, user):
    for i in range(8):
        conversation_create(owner=user, contact=ContactFactory(owner=user, first_name=f"Person{i}"), kind="coffee_chat")
    html = web.get(reverse("today")).content.decode()
    assert "8 planned" in html
    assert sum(f"Person{i} " in html for i in range(8)) == 5
    assert "and 3 more" in html


def test_the_web_refuses_to_schedule_a_chat_in_the_past(web, user, requested):
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1))
    response = web.post(
        reverse("conversation_move", args=[requested.pk]),
        {"stage": "scheduled", "date": yesterday.date().isoformat(), "time": "10:00", "location": ""},
    )
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    requested.refresh_from_db()
    assert (requested.stage, requested.scheduled_for) == ("requested", None)


def test_log_a_chat_that_already_happened_records_it_held(web, user, contact):
    happened = timezone.now() - timedelta(days=3)
    response = web.post(
        reverse("contact_log_chat", args=[contact.pk]),
        {
            "lg-date": happened.date().isoformat(),
            "lg-time": "10:00",
            "lg-kind": "informational_interview",
            "lg-channel": "video",
            "lg-outcome": "She offered an intro to her GPM.",
        },
    )
    chat = Conversation.objects.get(owner=user, contact=contact)
    assert response.status_code == 302 and response.url == reverse("conversation_detail", args=[chat.pk])
    assert (chat.stage, chat.outcome) == ("held", "She offered an intro to her GPM.")
    assert chat.held_at.date() == happened.date()
    assert FollowUp.objects.filter(conversation=chat, kind="thank_you", status="open").exists()


def test_logging_a_chat_in_the_future_is_refused_with_a_clear_message(web, user, contact):
    tomorrow = timezone.now() + timedelta(days=1)
    response = web.post(
        reverse("contact_log_chat", args=[contact.pk]),
        {"lg-date": tomorrow.date().isoformat(), "lg-time": "10:00", "lg-kind": "coffee_chat", "lg-channel": "video"},
    )
    assert response.status_code == 400
    assert "not in the future" in response.content.decode()
    assert not Conversation.objects.filter(owner=user).exists()


def test_a_nudge_opens_a_drafted_reply_from_the_nudge_template(web, user, requested):
    contact = requested.contact
    contact.linkedin_url = "https://www.linkedin.com/in/priya"
    contact.save()
    nudge = FollowUp.objects.get(conversation=requested, kind="nudge")
    today = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert reverse("follow_up_draft", args=[nudge.pk]) in today
    fragment = web.get(reverse("follow_up_draft", args=[nudge.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert "Drafted from “Gentle nudge”" in fragment
    assert "Hi Priya," in fragment
    assert 'data-copy="#draft-%d-body"' % nudge.pk in fragment
    assert "mailto:priya@example.com?subject=Following%20up" in fragment
    assert 'href="https://www.linkedin.com/in/priya"' in fragment
    page = web.get(reverse("follow_up_draft", args=[nudge.pk])).content.decode()
    assert "<html" in page and "Hi Priya," in page


def test_a_thank_you_drafts_from_the_thank_you_template_and_a_kind_without_one_says_so(web, user, contact):
    thanks = follow_up_create(
        owner=user, contact=contact, kind="thank_you", title="Thank Priya", due_at=timezone.now() + timedelta(days=1)
    )
    assert "Thank you for making the time" in web.get(reverse("follow_up_draft", args=[thanks.pk])).content.decode()
    MessageTemplate.objects.filter(owner=user, kind="thank_you").delete()
    assert "No thank you template" in web.get(reverse("follow_up_draft", args=[thanks.pk])).content.decode()
