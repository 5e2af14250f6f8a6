"""The password-reset form only queues the e-mail: the same answer and the same work whether or
not an account uses the address, and a task that mails the link (or nothing)."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tasks import send_password_reset


def ask_for_reset(client, email: str, address: str = "203.0.113.7"):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)
    return response, [query["sql"] for query in queries]


@pytest.mark.django_db
def test_the_answer_and_the_work_are_the_same_for_a_known_and_an_unknown_address(client, user):
    known, known_queries = ask_for_reset(client, "ada@example.com")
    unknown, unknown_queries = ask_for_reset(client, "nobody@example.com")
    assert (known.status_code, known.url, known.content) == (unknown.status_code, unknown.url, unknown.content)
    assert known.url == reverse("password_reset_done")
    assert known_queries == unknown_queries  # nothing looks the address up inside the request
    assert mail.outbox == []  # the e-mail is a task's work, after the answer


@pytest.mark.django_db
def test_a_known_address_gets_exactly_one_link(client, user, eager_celery):
    with eager_celery(execute=True):
        response, _ = ask_for_reset(client, "ADA@example.com")
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    assert re.search(r"/accounts/reset/\S+/\S+/", mail.outbox[0].body)


@pytest.mark.django_db
def test_an_unknown_address_gets_nothing(client, user, eager_celery):
    with eager_celery(execute=True):
        response, _ = ask_for_reset(client, "nobody@example.com")
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_mail_server_that_refuses_once_still_delivers_the_link(user, flaky_smtp):
    flaky_smtp.failures = 1
    send_password_reset.apply(args=["ada@example.com"])
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]


@pytest.mark.django_db
def test_the_fourth_reset_for_one_address_within_the_hour_is_refused_and_sends_nothing(client, user, eager_celery):
    # From four different client addresses: the limit is on the inbox, not only on the client.
    with eager_celery(execute=True):
        answers = [ask_for_reset(client, "ada@example.com", f"198.51.100.{n}")[0] for n in range(4)]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert 3590 < int(answers[-1]["Retry-After"]) <= 3600
    assert "Please wait" in answers[-1].content.decode()
    assert len(mail.outbox) == 3
