"""Small text rules users read everywhere: one-unit durations, word-boundary truncation and
names without invisible characters (issue #10, "E-mail and small fixes")."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.dates import ago, duration_words
from accounts.text import one_line, shown, truncate
from tests.factories import ContactFactory, aware

DAY = 86400


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (30, "1 minute"),
        (44 * 60, "44 minutes"),
        (50 * 60, "1 hour"),
        (5 * 3600, "5 hours"),
        (23 * 3600, "1 day"),
        (5 * DAY, "5 days"),
        (13 * DAY, "13 days"),
        (16 * DAY, "2 weeks"),
        (31 * DAY, "4 weeks"),
        (88 * DAY, "3 months"),  # Django's timesince: "2 months, 4 weeks"
        (200 * DAY, "7 months"),
        (360 * DAY, "1 year"),
        (800 * DAY, "2 years"),
    ],
)
def test_a_duration_reads_as_one_rounded_unit(seconds, words):
    assert duration_words(seconds) == words


def test_ago_says_just_now_ago_and_in():
    now = aware(2026, 3, 1, 12)
    assert ago(now - timedelta(seconds=10), now) == "just now"
    assert ago(now - timedelta(days=88), now) == "3 months ago"
    assert ago(now + timedelta(days=2), now) == "in 2 days"


def test_the_contact_page_says_3_months_ago_not_2_months_4_weeks(web, user):
    contact = ContactFactory(owner=user, last_contacted_at=timezone.now() - timedelta(days=88))
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "(3 months ago)" in html
    assert "weeks" not in html.split("Last in touch")[1][:200]


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("Coffee with Priya", 40, "Coffee with Priya"),
        ("Coffee with Priya about product discovery", 20, "Coffee with Priya…"),
        ("Coffee with Priya, about discovery", 19, "Coffee with Priya…"),  # no dangling comma
        ("Coffee with Priyanka", 16, "Coffee with…"),  # never half a word
        ("x" * 70, 60, "x" * 60 + "…"),  # one long word is cut where it must be
    ],
)
def test_truncation_stops_at_a_word_boundary_with_an_ellipsis(text, limit, cut):
    assert truncate(text, limit) == cut
    assert len(truncate(text, limit)) <= limit + 1


def test_error_messages_quote_input_cut_at_a_word():
    assert shown("Ada Lovelace was here and wrote the first program", 20) == "Ada Lovelace was…"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("A\u200bda", "Ada"),  # zero-width space
        ("\ufeffAda", "Ada"),  # byte-order mark
        ("Ada\u200e\u200f", "Ada"),  # LTR / RTL marks
        ("Ad\u00ada", "Ada"),  # soft hyphen
        ("A\u2060da\u2063", "Ada"),  # word joiner, invisible separator
        ("\u202eadA", "adA"),  # right-to-left override
        ("\u2067Ada\u2069", "Ada"),  # isolates
        ("Ada\u061c", "Ada"),  # Arabic letter mark
        ("\u200dAda \u200c Love", "Ada Love"),  # joiners outside a word hide a difference
        ("\u0645\u200c\u0631", "\u0645\u200c\u0631"),  # a Persian ZWNJ inside a word stays
    ],
)
def test_invisible_characters_are_stripped_from_names(raw, stored):
    assert one_line(raw) == stored


def test_a_contact_named_with_zero_width_characters_is_stored_plain(api_client, user):
    response = api_client.post(
        "/api/v1/contacts/", {"first_name": "\u200bPriya\ufeff", "last_name": "Ra\u200bman"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Priya", "Raman")


def test_a_long_email_subject_is_cut_at_a_word():
    from outreach.emails import _one_line

    subject = _one_line("Prep: " + "coffee chat " * 30)
    assert subject.endswith("chat…")
    assert len(subject) <= 150
