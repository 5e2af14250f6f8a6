"""Touches on the web (#10): "We talked" on a contact's page and row, "Log an event" with
several people, and touches on each contact's timeline."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Contact
from contacts.services import contact_create
from outreach.models import FollowUp, Touch
from outreach.services import follow_up_complete, follow_up_create, touch_create
from tests.factories import aware

NOW = aware(2026, 5, 4, 12, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def person(owner, first_name="Priya", **fields):
    return contact_create(owner=owner, first_name=first_name, last_name="Raman", **fields)


@pytest.fixture
def priya(user):
    """A contact with a 30-day cadence, last in touch 20 days ago, an open reconnect follow-up."""
    contact = person(user, reconnect_every_days=30)
    first = follow_up_create(owner=user, contact=contact, kind="reconnect", title="Reconnect", due_at=NOW)
    follow_up_complete(follow_up=first, at=NOW - timedelta(days=20))
    contact.refresh_from_db()
    return contact


def open_reconnect(contact):
    return FollowUp.objects.get(contact=contact, kind="reconnect", status="open")


# --- "We talked" on the contact page -------------------------------------------------------


def test_the_contact_page_offers_we_talked_with_a_channel_and_a_line(web, priya):
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert 'hx-post="' + reverse("contact_touch_create", args=[priya.pk]) in html
    assert ">We talked</button>" in html
    assert '<option value="other" selected>' in html
    assert 'for="id_summary"' in html
    assert reverse("touch_event_create") + f"?contacts={priya.pk}" in html


def test_we_talked_on_the_page_logs_a_touch_now_and_moves_the_reconnect(web, user, priya):
    response = web.post(
        reverse("contact_touch_create", args=[priya.pk]),
        {"channel": "linkedin", "summary": "Congratulated her on the launch"},
        HTTP_HX_REQUEST="true",
        follow=True,
    )
    assert response.status_code == 200
    touch = Touch.objects.get(owner=user)
    assert (touch.at, touch.channel, touch.summary) == (NOW, "linkedin", "Congratulated her on the launch")
    assert list(touch.contacts.all()) == [priya]
    priya.refresh_from_db()
    assert priya.last_contacted_at == NOW
    assert open_reconnect(priya).due_at.date() == (NOW + timedelta(days=30)).date()
    # The page htmx swaps in shows it: the message, the new date and the timeline line.
    html = response.content.decode()
    assert "Logged: you talked with Priya Raman." in html
    assert "4 May 2026 (just now)" in html  # last in touch: now
    assert 'class="tl-touch"' in html and "Congratulated her on the launch" in html and "LinkedIn" in html


def test_we_talked_without_javascript_redirects_back_to_the_contact(web, user, priya):
    response = web.post(reverse("contact_touch_create", args=[priya.pk]), {"channel": "other"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contact_detail", args=[priya.pk])
    assert Touch.objects.filter(owner=user, channel="other").count() == 1


def test_we_talked_with_a_bad_channel_writes_nothing_and_says_why(web, user, priya):
    response = web.post(reverse("contact_touch_create", args=[priya.pk]), {"channel": "pigeon"}, follow=True)
    assert "Not logged:" in response.content.decode()
    assert not Touch.objects.exists()
    priya.refresh_from_db()
    assert priya.last_contacted_at == NOW - timedelta(days=20)


def test_we_talked_with_a_huge_summary_is_refused(web, priya):
    response = web.post(
        reverse("contact_touch_create", args=[priya.pk]), {"channel": "call", "summary": "x" * 20_001}, follow=True
    )
    assert "Not logged:" in response.content.decode()
    assert not Touch.objects.exists()


def test_we_talked_is_a_post_only_action(web, priya):
    assert web.get(reverse("contact_touch_create", args=[priya.pk])).status_code == 405


def test_we_talked_about_another_users_contact_is_404(other_web, priya):
    response = other_web.post(reverse("contact_touch_create", args=[priya.pk]), {"channel": "other"})
    assert response.status_code == 404
    assert not Touch.objects.exists()


# --- "We talked" on the contact list ---------------------------------------------------------


def test_each_contact_row_has_a_one_click_we_talked(web, priya):
    html = web.get(reverse("contact_list")).content.decode()
    assert f'id="contact-row-{priya.pk}"' in html
    assert f'aria-label="We talked with {priya.full_name} today"' in html
    assert reverse("touch_event_create") in html  # "Log an event" from the list


def test_we_talked_on_a_row_answers_the_updated_row(web, user, priya):
    response = web.post(
        reverse("contact_touch_create", args=[priya.pk]), {"channel": "other", "row": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<li class="contact-row selectable" id="contact-row-{priya.pk}">')
    assert "Logged: you talked today." in html
    assert "in touch just now" in html
    assert Touch.objects.get(owner=user).channel == "other"


def test_the_contact_list_stays_bounded_in_queries(web, user, django_assert_max_num_queries):
    for i in range(30):
        person(user, f"P{i}")
    with django_assert_max_num_queries(12):
        assert web.get(reverse("contact_list")).status_code == 200


# --- the timeline ----------------------------------------------------------------------------


def test_a_touch_shows_on_each_contacts_timeline_with_its_channel_summary_and_the_others(web, user, priya):
    ben = person(user, "Ben")
    touch_create(owner=user, contacts=[priya, ben], at=NOW - timedelta(days=2), channel="event", summary="PM meetup")
    html = web.get(reverse("contact_detail", args=[ben.pk])).content.decode()
    assert 'class="tl-touch"' in html
    assert "Event</span>" in html and "PM meetup" in html
    assert f'href="{reverse("contact_detail", args=[priya.pk])}">Priya Raman</a>' in html
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert "PM meetup" in html and ">Ben Raman</a>" in html


def test_the_timeline_escapes_a_summary(web, user, priya):
    touch_create(owner=user, contacts=[priya], at=NOW, channel="other", summary="<script>alert(1)</script>")
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


# --- "Log an event" --------------------------------------------------------------------------


def test_the_event_page_starts_with_now_and_the_contact_it_came_from(web, user, priya):
    user.profile.timezone = "Europe/Berlin"
    user.profile.save()
    html = web.get(reverse("touch_event_create"), {"contacts": priya.pk}).content.decode()
    assert f'value="{priya.pk}" id="pick-{priya.pk}" checked' in html
    assert 'value="2026-05-04"' in html and 'value="14:00' in html  # noon UTC on a Berlin clock
    assert '<option value="event" selected>' in html


def test_an_event_with_several_people_touches_each_of_them(web, user, priya):
    ben, cai = person(user, "Ben"), person(user, "Cai")
    response = web.post(
        reverse("touch_event_create"),
        {
            "contacts": [priya.pk, ben.pk, cai.pk],
            "date": "2026-05-02",
            "time": "18:30",
            "channel": "event",
            "summary": "Product meetup",
        },
    )
    assert response.status_code == 302
    touch = Touch.objects.get(owner=user)
    assert touch.at == aware(2026, 5, 2, 18, 30)
    assert set(touch.contacts.all()) == {priya, ben, cai}
    for contact in (priya, ben, cai):
        contact.refresh_from_db()
        assert contact.last_contacted_at == aware(2026, 5, 2, 18, 30)
    assert open_reconnect(priya).due_at.date() == (aware(2026, 5, 2) + timedelta(days=30)).date()
    page = web.get(response["Location"]).content.decode()
    assert "Logged: event with" in page


def test_an_event_with_one_person_goes_to_their_page(web, priya):
    response = web.post(
        reverse("touch_event_create"),
        {"contacts": [priya.pk], "date": "2026-05-04", "time": "09:00", "channel": "call"},
    )
    assert response["Location"] == reverse("contact_detail", args=[priya.pk])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Tick at least one person"),
        ({"date": "2026-05-09", "time": "09:00"}, "cannot be in the future"),
        ({"date": "not a date"}, "Enter a valid date"),
        ({"channel": "pigeon"}, "Select a valid choice"),
        ({"summary": "x" * 20_001}, "at most 20000 characters"),
    ],
)
def test_a_bad_event_is_a_400_with_the_reason_and_writes_nothing(web, priya, data, message):
    body = {"contacts": [priya.pk], "date": "2026-05-04", "time": "09:00", "channel": "event", **data}
    if not data:
        body.pop("contacts")
    response = web.post(reverse("touch_event_create"), body)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Touch.objects.exists()


def test_an_event_naming_another_users_contact_is_refused_and_writes_nothing(web, user, other_user, priya):
    theirs = person(other_user, "Mallory")
    response = web.post(
        reverse("touch_event_create"),
        {"contacts": [priya.pk, theirs.pk], "date": "2026-05-04", "time": "09:00", "channel": "event"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "were not found" in html and "Mallory" not in html
    assert not Touch.objects.exists()
    theirs.refresh_from_db()
    assert theirs.last_contacted_at is None


def test_the_picker_keeps_the_picked_on_top_and_offers_a_bounded_page_of_matches(web, user, priya):
    Contact.objects.bulk_create([Contact(owner=user, first_name=f"Sam{i:02d}") for i in range(30)])
    html = web.get(
        reverse("touch_contact_picker"), {"q": "sam", "contacts": [priya.pk]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.startswith('<div id="picker-list"')
    assert f'value="{priya.pk}" id="pick-{priya.pk}" checked' in html  # kept though she does not match
    assert html.count('name="contacts"') == 1 + 20
    assert "Sam00" in html and "Sam25" not in html
    assert "type more of a name" in html


def test_the_picker_never_shows_another_users_contacts(web, user, other_user):
    theirs = person(other_user, "Mallory")
    html = web.get(reverse("touch_contact_picker"), {"q": "Mal", "contacts": [theirs.pk]}).content.decode()
    assert "Mallory" not in html and f'value="{theirs.pk}"' not in html
    assert "Nobody else matches “Mal”" in html


def test_searching_without_javascript_keeps_the_ticked_people(web, user, priya):
    person(user, "Ben")
    response = web.post(
        reverse("touch_event_create"),
        {"contacts": [priya.pk], "q": "Ben", "action": "search", "date": "2026-05-04", "time": "09:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="pick-{priya.pk}" checked' in html and "Ben Raman" in html
    assert not Touch.objects.exists()


def test_the_event_page_queries_stay_bounded(web, user, django_assert_max_num_queries):
    Contact.objects.bulk_create([Contact(owner=user, first_name=f"P{i}") for i in range(200)])
    ids = list(Contact.objects.filter(owner=user).values_list("pk", flat=True)[:50])
    with django_assert_max_num_queries(10):
        response = web.get(reverse("touch_event_create"), {"contacts": ids})
    assert response.content.decode().count('name="contacts"') == 50 + 20


# --- deleting a touch from the timeline ----------------------------------------------------------


def test_a_touch_logged_by_mistake_is_deleted_from_the_timeline(web, user, priya):
    touch = touch_create(owner=user, contacts=[priya], at=NOW - timedelta(hours=1), channel="call")
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert f'action="{reverse("touch_delete", args=[touch.pk])}" data-confirm="Delete this touch?"' in html
    response = web.post(reverse("touch_delete", args=[touch.pk]), {"next": reverse("contact_detail", args=[priya.pk])})
    assert response["Location"] == reverse("contact_detail", args=[priya.pk])
    assert not Touch.objects.exists()
    priya.refresh_from_db()
    assert priya.last_contacted_at == NOW - timedelta(days=20)  # the completed reconnect before it
    assert open_reconnect(priya).due_at.date() == (NOW + timedelta(days=10)).date()
    assert "Touch deleted." in web.get(response["Location"]).content.decode()


def test_deleting_is_post_only_and_another_users_touch_is_404(web, other_web, user, priya):
    touch = touch_create(owner=user, contacts=[priya], at=NOW, channel="call")
    assert web.get(reverse("touch_delete", args=[touch.pk])).status_code == 405
    assert other_web.post(reverse("touch_delete", args=[touch.pk])).status_code == 404
    assert Touch.objects.filter(pk=touch.pk).exists()
