"""Templates: list with usage, create/edit with errors, live preview, delete."""

import pytest
from django.urls import reverse

from outreach.models import MessageTemplate


def test_the_list_shows_the_starter_templates_with_their_usage(web, user, requested):
    html = web.get(reverse("template_list")).content.decode()
    assert "Informational interview request" in html
    assert "response rate" in html


def test_creating_a_template(web, user):
    response = web.post(
        reverse("template_create"),
        {"name": "Alumni hello", "kind": "coffee_chat", "subject": "Hi {first_name}", "body": "From {my_name}"},
    )
    assert response.status_code == 302
    assert MessageTemplate.objects.filter(owner=user, name="Alumni hello").exists()


def test_an_unknown_placeholder_is_shown_on_the_field_and_nothing_is_saved(web, user):
    count = MessageTemplate.objects.filter(owner=user).count()
    response = web.post(
        reverse("template_create"), {"name": "Bad", "kind": "coffee_chat", "subject": "", "body": "Hi {firstname}"}
    )
    assert response.status_code == 400
    assert "Unknown placeholder {firstname}" in response.context["form"].errors["body"][0]
    assert MessageTemplate.objects.filter(owner=user).count() == count


def test_a_duplicate_name_is_refused(web, user):
    response = web.post(
        reverse("template_create"), {"name": "informational INTERVIEW request", "kind": "coffee_chat", "body": "x"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors


def test_editing_a_template(web, user):
    template = MessageTemplate.objects.filter(owner=user).first()
    response = web.post(
        reverse("template_edit", args=[template.pk]),
        {"name": "Renamed", "kind": template.kind, "subject": "s", "body": "b {company}"},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.body) == ("Renamed", "b {company}")


def test_the_live_preview_renders_for_the_chosen_contact(web, user, contact):
    response = web.post(
        reverse("template_preview"),
        {"subject": "Hello {first_name}", "body": "You work at {company} as {title}.", "preview_contact": contact.pk},
    )
    html = response.content.decode()
    assert "Hello Priya" in html and "as Senior PM." in html


def test_the_live_preview_uses_a_sample_contact_and_flags_unknown_placeholders(web):
    html = web.post(reverse("template_preview"), {"subject": "", "body": "Hi {first_name} {nickname}"}).content.decode()
    assert "Hi Priya {nickname}" in html
    assert "Unknown placeholder" in html


def test_the_preview_does_not_run_template_code(web, contact):
    html = web.post(
        reverse("template_preview"),
        {"subject": "{{ 7|add:1 }}", "body": "{% debug %}<b>x</b>", "preview_contact": contact.pk},
    ).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "{% debug %}" in html


def test_deleting_a_template_keeps_the_conversations_that_used_it(web, user, contact):
    from outreach.services import conversation_create

    template = MessageTemplate.objects.filter(owner=user, kind="coffee_chat").first()
    conversation = conversation_create(owner=user, contact=contact, kind="coffee_chat", template=template)
    assert web.post(reverse("template_delete", args=[template.pk])).status_code == 302
    conversation.refresh_from_db()
    assert conversation.template is None
    assert web.get(reverse("template_delete", args=[conversation.pk])).status_code == 405


@pytest.mark.parametrize("extra", [0, 30])
def test_the_list_runs_a_fixed_number_of_queries(web, user, extra, django_assert_max_num_queries):
    from outreach.services import template_create

    for i in range(extra):
        template_create(owner=user, name=f"T{i}", kind="nudge", body="x")
    with django_assert_max_num_queries(17):
        assert web.get(reverse("template_list")).status_code == 200
