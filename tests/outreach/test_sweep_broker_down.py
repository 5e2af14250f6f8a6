"""A sweep with the broker down gives its claims back and stops, however many rows are due."""

from datetime import timedelta

import pytest
import time_machine
from kombu.exceptions import OperationalError

from outreach import reminders, tasks
from outreach.models import Reminder
from outreach.services import follow_up_create
from tests.factories import ContactFactory, UserFactory, aware

NOW = aware(2026, 4, 14, 12, 0)


class StillSpinning(BaseException):
    """Escapes the sweep's `except Exception` so a looping sweep fails the test instead of hanging it."""


@pytest.mark.django_db(transaction=True)
def test_a_sweep_with_more_due_rows_than_one_batch_and_the_broker_down_stops_and_releases_them(monkeypatch):
    monkeypatch.setattr(reminders, "CLAIM_BATCH", 2)
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        if len(attempts) > 20:
            raise StillSpinning
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_reminders, "apply_async", broker_down)
    with time_machine.travel(NOW, tick=False) as clock:
        user = UserFactory(username="ada", email="ada@example.com")
        contact = ContactFactory(owner=user)
        for n in range(3):
            follow_up_create(owner=user, contact=contact, kind="other", title=f"F{n}", due_at=NOW + timedelta(hours=1))
        clock.move_to(NOW + timedelta(hours=1))
        assert tasks.sweep_reminders() == 0
    assert len(attempts) == 1
    rows = Reminder.objects.filter(kind="follow_up_due")
    assert {(r.status, r.claimed_at) for r in rows} == {("pending", None)}
