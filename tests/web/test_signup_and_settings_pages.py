"""Sign-up and Settings (issue #10): every sign-up error at once, e-mails unique in any letter
case (sign-up, API registration, e-mail change), changing the e-mail with the password, a time
zone list of canonical zones with the current one preselected, and each pathway explained."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.timezones import canonical_name, canonical_timezones
from crm.playbook import PATHWAY_SUMMARIES

User = get_user_model()
PASSWORD = "a long pass phrase"


@pytest.fixture
def ada(db):
    user = User.objects.create_user("ada", "Ada@Example.org", PASSWORD)
    return user


def _errors(html: str) -> dict[str, str]:
    """field id -> its error text, from Django's rendered error lists."""
    return dict(re.findall(r'<ul class="errorlist" id="id_(\w+)_error"><li>([^<]+)', html))


def test_sign_up_shows_every_field_error_at_once(client, ada):
    response = client.post(reverse("signup"), {"username": "ADA", "email": "ada@example.ORG", "password": "123"})
    assert response.status_code == 400
    errors = _errors(response.content.decode())
    assert set(errors) == {"username", "email", "password"}, errors
    assert "taken" in errors["username"]
    assert "Another account uses that e-mail" in errors["email"]
    assert User.objects.count() == 1


def test_sign_up_with_a_bad_email_still_says_the_username_is_taken_and_the_password_is_weak(client, ada):
    response = client.post(reverse("signup"), {"username": "ada", "email": "not-an-address", "password": "password"})
    errors = _errors(response.content.decode())
    assert set(errors) == {"username", "email", "password"}, errors
    assert User.objects.count() == 1


def test_sign_up_refuses_an_email_taken_in_another_case_and_accepts_a_new_one(client, ada):
    taken = client.post(reverse("signup"), {"username": "bob", "email": "ADA@example.org", "password": PASSWORD})
    assert taken.status_code == 400
    fresh = client.post(reverse("signup"), {"username": "bob", "email": "Bob@Example.ORG", "password": PASSWORD})
    assert fresh.status_code == 302
    assert User.objects.get(username="bob").email == "Bob@example.org"  # the domain in lower case


def test_api_registration_refuses_an_email_taken_in_another_case(ada):
    response = APIClient().post(
        "/api/v1/auth/register/", {"username": "eve", "email": "ADA@EXAMPLE.ORG", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()
    assert not User.objects.filter(username="eve").exists()


def test_api_registration_reports_every_field_at_once(ada):
    response = APIClient().post(
        "/api/v1/auth/register/", {"username": "ada", "email": "nope", "password": "123"}, format="json"
    )
    assert response.status_code == 400
    assert {"username", "email", "password"} <= set(response.json())


@pytest.fixture
def ada_web(client, ada):
    client.force_login(ada)
    return client


def test_the_user_changes_their_email_with_their_password(ada_web, ada):
    response = ada_web.post(reverse("settings_email"), {"email": "ada@lovelace.dev", "password": PASSWORD})
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.email == "ada@lovelace.dev"
    assert "ada@lovelace.dev" in ada_web.get(reverse("settings")).content.decode()


def test_a_wrong_password_changes_no_email(ada_web, ada):
    response = ada_web.post(reverse("settings_email"), {"email": "ada@lovelace.dev", "password": "wrong"})
    assert response.status_code == 400
    assert "not your password" in response.content.decode()
    ada.refresh_from_db()
    assert ada.email == "Ada@example.org"


def test_an_email_another_account_uses_in_any_case_is_refused(ada_web, ada):
    User.objects.create_user("bob", "bob@example.org", PASSWORD)
    response = ada_web.post(reverse("settings_email"), {"email": "BOB@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "Another account uses that e-mail" in response.content.decode()
    ada.refresh_from_db()
    assert ada.email == "Ada@example.org"


def test_an_invalid_email_is_refused(ada_web, ada):
    response = ada_web.post(reverse("settings_email"), {"email": "nope", "password": PASSWORD})
    assert response.status_code == 400
    ada.refresh_from_db()
    assert ada.email == "Ada@example.org"


def test_the_email_change_needs_a_post_and_a_login(client, ada):
    assert client.post(reverse("settings_email"), {"email": "x@y.z", "password": PASSWORD}).status_code == 302
    client.force_login(ada)
    assert client.get(reverse("settings_email")).status_code == 405


def _options(html: str) -> list[str]:
    select = html.split('name="timezone"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_time_zone_list_holds_canonical_zones_only(ada_web):
    options = _options(ada_web.get(reverse("settings")).content.decode())
    assert "America/New_York" in options and "Europe/Amsterdam" in options and "UTC" in options
    for alias in ("US/Eastern", "Asia/Calcutta", "GB", "EST5EDT", "Etc/UTC", "Canada/Pacific"):
        assert alias not in options
    assert options == list(canonical_timezones())


def test_the_current_time_zone_is_preselected(ada_web, ada):
    ada.profile.timezone = "Europe/Berlin"
    ada.profile.save()
    html = ada_web.get(reverse("settings")).content.decode()
    assert '<option value="Europe/Berlin" selected>' in html


def test_a_stored_alias_is_preselected_as_its_canonical_zone_and_saving_keeps_the_time(ada_web, ada):
    ada.profile.timezone = "US/Eastern"
    ada.profile.save()
    html = ada_web.get(reverse("settings")).content.decode()
    assert '<option value="America/New_York" selected>' in html
    assert canonical_name("Asia/Calcutta") == "Asia/Kolkata"


def test_an_alias_cannot_be_chosen_in_settings(ada_web, ada):
    form = ada_web.get(reverse("settings")).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(timezone="US/Eastern", email_reminders="on", daily_digest="on")
    response = ada_web.post(reverse("settings"), data)
    assert response.status_code == 400
    ada.profile.refresh_from_db()
    assert ada.profile.timezone == "UTC"


def test_each_pathway_is_explained_in_one_sentence(ada_web):
    html = ada_web.get(reverse("settings")).content.decode()
    for value, sentence in PATHWAY_SUMMARIES.items():
        assert f'value="{value}"' in html
        assert sentence in html.replace("&#x27;", "'")
        assert sentence.count(". ") == 0 and sentence.endswith(".")
