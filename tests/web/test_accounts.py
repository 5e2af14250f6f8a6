"""Sign-up, log-in, log-out, password change and reset."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from outreach.models import MessageTemplate

User = get_user_model()


@pytest.mark.django_db
def test_sign_up_creates_the_account_with_starter_templates_and_logs_in(client):
    response = client.post(
        reverse("signup"), {"username": "grace", "email": "grace@example.com", "password": "a long pass phrase"}
    )
    assert response.status_code == 302 and response.url == reverse("today")
    user = User.objects.get(username="grace")
    assert MessageTemplate.objects.filter(owner=user).exists()
    assert client.get(reverse("today")).status_code == 200


@pytest.mark.django_db
def test_sign_up_with_a_weak_password_shows_the_error_and_creates_nothing(client):
    response = client.post(reverse("signup"), {"username": "grace", "email": "grace@example.com", "password": "123"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(username="grace").exists()


@pytest.mark.django_db
def test_sign_up_with_a_taken_username_is_refused(client, user):
    response = client.post(
        reverse("signup"), {"username": "ADA", "email": "x@example.com", "password": "a long pass phrase"}
    )
    assert response.status_code == 400
    assert "That username is taken." in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_log_in_and_log_out(client, user):
    response = client.post(reverse("login"), {"username": "ada", "password": "correct horse battery staple"})
    assert response.status_code == 302 and response.url == reverse("today")
    assert client.get(reverse("logout")).status_code == 405  # log-out is a POST
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("today")).status_code == 302


@pytest.mark.django_db
def test_log_in_with_a_wrong_password_shows_an_error(client, user):
    response = client.post(reverse("login"), {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_mails_a_link_on_site_url_that_sets_a_new_password(client, user, settings, eager_celery):
    settings.SITE_URL = "https://coffeechat.example.org"
    with eager_celery(execute=True):
        response = client.post(reverse("password_reset"), {"email": "ada@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https://coffeechat\.example\.org(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "brand new phrase 42", "new_password2": "brand new phrase 42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand new phrase 42")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_needs_the_old_password(web, user):
    response = web.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "brand new phrase 42", "new_password2": "brand new phrase 42"},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    response = web.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": "brand new phrase 42",
            "new_password2": "brand new phrase 42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand new phrase 42")
