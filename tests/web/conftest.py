"""Fixtures for the dashboard's page tests: logged-in clients and a small world of rows."""

import pytest
from django.test import Client

from crm.services import note_create
from outreach.services import conversation_create, conversation_transition, follow_up_create
from tests.factories import ContactFactory, aware


@pytest.fixture
def web(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def other_web(other_user):
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def csrf_web(user):
    """A logged-in client that, like a browser, must send the CSRF token."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.fixture
def contact(user):
    return ContactFactory(
        owner=user,
        first_name="Priya",
        last_name="Raman",
        email="priya@example.com",
        title="Senior PM",
        how_we_met="Mind the Product meetup",
    )


@pytest.fixture
def other_contact(other_user):
    return ContactFactory(owner=other_user, first_name="Mallory", last_name="Moriarty")


@pytest.fixture
def requested(user, contact):
    conversation = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    return conversation_transition(conversation=conversation, to_stage="requested")


@pytest.fixture
def other_conversation(other_user, other_contact):
    return conversation_create(owner=other_user, contact=other_contact, kind="coffee_chat")


@pytest.fixture
def follow_up(user, contact):
    return follow_up_create(
        owner=user, contact=contact, kind="other", title="Send Priya the deck", due_at=aware(2020, 1, 1, 9)
    )


@pytest.fixture
def other_follow_up(other_user, other_contact):
    return follow_up_create(
        owner=other_user, contact=other_contact, kind="other", title="Theirs", due_at=aware(2020, 1, 1, 9)
    )


@pytest.fixture
def note(user, contact):
    return note_create(owner=user, contact=contact, body="Loves **metrics**", kind="advice")
