"""Fixtures for the API tests: a seeded account with one row of every kind, token clients."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from contacts.models import ContactEvent
from contacts.services import company_create, contact_create
from crm.services import note_create, opportunity_create
from outreach.models import CaptureOffer, Correspondent, Reminder, StoredMail
from outreach.services import (
    conversation_create,
    conversation_transition,
    follow_up_create,
    portfolio_item_create,
    question_create,
    template_create,
    touch_create,
)

# Every string of the seeded account carries this marker, so a response that leaks any of
# it to another user is caught by a plain substring check.
MARKER = "Qzxmarker"


def seed_account(user, n: int = 1, marker: str = MARKER) -> dict:
    """`n` rows of every kind the API serves, all owned by `user`; returns the first of each."""
    now = timezone.now()
    rows = {}
    for i in range(n):
        company = company_create(owner=user, name=f"{marker} Corp {i}", industry="fintech")
        contact = contact_create(
            owner=user,
            first_name=f"{marker}{i}",
            last_name="Person",
            company=company,
            source="linkedin",
            relationship="product_manager",
            reconnect_every_days=30,
            tags=[f"{marker}-tag-{i}"],
        )
        template = template_create(
            owner=user,
            name=f"{marker} template {i}",
            kind="coffee_chat",
            subject="Hi {first_name}",
            body="Hello {first_name}",
        )
        item = portfolio_item_create(owner=user, title=f"{marker} case study {i}", kind="case_study")
        conv = conversation_create(
            owner=user,
            contact=contact,
            kind="case_study_feedback",
            template=template,
            portfolio_item=item,
            agenda=marker,
        )
        conversation_transition(conversation=conv, to_stage="requested")
        conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=now + timedelta(days=2))
        follow_up = follow_up_create(
            owner=user,
            contact=contact,
            conversation=conv,
            kind="send_material",
            title=f"{marker} send deck",
            due_at=now,
        )
        note = note_create(owner=user, contact=contact, conversation=conv, body=f"{marker} **advice**", kind="advice")
        opportunity = opportunity_create(
            owner=user, company=company, referrer=contact, conversation=conv, title=f"{marker} APM role"
        )
        ContactEvent.objects.create(
            owner=user, contact=contact, kind="job_change", summary=f"{marker} moved", new_company="Elsewhere"
        )
        touch = touch_create(
            owner=user, contacts=[contact], at=now - timedelta(days=1), channel="slack", summary=f"{marker} thread"
        )
        # Capture (issue #13): an offer, a New people entry and a stored mail.
        capture_offer = CaptureOffer.objects.create(
            owner=user,
            conversation=conv,
            kind="sent",
            source="linkedin",
            at=now,
            body=marker,
            external_key=f"s{conv.pk}",
        )
        correspondent = Correspondent.objects.create(
            owner=user, name=f"{marker} Stranger", email=f"stranger{conv.pk}@example.com", source="email",
            first_seen_at=now, last_seen_at=now,
        )  # fmt: skip
        stored_mail = StoredMail.objects.create(
            owner=user, message_id=f"<seed{conv.pk}@example.com>", subject=marker, sent_at=now, raw=b"", touch=touch
        )
        # The question bank (#14).
        question = question_create(owner=user, kind="coffee_chat", category=marker, text=f"{marker} question {i}?")
        if i == 0:
            rows.update(
                question=question,
                capture_offer=capture_offer,
                correspondent=correspondent,
                stored_mail=stored_mail,
                company=company,
                contact=contact,
                tag=contact.tags.get(),
                template=template,
                portfolio_item=item,
                conversation=conv,
                follow_up=follow_up,
                note=note,
                opportunity=opportunity,
                touch=touch,
            )
    rows["reminder"] = Reminder.objects.filter(owner=user).first()
    rows["api_token"], _ = AuthToken.objects.create(user=user)
    rows["idempotency_key"] = IdempotencyKey.objects.create(
        owner=user, scope="api", key=f"{marker}-key", status_code=201, response_body=marker.encode()
    )
    return rows


@pytest.fixture
def seeded(user):
    return seed_account(user)


def token_client(user) -> APIClient:
    """A client that authenticates the way real clients do: with a token header."""
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
