"""Issue #14: contacts label themselves booster / obligate / curmudgeon from how they answer,
kept by the outreach services and shown read-only in the API (`responsiveness`, filterable).
Business days are counted by hand on a calendar (Mon–Fri unless the test says otherwise)."""

import importlib

import pytest
import time_machine
from django.apps import apps as global_apps

from accounts.services import profile_update
from contacts.models import Contact
from outreach.models import FollowUp, Stage
from outreach.services import (
    conversation_log_held,
    conversation_start_request,
    conversation_transition,
    follow_up_complete,
)
from tests.factories import ContactFactory, aware

pytestmark = pytest.mark.django_db

FRIDAY = aware(2026, 3, 6, 16, 0)  # Fri 6 Mar 2026, 16:00 UTC
LATER = aware(2026, 4, 1, 12, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(LATER, tick=False):
        yield


def _ask(user, contact=None, at=FRIDAY):
    contact = contact or ContactFactory(owner=user)
    return conversation_start_request(owner=user, contact=contact, at=at, allow_duplicate=True)


def _label(api_client, contact) -> str | None:
    return api_client.get(f"/api/v1/contacts/{contact.pk}/").json()["responsiveness"]


def _reply(api_client, ask, at: str):
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/reply/", {"at": at}, format="json")
    assert response.status_code == 200, response.content


def test_unknown_until_an_ask_is_answered(user, api_client):
    ask = _ask(user)
    assert _label(api_client, ask.contact) is None


def test_a_reply_on_the_third_business_day_makes_a_booster_the_weekend_does_not_count(user, api_client):
    # Fri 6 → Mon 9 (1), Tue 10 (2), Wed 11 (3): five calendar days, three business days.
    ask = _ask(user)
    _reply(api_client, ask, "2026-03-11T23:00:00Z")
    assert _label(api_client, ask.contact) == "booster"


def test_a_reply_on_the_fourth_business_day_makes_an_obligate(user, api_client):
    ask = _ask(user)
    _reply(api_client, ask, "2026-03-12T09:00:00Z")  # Thu 12: the 4th business day
    assert _label(api_client, ask.contact) == "obligate"


def test_the_days_are_counted_on_the_users_clock_and_workweek(user, api_client):
    # In Tokyo (UTC+9) 23:30 UTC on Wed 11 is already Thu 12: the 4th business day there.
    profile_update(profile=user.profile, timezone="Asia/Tokyo")
    ask = _ask(user, at=aware(2026, 3, 6, 1, 0))  # Fri 6 Mar 10:00 in Tokyo
    _reply(api_client, ask, "2026-03-11T23:30:00Z")
    assert _label(api_client, ask.contact) == "obligate"
    # With Saturday a working day, Fri 6 → Sat 7 (1), Mon 9 (2), Tue 10 (3): Tue is still in.
    profile_update(profile=user.profile, timezone="UTC", workweek="mon,tue,wed,thu,fri,sat")
    other = _ask(user)
    _reply(api_client, other, "2026-03-10T18:00:00Z")
    assert _label(api_client, other.contact) == "booster"
    late = _ask(user)
    _reply(api_client, late, "2026-03-11T08:00:00Z")  # Wed 11: the 4th with Saturday counted
    assert _label(api_client, late.contact) == "obligate"


def test_scheduling_the_chat_is_an_answer_and_labels_by_its_time(user, api_client):
    ask = _ask(user)
    with time_machine.travel(aware(2026, 3, 9, 10, 0), tick=False):
        response = api_client.post(
            f"/api/v1/conversations/{ask.pk}/transition/",
            {"stage": "scheduled", "scheduled_for": "2026-03-20T15:00:00Z"},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert _label(api_client, ask.contact) == "booster"


def test_declining_makes_a_curmudgeon_even_after_a_quick_reply(user, api_client):
    ask = _ask(user)
    _reply(api_client, ask, "2026-03-09T09:00:00Z")
    assert _label(api_client, ask.contact) == "booster"
    response = api_client.post(f"/api/v1/conversations/{ask.pk}/transition/", {"stage": "declined"}, format="json")
    assert response.status_code == 200
    assert _label(api_client, ask.contact) == "curmudgeon"


def test_no_response_after_a_nudge_makes_a_curmudgeon_but_not_before_any_nudge(user, api_client):
    unnudged = _ask(user)
    conversation_transition(conversation=unnudged, to_stage=Stage.NO_RESPONSE)
    assert _label(api_client, unnudged.contact) is None

    ask = _ask(user)
    nudge = ask.follow_ups.get(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN)
    api_client.post(f"/api/v1/follow-ups/{nudge.pk}/complete/")
    assert _label(api_client, ask.contact) is None  # nudged, still waiting
    api_client.post(f"/api/v1/conversations/{ask.pk}/transition/", {"stage": "no_response"}, format="json")
    assert _label(api_client, ask.contact) == "curmudgeon"


def test_the_most_recent_answer_decides(user, api_client):
    contact = ContactFactory(owner=user)
    first = _ask(user, contact)
    _reply(api_client, first, "2026-03-20T09:00:00Z")  # 10 business days: obligate
    assert _label(api_client, contact) == "obligate"
    conversation_transition(conversation=first, to_stage=Stage.DECLINED)  # the later answer
    assert _label(api_client, contact) == "curmudgeon"
    second = _ask(user, contact, at=aware(2026, 3, 23, 9, 0))
    _reply(api_client, second, "2026-03-23T17:00:00Z")  # the same day: booster
    assert _label(api_client, contact) == "booster"


def test_a_chat_logged_after_the_fact_says_nothing_about_replying(user, api_client):
    contact = ContactFactory(owner=user)
    conversation_log_held(owner=user, contact=contact, held_at=aware(2026, 3, 10, 10, 0))
    assert _label(api_client, contact) is None


def test_the_label_is_read_only_and_filterable(user, api_client):
    booster = _ask(user).contact
    _reply(api_client, booster.conversations.get(), "2026-03-09T09:00:00Z")
    obligate = _ask(user).contact
    _reply(api_client, obligate.conversations.get(), "2026-03-19T09:00:00Z")
    unknown = ContactFactory(owner=user)
    response = api_client.patch(f"/api/v1/contacts/{unknown.pk}/", {"responsiveness": "booster"}, format="json")
    assert response.status_code == 200 and response.json()["responsiveness"] is None
    listed = api_client.get("/api/v1/contacts/?responsiveness=booster").json()["results"]
    assert [row["id"] for row in listed] == [booster.pk]
    listed = api_client.get("/api/v1/contacts/?responsiveness=obligate").json()["results"]
    assert [row["id"] for row in listed] == [obligate.pk]
    bad = api_client.get("/api/v1/contacts/?responsiveness=grumpy")
    assert bad.status_code == 400 and "booster" in bad.content.decode()


def test_another_users_labels_are_not_listed(user, api_client, other_user, other_api_client):
    theirs = _ask(other_user).contact
    _reply(other_api_client, theirs.conversations.get(), "2026-03-09T09:00:00Z")
    assert api_client.get("/api/v1/contacts/?responsiveness=booster").json()["results"] == []
    assert _label(other_api_client, theirs) == "booster"


def test_the_contact_list_and_page_show_the_badge_with_its_explanation(user, api_client, client):
    contact = _ask(user).contact
    _reply(api_client, contact.conversations.get(), "2026-03-09T09:00:00Z")
    client.force_login(user)
    for url in ("/contacts/", f"/contacts/{contact.pk}/"):
        html = client.get(url).content.decode()
        assert 'title="Booster: replied within 3 business days of your request"' in html, url


def test_the_migration_backfills_labels_from_existing_asks(user, api_client):
    booster = _ask(user).contact
    _reply(api_client, booster.conversations.get(), "2026-03-11T09:00:00Z")
    obligate = _ask(user).contact
    _reply(api_client, obligate.conversations.get(), "2026-03-12T09:00:00Z")
    declined = _ask(user)
    conversation_transition(conversation=declined, to_stage=Stage.DECLINED)
    given_up = _ask(user)
    follow_up_complete(follow_up=given_up.follow_ups.get(kind="nudge"))
    conversation_transition(conversation=given_up, to_stage=Stage.NO_RESPONSE)
    waiting = _ask(user).contact
    Contact.objects.filter(owner=user).update(responsiveness=None)

    migration = importlib.import_module("outreach.migrations.0012_contact_responsiveness_backfill")
    migration.backfill(global_apps, None)

    labels = dict(Contact.objects.filter(owner=user).values_list("pk", "responsiveness"))
    assert labels == {
        booster.pk: "booster",
        obligate.pk: "obligate",
        declined.contact_id: "curmudgeon",
        given_up.contact_id: "curmudgeon",
        waiting.pk: None,
    }


def test_deleting_the_deciding_ask_or_merging_a_duplicate_refreshes_the_label(user, api_client):
    contact = ContactFactory(owner=user)
    slow = _ask(user, contact)
    _reply(api_client, slow, "2026-03-20T09:00:00Z")
    fast = _ask(user, contact, at=aware(2026, 3, 23, 9, 0))
    _reply(api_client, fast, "2026-03-23T10:00:00Z")
    assert _label(api_client, contact) == "booster"
    assert api_client.delete(f"/api/v1/conversations/{fast.pk}/").status_code == 204
    assert _label(api_client, contact) == "obligate"  # the earlier, slow answer is the latest now

    duplicate = ContactFactory(owner=user)
    declined = _ask(user, duplicate, at=aware(2026, 3, 25, 9, 0))
    conversation_transition(conversation=declined, to_stage=Stage.DECLINED)
    response = api_client.post(f"/api/v1/contacts/{contact.pk}/merge/", {"other": duplicate.pk}, format="json")
    assert response.status_code == 200, response.content
    assert _label(api_client, contact) == "curmudgeon"
