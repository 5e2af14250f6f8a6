"""Issue #14: the contacts most worth reaching next (for the weekly review): a second person
due on a 3B7 day first, then boosters gone quiet; each contact once, at most `limit`."""

import pytest
import time_machine

from contacts.models import Contact, ContactEvent
from outreach.selectors import worth_reaching_next
from outreach.services import conversation_create, conversation_start_request
from tests.factories import CompanyFactory, ContactFactory, aware

pytestmark = pytest.mark.django_db

NOW = aware(2026, 3, 12, 12, 0)  # Thu 12 Mar 2026


def _booster(user, name, last_contacted_at, **fields):
    contact = ContactFactory(owner=user, first_name=name, last_name="", company=None, **fields)
    Contact.objects.filter(pk=contact.pk).update(responsiveness="booster", last_contacted_at=last_contacted_at)
    return contact


def _second_person_at(user, name):
    company = CompanyFactory(owner=user, name=f"{name} Inc", target=True)
    asked = ContactFactory(owner=user, company=company, first_name=f"Asked{name}", last_name="")
    candidate = ContactFactory(owner=user, company=company, first_name=name, last_name="", relationship="other")
    at = aware(2026, 3, 6, 15, 0)  # Fri 6: Wed 11 is the 3rd business day
    with time_machine.travel(at, tick=False):
        conversation_start_request(owner=user, contact=asked, at=at)
    return candidate


def test_second_persons_first_then_the_longest_quiet_boosters(user):
    _booster(user, "Quiet45", aware(2026, 1, 26, 9, 0))
    _booster(user, "Quiet90", aware(2025, 12, 12, 9, 0))
    _booster(user, "Recent", aware(2026, 3, 2, 9, 0))  # 10 days: not yet
    busy = _booster(user, "Busy", aware(2025, 11, 1, 9, 0))
    conversation_create(owner=user, contact=busy, kind="coffee_chat")  # already being asked
    _booster(user, "Archived", aware(2025, 11, 1, 9, 0), archived=True)
    _second_person_at(user, "Second")
    found = worth_reaching_next(user=user, now=NOW)
    assert [(s.contact.first_name, s.kind) for s in found] == [
        ("Second", "second_person"),
        ("Quiet90", "booster"),
        ("Quiet45", "booster"),
    ]
    assert (
        found[0].reason
        == "AskedSecond at Second Inc has not replied in 3 business days: try a second person there (3B7)."
    )
    assert found[1].reason == "A booster (replies within 3 business days); last in touch 90 days ago."


def test_a_booster_whose_reconnect_is_due_counts_even_if_recently_in_touch(user):
    contact = _booster(user, "Cadence", aware(2026, 3, 2, 9, 0))
    Contact.objects.filter(pk=contact.pk).update(reconnect_due_at=aware(2026, 3, 11, 8, 0))
    assert [s.contact.first_name for s in worth_reaching_next(user=user, now=NOW)] == ["Cadence"]


def test_each_contact_once_and_at_most_the_limit(user):
    candidate = _second_person_at(user, "Both")
    Contact.objects.filter(pk=candidate.pk).update(responsiveness="booster", last_contacted_at=None)
    for n in range(4):
        _booster(user, f"B{n}", aware(2025, 12, 1 + n, 9, 0))
    found = worth_reaching_next(user=user, now=NOW, limit=3)
    assert [s.contact.first_name for s in found] == ["Both", "B0", "B1"]


def test_only_the_users_own_contacts(user, other_user):
    _booster(other_user, "Theirs", aware(2025, 12, 1, 9, 0))
    _second_person_at(other_user, "TheirSecond")
    assert worth_reaching_next(user=user, now=NOW) == []


def test_a_warm_intro_to_a_target_with_no_contact_yet(user, other_user):
    # Acme is a target with no contact; Sam worked there (a job change seen in an import).
    CompanyFactory(owner=user, name="Acme", target=True, motivation=3)
    sam = ContactFactory(owner=user, first_name="Sam", last_name="Old")
    ContactEvent.objects.create(owner=user, contact=sam, kind="job_change", summary="moved", previous_company="Acme")
    # Hooli is a target too, but the user already knows someone there: no intro needed.
    hooli = CompanyFactory(owner=user, name="Hooli", target=True, motivation=3)
    ContactFactory(owner=user, first_name="Known", company=hooli)
    introducer = ContactFactory(owner=user, first_name="Ivy")
    ContactEvent.objects.create(
        owner=user, contact=introducer, kind="job_change", summary="moved", previous_company="Hooli"
    )
    # Another user's target and contacts never appear.
    CompanyFactory(owner=other_user, name="Acme", target=True, motivation=3)
    (suggestion,) = worth_reaching_next(user=user, now=NOW)
    assert (suggestion.contact, suggestion.kind) == (sam, "warm_intro")
    assert suggestion.reason.startswith("A warm intro to Acme, a target with no contact yet: ")


def test_a_fixed_number_of_queries(user, django_assert_max_num_queries):
    for n in range(3):
        _second_person_at(user, f"S{n}")
        _booster(user, f"B{n}", aware(2025, 12, 1 + n, 9, 0))
    user.profile  # noqa: B018
    # Second persons (2), boosters (1), targets with no contact (1): no uncovered target here,
    # so no intro-path queries (those are at most `limit` targets × 5).
    with django_assert_max_num_queries(4):
        assert len(worth_reaching_next(user=user, now=NOW, limit=10)) == 6
