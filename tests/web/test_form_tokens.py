"""One-time form tokens (#10): a creating form sent twice (a double click, Back and resubmit)
makes one row and answers the first submission's result."""

import re
import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import IdempotencyKey
from contacts.models import Contact
from crm.models import Note
from outreach.models import Conversation, FollowUp, MessageTemplate, PortfolioItem
from outreach.services import template_create
from tests.factories import UserFactory

CONTACT = {"first_name": "Marcus", "relationship": "product_manager", "source": "linkedin"}
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def tokens_in(html: str) -> list[str]:
    return TOKEN.findall(html)


def token_of(web, url) -> str:
    found = tokens_in(web.get(url).content.decode())
    assert found, f"{url} renders no form token"
    return found[0]


@pytest.fixture
def request_template(user):
    return template_create(owner=user, name="Coffee ask", kind="coffee_chat", subject="Hi", body="Hi {first_name}")


def test_a_contact_form_sent_twice_makes_one_contact_and_both_answers_lead_to_it(web, user):
    token = token_of(web, reverse("contact_create"))
    first = web.post(reverse("contact_create"), {**CONTACT, "form_token": token})
    second = web.post(reverse("contact_create"), {**CONTACT, "form_token": token})
    contact = Contact.objects.get(owner=user)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("contact_detail", args=[contact.pk])
    assert second["Idempotent-Replayed"] == "true"


def test_back_and_resubmit_with_changed_fields_shows_the_first_result_not_a_second_row(web, user):
    token = token_of(web, reverse("contact_create"))
    web.post(reverse("contact_create"), {**CONTACT, "form_token": token})
    again = web.post(reverse("contact_create"), {**CONTACT, "first_name": "Marcus (again)", "form_token": token})
    assert list(Contact.objects.filter(owner=user).values_list("first_name", flat=True)) == ["Marcus"]
    assert again["Location"] == reverse("contact_detail", args=[Contact.objects.get(owner=user).pk])


def test_a_form_shown_again_with_errors_frees_its_token(web, user):
    token = token_of(web, reverse("contact_create"))
    refused = web.post(reverse("contact_create"), {**CONTACT, "first_name": "", "form_token": token})
    assert refused.status_code == 400
    assert tokens_in(refused.content.decode())  # the form shown again carries a token
    fixed = web.post(reverse("contact_create"), {**CONTACT, "form_token": token})
    assert fixed.status_code == 302
    assert Contact.objects.filter(owner=user).count() == 1


def test_each_render_issues_a_new_token_and_stores_nothing(web, user):
    first, second = token_of(web, reverse("contact_create")), token_of(web, reverse("contact_create"))
    assert first != second
    assert not IdempotencyKey.objects.exists()


def test_without_a_token_a_form_posts_as_before(web, user):
    web.post(reverse("contact_create"), CONTACT)
    web.post(reverse("contact_create"), CONTACT)
    assert Contact.objects.filter(owner=user).count() == 2


def test_another_users_token_is_theirs_alone(web, other_web, user, other_user):
    token = token_of(web, reverse("contact_create"))
    web.post(reverse("contact_create"), {**CONTACT, "form_token": token})
    theirs = other_web.post(reverse("contact_create"), {**CONTACT, "first_name": "Sam", "form_token": token})
    assert "Idempotent-Replayed" not in theirs
    assert Contact.objects.filter(owner=other_user, first_name="Sam").count() == 1


def test_i_sent_it_twice_makes_one_request_and_one_nudge(web, user, contact, request_template):
    url = reverse("contact_detail", args=[contact.pk])
    html = web.get(url).content.decode()
    assert len(tokens_in(html)) >= 3  # follow-up, request and note forms
    form = re.search(r'action="%s".*?</form>' % reverse("contact_request", args=[contact.pk]), html, re.S).group(0)
    token = tokens_in(form)[0]
    body = {"rq-template": request_template.pk, "rq-channel": "email", "rq-kind": "", "form_token": token}
    responses = [web.post(reverse("contact_request", args=[contact.pk]), body) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    conversation = Conversation.objects.get(owner=user, contact=contact)
    assert conversation.stage == "requested"
    assert FollowUp.objects.filter(owner=user, kind="nudge").count() == 1


def test_a_note_sent_twice_is_saved_once(web, user, contact):
    token = token_of(web, reverse("contact_detail", args=[contact.pk]))
    for _ in range(2):
        web.post(
            reverse("contact_note_create", args=[contact.pk]), {"kind": "advice", "body": "Ship", "form_token": token}
        )
    assert Note.objects.filter(owner=user).count() == 1


def test_a_follow_up_sent_twice_is_added_once(web, user, contact):
    token = token_of(web, reverse("contact_detail", args=[contact.pk]))
    body = {"fu-title": "Send the deck", "fu-kind": "send_material", "fu-due_on": "2030-05-01", "form_token": token}
    for _ in range(2):
        web.post(reverse("contact_follow_up_create", args=[contact.pk]), body)
    assert FollowUp.objects.filter(owner=user, title="Send the deck").count() == 1


def test_a_template_sent_twice_is_created_once(web, user):
    before = MessageTemplate.objects.filter(owner=user).count()
    token = token_of(web, reverse("template_create"))
    body = {"name": "Thanks", "kind": "thank_you", "subject": "Thanks", "body": "Thank you {first_name}"}
    for _ in range(2):
        assert web.post(reverse("template_create"), {**body, "form_token": token}).status_code == 302
    assert MessageTemplate.objects.filter(owner=user).count() == before + 1


def test_a_portfolio_piece_sent_twice_is_added_once(web, user):
    token = token_of(web, reverse("playbook"))
    for _ in range(2):
        web.post(
            reverse("playbook"),
            {"title": "Checkout redesign", "kind": "redesign", "status": "drafting", "form_token": token},
        )
    assert PortfolioItem.objects.filter(owner=user).count() == 1


def test_a_move_clicked_twice_answers_the_first_move_not_an_illegal_move(web, user, contact):
    from outreach.services import conversation_create

    conversation = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    html = web.get(reverse("pipeline")).content.decode()
    assert tokens_in(html)
    token = tokens_in(html)[0]
    body = {"stage": "requested", "next": reverse("pipeline"), "form_token": token}
    first = web.post(reverse("conversation_move", args=[conversation.pk]), body)
    second = web.post(reverse("conversation_move", args=[conversation.pk]), body)
    assert second.status_code == first.status_code == 302
    conversation.refresh_from_db()
    assert conversation.stage == "requested"
    assert FollowUp.objects.filter(owner=user, kind="nudge").count() == 1


def test_htmx_forms_disable_their_button_while_in_flight(web, user, contact):
    from outreach.services import follow_up_create

    follow_up_create(owner=user, contact=contact, kind="other", title="Call back", due_at=date(2030, 1, 1))
    html = web.get(reverse("follow_up_list")).content.decode()
    assert 'hx-disabled-elt="find button"' in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_form_make_one_contact(monkeypatch):
    """A double click: the second request arrives while the first is still saving."""
    from crm.views import contacts as contact_views

    user = UserFactory(username="clicker")
    real = contact_views.contact_create

    def slow_create(**kwargs):
        contact = real(**kwargs)
        time.sleep(0.5)
        return contact

    monkeypatch.setattr(contact_views, "contact_create", slow_create)
    gate = threading.Barrier(2)
    answers = []

    def click():
        client = Client()
        client.force_login(user)
        try:
            gate.wait()
            answers.append(client.post(reverse("contact_create"), {**CONTACT, "form_token": "tok-1"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Contact.objects.filter(owner=user).count() == 1
