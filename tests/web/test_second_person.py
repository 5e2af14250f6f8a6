"""Issue #14, Day 3 of 3B7: 3 business days after a request with no reply, Today suggests a
second person at that (target) company, naming the best candidate; one click plans the ask.
Dates are worked out by hand on a calendar (Mon–Fri, UTC, unless the test says otherwise)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import profile_update
from contacts.models import Contact
from outreach.models import Conversation, Stage
from outreach.selectors import second_person_suggestions
from outreach.services import conversation_create, conversation_reply, conversation_start_request
from tests.factories import CompanyFactory, ContactFactory, aware

pytestmark = pytest.mark.django_db

FRIDAY = aware(2026, 3, 6, 15, 0)  # Fri 6 Mar 2026


def _target(user, name="Acme"):
    return CompanyFactory(owner=user, name=name, target=True)


def _person(user, company, first_name, **fields):
    fields.setdefault("relationship", "other")
    return ContactFactory(owner=user, company=company, first_name=first_name, last_name="", **fields)


def _request(user, contact, at=FRIDAY):
    with time_machine.travel(at, tick=False):
        return conversation_start_request(owner=user, contact=contact, at=at)


def _today(web, at) -> str:
    with time_machine.travel(at, tick=False):
        response = web.get(reverse("today"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def acme(user):
    company = _target(user)
    ann = _person(user, company, "Ann")
    _person(user, company, "Bob")
    ask = _request(user, ann)
    return company, ask


@pytest.mark.parametrize(
    ("at", "shown"),
    [
        (aware(2026, 3, 9, 23, 0), False),  # Mon 9: 1 business day
        (aware(2026, 3, 10, 23, 59), False),  # Tue 10: 2
        (aware(2026, 3, 11, 0, 1), True),  # Wed 11 just after midnight: the 3rd business day
        (aware(2026, 3, 13, 12, 0), True),  # Fri 13: still waiting
    ],
)
def test_the_suggestion_appears_from_the_third_business_day(web, user, acme, at, shown):
    html = _today(web, at)
    assert ("Try a second person at <strong>Acme</strong>" in html) is shown


def test_a_weekend_does_not_count(web, user):
    company = _target(user)
    ann = _person(user, company, "Ann")
    _person(user, company, "Bob")
    _request(user, ann, at=aware(2026, 3, 11, 10, 0))  # Wed 11
    assert "Try a second person" not in _today(web, aware(2026, 3, 13, 12, 0))  # Fri 13: 2
    assert "Try a second person" not in _today(web, aware(2026, 3, 14, 12, 0))  # Sat 14: still 2
    assert "Try a second person" not in _today(web, aware(2026, 3, 15, 23, 0))  # Sun 15: still 2
    assert "Try a second person" in _today(web, aware(2026, 3, 16, 7, 0))  # Mon 16: 3


def test_the_workweek_and_time_zone_decide_the_day(web, user):
    profile_update(profile=user.profile, timezone="America/Toronto", workweek="sun,mon,tue,wed,thu")
    company = _target(user)
    ann = _person(user, company, "Ann")
    _person(user, company, "Bob")
    # Thu 5 Mar 2026 20:00 in Toronto (01:00 UTC on Fri 6). Sun–Thu: Sun 8 (1), Mon 9 (2), Tue 10 (3).
    _request(user, ann, at=aware(2026, 3, 6, 1, 0))
    assert "Try a second person" not in _today(web, aware(2026, 3, 10, 3, 0))  # Mon 9, 23:00 in Toronto
    assert "Try a second person" in _today(web, aware(2026, 3, 10, 5, 0))  # Tue 10, 01:00 in Toronto


def test_only_for_target_companies(web, user):
    company = CompanyFactory(owner=user, name="Initech", target=False)
    ann = _person(user, company, "Ann")
    _person(user, company, "Bob")
    _request(user, ann)
    assert "Try a second person" not in _today(web, aware(2026, 3, 12, 12, 0))


def test_not_once_they_replied(web, user, acme):
    _, ask = acme
    with time_machine.travel(aware(2026, 3, 9, 9, 0), tick=False):
        conversation_reply(conversation=ask)
    assert "Try a second person" not in _today(web, aware(2026, 3, 12, 12, 0))


def test_not_without_another_person_who_could_be_asked(web, user):
    company = _target(user)
    ann = _person(user, company, "Ann")
    _person(user, company, "Archie", archived=True)
    busy = _person(user, company, "Busy")
    conversation_create(owner=user, contact=busy, kind="informational_interview")  # an open ask
    _request(user, ann)
    assert "Try a second person" not in _today(web, aware(2026, 3, 12, 12, 0))


def test_one_click_plans_the_ask_to_the_candidate_and_the_suggestion_goes(web, user, acme):
    company, ask = acme
    bob = Contact.objects.get(owner=user, first_name="Bob")
    at = aware(2026, 3, 11, 9, 0)
    html = _today(web, at)
    assert f'action="{reverse("contact_plan", args=[bob.pk])}"' in html
    token = html.split('name="form_token" value="')[1].split('"')[0]
    form = {"pl-kind": ask.kind, "pl-channel": ask.channel, "form_token": token}
    with time_machine.travel(at, tick=False):
        response = web.post(reverse("contact_plan", args=[bob.pk]), form)
        again = web.post(reverse("contact_plan", args=[bob.pk]), form)  # a double click
    assert response.status_code == 302 and again.status_code in (302, 409)
    planned = Conversation.objects.filter(owner=user, contact=bob)
    assert list(planned.values_list("stage", "kind")) == [(Stage.PLANNED, ask.kind)]
    assert "Try a second person" not in _today(web, aware(2026, 3, 11, 10, 0))


def test_another_users_people_are_never_suggested(web, user, other_user):
    theirs = _target(other_user, "Acme")
    their_ann = _person(other_user, theirs, "Theirann")
    _person(other_user, theirs, "Theirbob")
    _request(other_user, their_ann)
    mine = _target(user, "Globex")
    ann = _person(user, mine, "Ann")
    _request(user, ann)
    # My only colleague-candidate is at Globex: nobody else of mine there, so nothing to suggest.
    html = _today(web, aware(2026, 3, 12, 12, 0))
    assert "Their" not in html and "Try a second person" not in html
    assert second_person_suggestions(user=user, now=aware(2026, 3, 12, 12, 0)) == []


def _best(user, company, at=aware(2026, 3, 12, 12, 0)):
    (suggestion,) = second_person_suggestions(user=user, now=at)
    assert suggestion.company == company
    return suggestion.candidate.first_name


def test_the_best_candidate_by_responsiveness_then_warm_path_then_pm_then_least_recent(user):
    company = _target(user)
    _request(user, _person(user, company, "Asked"))
    referrer = ContactFactory(owner=user, company=None, first_name="Ref")
    people = {
        "Curmudgeon": {"responsiveness": "curmudgeon", "relationship": "product_manager"},
        "Obligate": {"responsiveness": "obligate"},
        "Unknown": {},
        "Referred": {"referred_by": referrer, "last_contacted_at": aware(2026, 2, 1, 9, 0)},
        "Alumna": {"relationship": "alumni"},
        "Pm": {"relationship": "product_manager"},
        "Recent": {"last_contacted_at": aware(2026, 3, 1, 9, 0)},
        "Older": {"last_contacted_at": aware(2026, 1, 1, 9, 0)},
        "Booster": {"responsiveness": "booster", "last_contacted_at": aware(2026, 3, 5, 9, 0)},
    }
    made = {name: _person(user, company, name, **fields) for name, fields in people.items()}
    # Take the winner out each time: the order is the documented ranking.
    order = []
    for _ in range(len(made)):
        name = _best(user, company)
        order.append(name)
        Contact.objects.filter(pk=made[name].pk).update(archived=True)
    # Booster first; among the unknowns the warm paths (alumna, never contacted, before the
    # referred one), then the product manager, then never contacted before the oldest contact.
    assert order == ["Booster", "Alumna", "Referred", "Pm", "Unknown", "Older", "Recent", "Obligate", "Curmudgeon"]


def test_one_suggestion_per_company_the_longest_waiting_first_and_none_once_someone_else_was_asked(user):
    globex = _target(user, "Globex")
    acme = _target(user, "Acme")
    _request(user, _person(user, acme, "A1"), at=aware(2026, 3, 3, 9, 0))
    _request(user, _person(user, acme, "A2"), at=aware(2026, 3, 4, 9, 0))
    _person(user, acme, "A3")
    _request(user, _person(user, globex, "G1"), at=aware(2026, 3, 2, 9, 0))
    _person(user, globex, "G2")
    found = second_person_suggestions(user=user, now=aware(2026, 3, 12, 12, 0))
    # A2 was asked after A1 at the same company: A1's second person is done; A2's is A3.
    assert [(s.company.name, s.conversation.contact.first_name, s.candidate.first_name) for s in found] == [
        ("Globex", "G1", "G2"),
        ("Acme", "A2", "A3"),
    ]


def _waiting_world(user, n, start=0):
    for i in range(start, start + n):
        company = _target(user, f"Target {i}")
        _request(user, _person(user, company, f"Asked{i}"))
        _person(user, company, f"Other{i}")


def test_the_selector_runs_two_queries_whatever_the_number_of_companies(user, django_assert_num_queries):
    _waiting_world(user, 3)
    user.profile  # noqa: B018 - loaded once per request by the page
    with django_assert_num_queries(2):
        assert len(second_person_suggestions(user=user, now=aware(2026, 3, 12, 12, 0), limit=5)) == 3
    _waiting_world(user, 27, start=3)
    with django_assert_num_queries(2):
        assert len(second_person_suggestions(user=user, now=aware(2026, 3, 12, 12, 0), limit=5)) == 5


def test_today_shows_at_most_five_in_the_same_number_of_queries(web, user):
    counts = []
    for start, n in ((0, 3), (3, 27)):
        _waiting_world(user, n, start=start)
        with time_machine.travel(aware(2026, 3, 12, 12, 0), tick=False):
            with CaptureQueriesContext(connection) as queries:
                html = web.get(reverse("today")).content.decode()
        counts.append(len(queries))
    assert html.count('class="second-person"') == 5
    assert counts[1] <= counts[0] <= 25
