"""Deleting the account from Settings: the backup offered first, the password re-entered, then
everything gone, every session logged out, and a goodbye page."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from contacts.models import Contact
from tests.api.conftest import seed_account

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def account_exists(user) -> bool:
    return get_user_model().objects.filter(pk=user.pk).exists()


def test_settings_offers_the_backup_before_the_delete_page(web):
    html = web.get(reverse("settings")).content.decode()
    danger = html[html.index('id="delete"') :]
    assert danger.index(reverse("api-export-backup")) < danger.index(reverse("account_delete"))
    assert "Download a backup first" in danger


def test_the_backup_link_works_with_the_log_in_session(web, user):
    seed_account(user)
    response = web.get(reverse("api-export-backup"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.json()["contacts"]


def test_the_confirmation_page_asks_for_the_password_and_offers_the_backup(web):
    response = web.get(reverse("account_delete"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="password"' in html and 'autocomplete="current-password"' in html
    assert reverse("api-export-backup") in html


def test_a_wrong_password_deletes_nothing_and_keeps_you_logged_in(web, user):
    seed_account(user)
    response = web.post(reverse("account_delete"), {"password": "not it"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert account_exists(user) and Contact.objects.filter(owner=user).exists()
    assert web.get(reverse("settings")).status_code == 200


def test_the_right_password_deletes_everything_logs_out_and_says_goodbye(web, user):
    seed_account(user)
    response = web.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Goodbye, ada" in response.content.decode()
    assert not account_exists(user)
    assert not Contact.objects.filter(owner_id=user.pk).exists()
    assert web.get(reverse("settings")).url.startswith(reverse("login"))


def test_the_old_credentials_no_longer_log_in(web, user, client):
    web.post(reverse("account_delete"), {"password": PASSWORD})
    response = Client().post(reverse("login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error
    assert not response.wsgi_request.user.is_authenticated


def test_every_other_session_of_the_account_is_logged_out(web, user, other_web):
    phone = Client()
    phone.force_login(user)
    web.post(reverse("account_delete"), {"password": PASSWORD})
    assert phone.get(reverse("settings")).url.startswith(reverse("login"))
    assert other_web.get(reverse("settings")).status_code == 200  # another account is untouched


def test_logged_out_visitors_are_sent_to_log_in(client, user):
    response = client.post(reverse("account_delete"), {"password": PASSWORD})
    assert response.url == f"{reverse('login')}?next={reverse('account_delete')}"
    assert account_exists(user)


def test_the_form_needs_the_csrf_token(csrf_web, user):
    assert csrf_web.post(reverse("account_delete"), {"password": PASSWORD}).status_code == 403
    assert account_exists(user)
