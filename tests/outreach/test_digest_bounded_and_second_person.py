"""The daily digest lists at most DIGEST_ROWS of each kind with "and N more" (#12), and on the
3rd business day of an unanswered request at a target company it says whom to try next (#14)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from accounts.services import profile_update
from outreach.emails import DIGEST_ROWS
from outreach.services import conversation_transition, follow_up_create
from tests.factories import CompanyFactory, ContactFactory, aware, conversation

pytestmark = pytest.mark.django_db


def sweep():
    call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))


def digest_on(traveller, moment):
    mail.outbox.clear()
    traveller.move_to(moment)
    sweep()
    sweep()
    return [m for m in mail.outbox if m.extra_headers.get("X-Coffeechat-Reminder") == "daily_digest"]


def test_the_digest_lists_the_first_rows_and_counts_the_rest(user):
    start = aware(2026, 5, 4, 0, 0)
    with time_machine.travel(start - timedelta(days=2), tick=False) as traveller:
        profile_update(profile=user.profile, weekly_review=False, email_reminders=True)
        contact = ContactFactory(owner=user, first_name="Linus")
        for n in range(DIGEST_ROWS + 3):
            follow_up_create(
                owner=user, contact=contact, kind="other", title=f"Owed {n:02d}", due_at=start - timedelta(hours=n + 1)
            )
        (digest,) = digest_on(traveller, start + timedelta(hours=8))
    assert digest.subject.endswith(f": {DIGEST_ROWS + 3} overdue")
    listed = [line for line in digest.body.splitlines() if line.startswith("- Owed ")]
    assert len(listed) == DIGEST_ROWS
    assert "- and 3 more: http" in digest.body
    assert "and 3 more</a>" in digest.alternatives[0][0]


def test_day_three_of_an_unanswered_target_ask_is_in_that_days_digest_once(user):
    # Mon–Fri, UTC, digest at 08:00. Asked Friday 6 March: day 3 is Wednesday 11 March.
    friday = aware(2026, 3, 6, 10, 0)
    with time_machine.travel(friday, tick=False) as traveller:
        profile_update(profile=user.profile, weekly_review=False)
        acme = CompanyFactory(owner=user, name="Acme", target=True)
        asked = ContactFactory(owner=user, first_name="Dana", last_name="First", company=acme)
        ContactFactory(owner=user, first_name="Bea", last_name="Second", company=acme, responsiveness="booster")
        ask = conversation(user, contact=asked)
        conversation_transition(conversation=ask, to_stage="requested")
        # Tuesday: nothing due, no suggestion yet (day 2) → no digest.
        assert digest_on(traveller, aware(2026, 3, 10, 8, 30)) == []
        (wednesday,) = digest_on(traveller, aware(2026, 3, 11, 8, 30))
        # Thursday: still unanswered, but the digest already said it (Today keeps listing it).
        thursday = digest_on(traveller, aware(2026, 3, 12, 8, 30))
    assert wednesday.subject == "Your Coffeechat day, Wed 11 Mar: try a second person at Acme"
    assert "TRY A SECOND PERSON (3B7)" in wednesday.body
    assert "- Dana First at Acme has not replied in 3 business days: try Bea Second (Acme)" in wednesday.body
    assert thursday == []


def test_no_second_person_for_a_company_that_is_not_a_target(user):
    friday = aware(2026, 3, 6, 10, 0)
    with time_machine.travel(friday, tick=False) as traveller:
        profile_update(profile=user.profile, weekly_review=False)
        acme = CompanyFactory(owner=user, name="Acme", target=False)
        asked = ContactFactory(owner=user, first_name="Dana", company=acme)
        ContactFactory(owner=user, first_name="Bea", company=acme)
        conversation_transition(conversation=conversation(user, contact=asked), to_stage="requested")
        assert digest_on(traveller, aware(2026, 3, 11, 8, 30)) == []
