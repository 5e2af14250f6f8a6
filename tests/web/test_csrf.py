"""Every form post needs the CSRF token, htmx posts included (they send it in X-CSRFToken)."""

import re

from django.urls import reverse

from contacts.models import Contact


def _token(client, url):
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_posts_without_the_token_are_refused_and_write_nothing(csrf_web, contact, follow_up):
    assert (
        csrf_web.post(
            reverse("contact_create"), {"first_name": "Eve", "relationship": "other", "source": "other"}
        ).status_code
        == 403
    )
    assert csrf_web.post(reverse("follow_up_complete", args=[follow_up.pk])).status_code == 403
    assert (
        csrf_web.post(reverse("contact_note_create", args=[contact.pk]), {"kind": "general", "body": "x"}).status_code
        == 403
    )
    assert csrf_web.post(reverse("settings_calendar_rotate")).status_code == 403
    follow_up.refresh_from_db()
    assert follow_up.status == "open"
    assert contact.notes.count() == 0
    assert contact.__class__.objects.filter(first_name="Eve").count() == 0


def test_a_form_post_with_the_token_goes_through(csrf_web, user):
    token = _token(csrf_web, reverse("contact_create"))
    response = csrf_web.post(
        reverse("contact_create"),
        {"csrfmiddlewaretoken": token, "first_name": "Eve", "relationship": "other", "source": "other"},
    )
    assert response.status_code == 302
    eve = Contact.objects.get(owner=user, first_name="Eve")
    assert response.url == reverse("contact_detail", args=[eve.pk])


def test_an_htmx_post_with_the_token_header_goes_through(csrf_web, follow_up):
    html = csrf_web.get(reverse("today")).content.decode()
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', html).group(1)
    response = csrf_web.post(
        reverse("follow_up_complete", args=[follow_up.pk]), HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=header_token
    )
    assert response.status_code == 200
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
