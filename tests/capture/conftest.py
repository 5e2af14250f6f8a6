"""Ada's account for the mail capture tests: Priya has a request waiting (e-mail), Marcus a
planned e-mail ask. The same scenario serves the .eml uploads and the SMTP receiver."""

import pytest
import time_machine

from contacts.models import Contact
from outreach.services import conversation_create, conversation_transition
from tests.capture.mails import MARCUS, PRIYA, REQUESTED_ON
from tests.factories import aware

NOW = aware(2026, 12, 1, 12, 0)


def seed_scenario(user) -> dict:
    with time_machine.travel(aware(2026, 11, 1, 12, 0), tick=False):
        priya = Contact.objects.create(owner=user, first_name="Priya", last_name="Raman", email=PRIYA)
        marcus = Contact.objects.create(owner=user, first_name="Marcus", last_name="Lee", email="Marcus@Example.com")
        to_priya = conversation_create(owner=user, contact=priya, kind="coffee_chat", channel="email")
        conversation_transition(conversation=to_priya, to_stage="requested", at=REQUESTED_ON)
        to_marcus = conversation_create(owner=user, contact=marcus, kind="informational_interview", channel="email")
    assert MARCUS == marcus.email.lower()
    return {"priya": priya, "marcus": marcus, "to_priya": to_priya, "to_marcus": to_marcus}


@pytest.fixture
def scenario(user):
    return seed_scenario(user)
