"""GET /api/v1/export/backup.json and POST /api/v1/imports/backup/: move a whole account."""

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.services import profile_update
from contacts.models import Contact, ContactEvent, Tag
from contacts.services import company_create, contact_create
from crm.services import note_create, opportunity_create
from outreach.models import Conversation, MessageTemplate, Reminder
from outreach.services import (
    conversation_create,
    conversation_transition,
    follow_up_create,
    portfolio_item_create,
    template_create,
    touch_create,
)
from tests.data_paths import DATA
from tests.factories import UserFactory


def seed(user, n: int = 1, tag: str = ""):
    """A lived-in account: every kind of row, conversations in several stages."""
    now = timezone.now()
    profile_update(profile=user.profile, timezone="America/Toronto", digest_hour=7, pathway="internal_move")
    template = template_create(
        owner=user,
        name=f"My ask{tag}",
        kind="coffee_chat",
        subject="Hi {first_name}",
        body="Hello {first_name} at {company}",
    )
    item = portfolio_item_create(
        owner=user,
        title=f"Case study{tag}",
        kind="case_study",
        url="https://example.com/cs",
        summary="Checkout redesign",
        status="ready",
    )
    for i in range(n):
        company = company_create(
            owner=user, name=f"Acme{tag} {i}", website="https://acme.example", industry="fintech", notes="Series B"
        )
        referrer = contact_create(owner=user, first_name=f"Rita{i}", last_name="Ref", email=f"rita{i}{tag}@example.com")
        contact = contact_create(
            owner=user,
            first_name=f"Priya{i}",
            last_name="Raman",
            email=f"priya{i}{tag}@example.com",
            linkedin_url=f"https://www.linkedin.com/in/priya{i}{tag}",
            company=company,
            title="PM",
            relationship="product_manager",
            source="linkedin",
            how_we_met="Meetup",
            connected_on=date(2024, 3, 12),
            reconnect_every_days=60,
            referred_by=referrer,
            tags=["mentor", f"fintech{tag}"],
        )
        ContactEvent.objects.create(
            owner=user,
            contact=contact,
            kind="job_change",
            summary="Priya moved to Acme",
            previous_company="Old",
            new_company=company.name,
        )
        held = conversation_create(
            owner=user,
            contact=contact,
            kind="case_study_feedback",
            template=template,
            portfolio_item=item,
            agenda="Ask about discovery",
            location="Zoom",
        )
        Conversation.objects.filter(pk=held.pk).update(
            message_subject="Feedback on my case study?",
            message_body="Hi Priya,\n\nWould you look at my checkout case study?",
            message_sent_at=now - timedelta(days=10),
            replied_at=now - timedelta(days=9, hours=20),
        )
        conversation_transition(conversation=held, to_stage="requested", at=now - timedelta(days=10))
        conversation_transition(
            conversation=held, to_stage="scheduled", at=now - timedelta(days=9), scheduled_for=now - timedelta(days=2)
        )
        conversation_transition(conversation=held, to_stage="held", at=now - timedelta(days=2))
        upcoming = conversation_create(owner=user, contact=referrer, kind="coffee_chat")
        conversation_transition(conversation=upcoming, to_stage="requested", at=now - timedelta(days=1))
        conversation_transition(conversation=upcoming, to_stage="scheduled", scheduled_for=now + timedelta(days=3))
        cancelled = conversation_create(owner=user, contact=referrer, kind="referral_request")
        conversation_transition(conversation=cancelled, to_stage="cancelled")
        note_create(owner=user, contact=contact, conversation=held, kind="advice", body="**Talk to users**")
        touch_create(owner=user, contacts=[contact], at=now - timedelta(days=4), channel="linkedin", summary="DM")
        touch_create(
            owner=user, contacts=[contact, referrer], at=now - timedelta(days=1), channel="event", summary="Meetup"
        )
        follow_up_create(
            owner=user,
            contact=contact,
            kind="send_material",
            title="Send the deck",
            due_at=date.today() + timedelta(days=5),
        )
        opportunity_create(
            owner=user,
            company=company,
            title="APM",
            url="https://acme.example/jobs/1",
            status="applying",
            referrer=contact,
            notes="Referral promised",
        )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def backup_of(client) -> dict:
    response = client.get("/api/v1/export/backup.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return json.loads(response.content)


def canonical(data: dict) -> dict:
    """The backup with ids replaced by positions, so two accounts can be compared."""
    data = json.loads(json.dumps(data))
    data.pop("exported_at")
    data.pop("account")
    positions = {}
    for section in (
        "companies",
        "tags",
        "portfolio",
        "templates",
        "contacts",
        "contact_events",
        "conversations",
        "follow_ups",
        "notes",
        "opportunities",
        "touches",
        "questions",
    ):
        positions[section] = {row["id"]: index for index, row in enumerate(data.get(section, []))}
    links = {
        "company": "companies",
        "contact": "contacts",
        "referred_by": "contacts",
        "referrer": "contacts",
        "conversation": "conversations",
        "template": "templates",
        "portfolio_item": "portfolio",
    }
    for section, index in positions.items():
        for row in data.get(section, []):
            row["id"] = index[row["id"]]
            for name, target in links.items():
                if row.get(name) is not None:
                    row[name] = positions[target][row[name]]
            if "tags" in row:
                row["tags"] = sorted(positions["tags"][t] for t in row["tags"])
            if section == "touches":
                row["contacts"] = sorted(positions["contacts"][c] for c in row["contacts"])
    return data


def restore(client, data, as_file=True):
    if as_file:
        upload = SimpleUploadedFile("backup.json", json.dumps(data).encode(), content_type="application/json")
        return client.post("/api/v1/imports/backup/", {"file": upload}, format="multipart")
    return client.post("/api/v1/imports/backup/", data, format="json")


def test_backup_holds_every_part_of_the_account(user):
    seed(user)
    data = backup_of(client_for(user))
    assert data["format"] == "coffeechat-backup"
    assert data["profile"]["timezone"] == "America/Toronto"
    assert {len(data[s]) for s in ("companies", "portfolio", "contact_events", "notes", "opportunities")} == {1}
    assert len(data["contacts"]) == 2 and len(data["conversations"]) == 3 and len(data["tags"]) == 2
    held = next(c for c in data["conversations"] if c["stage"] == "held")
    assert [h["stage"] for h in held["stage_history"]] == ["planned", "requested", "scheduled", "held"]
    assert "calendar_token" not in json.dumps(data)
    assert held["message_subject"] == "Feedback on my case study?"
    assert held["message_body"].startswith("Hi Priya,\n")
    assert held["message_sent_at"] and held["replied_at"]
    contact_id = next(c["id"] for c in data["contacts"] if c["first_name"] == "Priya0")
    assert [(t["channel"], t["summary"], len(t["contacts"])) for t in data["touches"]] == [
        ("linkedin", "DM", 1),
        ("event", "Meetup", 2),
    ]
    assert all(contact_id in t["contacts"] for t in data["touches"])


def test_backup_restores_into_a_new_account_with_nothing_lost(user):
    seed(user, n=2)
    original = backup_of(client_for(user))
    fresh = UserFactory(username="fresh")
    response = restore(client_for(fresh), original)
    assert response.status_code == 201, response.content
    assert response.json()["restored"]["contacts"] == 4
    assert canonical(backup_of(client_for(fresh))) == canonical(original)
    # Starter templates were replaced by the backup's templates, not added to.
    assert MessageTemplate.objects.filter(owner=fresh).count() == len(original["templates"])


def test_the_question_bank_comes_back_and_an_older_backup_keeps_the_starters(user, other_user):
    """#14: the user's questions are in the backup and replace the starters on restore; a backup
    taken before the question bank existed leaves the new account's starter questions alone."""
    from outreach.models import Question
    from outreach.services import question_create

    question_create(owner=user, kind="coffee_chat", category="Mine", text="What is your team shipping next?")
    original = backup_of(client_for(user))
    assert len(original["questions"]) == 25
    fresh = UserFactory(username="fresh")
    assert restore(client_for(fresh), original).status_code == 201
    assert Question.objects.filter(owner=fresh).count() == 25
    assert Question.objects.get(owner=fresh, category="Mine").text == "What is your team shipping next?"

    older = {key: value for key, value in original.items() if key != "questions"}
    second = UserFactory(username="second")
    assert restore(client_for(second), older).status_code == 201
    assert Question.objects.filter(owner=second).count() == 24


def test_an_own_question_counts_as_data(user, other_user):
    from outreach.services import question_create

    question_create(owner=other_user, kind="coffee_chat", text="Mine?")
    response = restore(client_for(other_user), backup_of(client_for(user)))
    assert response.status_code == 409


def test_a_restored_account_gets_its_reminders_planned_again(user, django_capture_on_commit_callbacks):
    seed(user)
    original = backup_of(client_for(user))
    fresh = UserFactory(username="fresh")
    with django_capture_on_commit_callbacks(execute=True):
        assert restore(client_for(fresh), original, as_file=False).status_code == 201
    kinds = set(Reminder.objects.filter(owner=fresh, status="pending").values_list("kind", flat=True))
    assert {"chat_prep", "chat_soon", "follow_up_due"} <= kinds


def test_restoring_into_an_account_with_data_is_refused_with_409(user, other_user):
    seed(user)
    original = backup_of(client_for(user))
    contact_create(owner=other_user, first_name="Already", last_name="Here")
    response = restore(client_for(other_user), original)
    assert response.status_code == 409
    assert "empty account" in response.json()["detail"]
    assert Contact.objects.filter(owner=other_user).count() == 1


def test_an_edited_starter_template_counts_as_data(user, other_user):
    seed(user)
    template = MessageTemplate.objects.filter(owner=other_user).first()
    template.body = template.body + " Edited."
    template.save()
    assert restore(client_for(other_user), backup_of(client_for(user))).status_code == 409


def test_touches_and_sent_messages_come_back_after_a_restore(user):
    seed(user)
    fresh = UserFactory(username="fresh")
    assert restore(client_for(fresh), backup_of(client_for(user))).status_code == 201
    priya = Contact.objects.get(owner=fresh, first_name="Priya0")
    original = Contact.objects.get(owner=user, first_name="Priya0")
    assert list(priya.touches.order_by("at").values_list("channel", "summary")) == [
        ("linkedin", "DM"),
        ("event", "Meetup"),
    ]
    assert {c.first_name for c in priya.touches.get(channel="event").contacts.all()} == {"Priya0", "Rita0"}
    assert priya.last_contacted_at == original.last_contacted_at  # the dates come from the rows, unmoved
    held = Conversation.objects.get(owner=fresh, stage="held")
    assert held.message_subject == "Feedback on my case study?"
    assert held.message_body.startswith("Hi Priya,\n")
    assert held.message_sent_at is not None and held.replied_at is not None


@pytest.mark.parametrize(
    "contacts, phrase",
    [([], "one or more contact ids"), ("1", "one or more contact ids"), ([424242], "contact 424242 is not")],
)
def test_a_touch_without_its_contacts_refuses_the_whole_backup(user, other_user, contacts, phrase):
    seed(user)
    data = backup_of(client_for(user))
    data["touches"][0]["contacts"] = contacts
    response = restore(client_for(other_user), data)
    assert response.status_code == 400
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=other_user).exists()


def test_restore_is_all_or_nothing(user, other_user):
    seed(user)
    data = backup_of(client_for(user))
    data["notes"][0]["contact"] = 999999  # points nowhere
    response = restore(client_for(other_user), data)
    assert response.status_code == 400
    assert "notes[0].contact" in response.json()["detail"]
    assert not Contact.objects.filter(owner=other_user).exists()
    assert not Tag.objects.filter(owner=other_user).exists()
    assert MessageTemplate.objects.filter(owner=other_user).count() > 0  # starters untouched


@pytest.mark.parametrize(
    "payload, phrase",
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a Coffeechat backup"),
        (b'{"format": "coffeechat-backup", "version": 99}', "version"),
        (b'{"format": "coffeechat-backup", "version": 1, "contacts": [{"id": 1, "first_name": ""}]}', "contacts[0]"),
        (
            b'{"format": "coffeechat-backup", "version": 1, "conversations": [{"id": 1, "kind": "x"}]}',
            "conversations[0]",
        ),
    ],
)
def test_a_bad_backup_is_a_400_with_a_message(other_user, payload, phrase):
    upload = SimpleUploadedFile("backup.json", payload, content_type="application/json")
    response = client_for(other_user).post("/api/v1/imports/backup/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert phrase in response.json()["detail"]
    assert not Contact.objects.filter(owner=other_user).exists()


def test_a_backup_over_the_size_limit_is_a_413(other_user, settings):
    settings.IMPORT_MAX_BYTES = 10
    upload = SimpleUploadedFile("backup.json", b'{"format": "coffeechat-backup"}', content_type="application/json")
    response = client_for(other_user).post("/api/v1/imports/backup/", {"file": upload}, format="multipart")
    assert response.status_code == 413


def test_the_backup_never_contains_another_users_rows(user, other_user):
    seed(user, tag="Mine")
    seed(other_user, tag="Theirs")
    text = json.dumps(backup_of(client_for(user)))
    assert "Mine" in text and "Theirs" not in text


def test_backup_endpoints_need_a_login(client):
    assert client.get("/api/v1/export/backup.json").status_code == 401
    assert client.post("/api/v1/imports/backup/", {}).status_code == 401


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


# A property test over the whole backup and restore: 15 accounts, ~10 s; `make test` runs it.
@pytest.mark.slow
@pytest.mark.django_db
@hsettings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    names=st.lists(_text.filter(lambda s: s.strip()), min_size=1, max_size=4, unique_by=lambda s: s.lower()),
    notes=st.lists(_text.filter(lambda s: s.strip()), max_size=3),
    stages=st.lists(st.sampled_from(["planned", "requested", "scheduled", "held", "cancelled"]), max_size=4),
)
def test_backup_then_restore_gives_an_equal_account(names, notes, stages):
    from django.core.cache import cache

    cache.clear()
    source, target = UserFactory(), UserFactory()
    now = timezone.now()
    contacts = [contact_create(owner=source, first_name=name[:100], how_we_met=name) for name in names]
    for index, body in enumerate(notes):
        note_create(owner=source, contact=contacts[index % len(contacts)], body=body)
    for index, stage in enumerate(stages):
        conversation = conversation_create(
            owner=source,
            contact=contacts[index % len(contacts)],
            kind="coffee_chat",
            agenda=names[index % len(names)],
            allow_duplicate=True,  # several asks per contact, whatever their stages
        )
        path = {
            "planned": [],
            "requested": ["requested"],
            "scheduled": ["requested", "scheduled"],
            "held": ["requested", "scheduled", "held"],
            "cancelled": ["cancelled"],
        }[stage]
        for step in path:
            conversation_transition(
                conversation=conversation,
                to_stage=step,
                scheduled_for=now + timedelta(days=index + 1) if step == "scheduled" else None,
                held_at=now if step == "held" else None,  # held before its time: say when
            )
    original = backup_of(client_for(source))
    assert restore(client_for(target), original).status_code == 201
    assert canonical(backup_of(client_for(target))) == canonical(original)
    assert Conversation.objects.filter(owner=target).count() == len(stages)


def test_a_backup_taken_before_the_accounts_app_restores_after_it(other_user):
    """tests/data/backup_before_accounts_app.json was exported from the demo account before
    Profile moved to accounts and PortfolioItem to outreach; it must restore unchanged."""
    original = json.loads((DATA / "backup_before_accounts_app.json").read_text(encoding="utf-8"))
    response = restore(client_for(other_user), original)
    assert response.status_code == 201, response.content
    assert response.json()["restored"]["contacts"] == len(original["contacts"]) == 32
    assert response.json()["restored"]["portfolio"] == len(original["portfolio"]) == 3
    # A later backup adds fields and sections (issue #13: replies, touches, mails): what the old
    # file held must come back unchanged.
    assert _as_old(canonical(backup_of(client_for(other_user))), original) == canonical(original)


def _as_old(data: dict, original: dict) -> dict:
    """`data` cut down to the sections, and the fields of each row, that `original` has."""
    cut = {}
    for key, value in original.items():
        if key not in data:
            continue
        new = data[key]
        if isinstance(value, dict) and isinstance(new, dict):
            new = {name: new[name] for name in value if name in new}
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            new = [{name: row[name] for name in value[0] if name in row} for row in new]
        cut[key] = new
    return cut


def test_exports_are_throttled_per_user(user, other_user, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {**ScopedRateThrottle.THROTTLE_RATES, "exports": "2/hour"}
    )
    client = client_for(user)
    urls = ["/api/v1/export/contacts.csv", "/api/v1/export/contacts.vcf", "/api/v1/export/backup.json"]
    answers = [client.get(url) for url in urls]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2]["Retry-After"]) > 0
    # Another account has its own count.
    assert client_for(other_user).get("/api/v1/export/backup.json").status_code == 200


def test_an_opportunitys_conversation_comes_back_after_a_restore(user):
    """Issue #14: Opportunity.conversation travels in the backup and points at the restored ask."""
    contact = contact_create(owner=user, first_name="Priya", last_name="Raman")
    ask = conversation_create(owner=user, contact=contact, kind="informational_interview")
    opportunity_create(owner=user, title="Staff PM", referrer=contact, conversation=ask)
    original = backup_of(client_for(user))
    assert original["opportunities"][0]["conversation"] == ask.pk
    fresh = UserFactory(username="fresh")
    assert restore(client_for(fresh), original).status_code == 201
    from crm.models import Opportunity

    restored = Opportunity.objects.get(owner=fresh)
    assert restored.conversation is not None and restored.conversation.owner == fresh
    assert (restored.conversation.kind, restored.conversation.contact.first_name) == (
        "informational_interview",
        "Priya",
    )
