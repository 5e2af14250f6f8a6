"""The question bank and "Build agenda" over the API (#14), the starter questions, and the
outreach check in the template render's answer."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Question
from outreach.services import conversation_transition
from outreach.starter_questions import STARTER_QUESTIONS
from tests.factories import ContactFactory, conversation

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("outreach.migrations.0010_seed_starter_questions")


def test_a_new_account_starts_with_the_starter_questions(client):
    response = client.post(
        "/api/v1/auth/register/",
        {"username": "newbie", "email": "newbie@example.com", "password": "correct horse battery staple"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    rows = Question.objects.filter(owner__username="newbie")
    assert rows.count() == len(STARTER_QUESTIONS) == 24
    tiara = rows.filter(kind="informational_interview")
    for category in ("Trends", "Insights", "Advice", "Resources", "Assignments"):
        assert tiara.filter(category=category).count() >= 2, category
    assert list(tiara.values_list("position", flat=True)) == list(range(10))
    for kind in ("case_study_feedback", "coffee_chat", "referral_request"):
        assert rows.filter(kind=kind).count() >= 4


def test_the_data_migration_seeds_existing_accounts_and_keeps_their_own(user, other_user):
    Question.objects.filter(owner=user).delete()
    Question.objects.filter(owner=other_user).exclude(category="Trends").delete()
    mine = Question.objects.create(owner=user, kind="coffee_chat", text="What is your team shipping next?")
    MIGRATION.seed(django_apps, None)
    assert Question.objects.filter(owner=user).count() == 25
    assert Question.objects.filter(owner=other_user).count() == 24  # the two Trends ones were not added twice
    first_coffee = Question.objects.filter(owner=user, kind="coffee_chat").order_by("position", "id")[0]
    assert first_coffee == mine  # the user's own stays first; starters follow it
    MIGRATION.unseed(django_apps, None)
    assert list(Question.objects.filter(owner=user)) == [mine]


def test_crud_and_kind_filter(api_client, user):
    response = api_client.post(
        "/api/v1/questions/",
        {"kind": "coffee_chat", "category": "Scope", "text": "  What do you own?  "},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "What do you own?"
    assert body["position"] == 5  # after the 5 starter coffee-chat questions (0..4)
    listed = api_client.get("/api/v1/questions/", {"kind": "coffee_chat", "page_size": 100}).json()
    assert listed["count"] == 6
    assert {row["kind"] for row in listed["results"]} == {"coffee_chat"}
    assert listed["results"][-1]["id"] == body["id"]

    response = api_client.patch(f"/api/v1/questions/{body['id']}/", {"kind": "referral_request"}, format="json")
    assert response.status_code == 200
    assert response.json()["position"] == 4  # the end of the 4 referral questions
    assert api_client.delete(f"/api/v1/questions/{body['id']}/").status_code == 204
    assert not Question.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "coffee_chat", "text": ""},
        {"kind": "coffee_chat", "text": "x" * 301},
        {"kind": "thank_you", "text": "Why?"},
        {"kind": "coffee_chat", "text": "what are you and your team focused on THIS quarter?"},  # a starter's twin
    ],
)
def test_bad_questions_are_refused(api_client, body):
    response = api_client.post("/api/v1/questions/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) & {"text", "kind"}


@pytest.fixture
def chat(user):
    contact = ContactFactory(owner=user, first_name="Priya")
    conv = conversation(user, contact, kind="informational_interview", agenda="Ask about her move from design")
    conversation_transition(conversation=conv, to_stage="requested")
    return conv


def _ids(user, *texts):
    return [Question.objects.get(owner=user, text=text).pk for text in texts]


def test_build_agenda_by_default_takes_four_across_the_tiara_categories(api_client, chat):
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["agenda"] == (
        "Ask about her move from design\n\n"
        "- What are the biggest trends changing product management in your area right now?\n"
        "- What surprised you most when you moved into product?\n"
        "- If you were breaking into product today from where I am, what would you do first?\n"
        "- Which books, newsletters or communities taught you the most about product?"
    )
    # Again: the second of each category, skipping the ones already there (4 of the 6 left).
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
    lines = response.json()["agenda"].splitlines()
    assert lines[6:] == [
        "- How has the PM role at your company changed over the last two years?",
        "- What separates the PMs who thrive on your team from those who struggle?",
        "- What do you wish you had known before your first PM role?",
        "- Who else do you think I should talk to as I learn about product?",
    ]


def test_build_agenda_with_chosen_questions_appends_and_skips_duplicates(api_client, user, chat):
    chat.agenda = "- what surprised you most when you moved into product?"
    chat.save()
    ids = _ids(
        user,
        "What surprised you most when you moved into product?",
        "What do you wish you had known before your first PM role?",
        "What is your first impression of the case study?".replace("is your", "was your"),
    )
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {"questions": ids}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["agenda"] == (
        "- what surprised you most when you moved into product?\n"
        "- What do you wish you had known before your first PM role?\n"
        "- What was your first impression of the case study?"
    )


@pytest.mark.parametrize("count", [0, 2, 6])
def test_build_agenda_needs_three_to_five_questions(api_client, user, chat, count):
    ids = list(Question.objects.filter(owner=user).values_list("pk", flat=True)[:count])
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {"questions": ids}, format="json")
    assert response.status_code == 400
    assert "3 to 5" in str(response.json()["questions"])
    chat.refresh_from_db()
    assert chat.agenda == "Ask about her move from design"


def test_build_agenda_refuses_a_missing_question(api_client, user, chat):
    ids = list(Question.objects.filter(owner=user).values_list("pk", flat=True)[:2]) + [999_999]
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {"questions": ids}, format="json")
    assert response.status_code == 400
    assert "not found" in str(response.json()["questions"]).lower()


def test_build_agenda_refuses_a_closed_conversation(api_client, chat):
    conversation_transition(conversation=chat, to_stage="declined")
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
    assert response.status_code == 409
    chat.refresh_from_db()
    assert chat.agenda == "Ask about her move from design"


def test_build_agenda_says_when_every_question_is_on_the_agenda(api_client, user, chat):
    Question.objects.filter(owner=user, kind="informational_interview").delete()
    response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
    assert response.status_code == 400
    assert "Questions page" in str(response.json())


def test_build_agenda_bumps_the_calendar_sequence(api_client, chat):
    before = chat.calendar_sequence
    api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
    chat.refresh_from_db()
    assert chat.calendar_sequence == before + 1


def test_render_returns_the_checks_beside_empty(api_client, user):
    contact = ContactFactory(owner=user, first_name="Priya", how_we_met="", company=None, title="")
    template = api_client.post(
        "/api/v1/templates/",
        {"name": "Mine", "kind": "coffee_chat", "body": "Hi {first_name}, I want a job. Can I ask you about it?"},
        format="json",
    ).json()
    response = api_client.post(f"/api/v1/templates/{template['id']}/render/", {"contact": contact.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["empty"] == []
    assert [check["code"] for check in body["checks"]] == ["asks_for_job", "no_connection", "about_me"]
    assert "“job”" in body["checks"][0]["message"]


def test_render_of_a_thank_you_has_no_checks(api_client, user):
    contact = ContactFactory(owner=user)
    template = api_client.get("/api/v1/templates/", {"kind": "thank_you"}).json()["results"][0]
    response = api_client.post(f"/api/v1/templates/{template['id']}/render/", {"contact": contact.pk}, format="json")
    assert response.json()["checks"] == []


def test_the_schema_documents_checks_and_build_agenda(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "checks" in schema and "asks_for_job" in schema
    assert "/api/v1/conversations/{id}/build-agenda/" in schema
    assert "/api/v1/questions/" in schema


def test_build_agenda_costs_the_same_queries_for_a_small_and_a_large_bank(api_client, user):
    counts = []
    for extra in (5, 30):
        Question.objects.filter(owner=user).delete()
        Question.objects.bulk_create(
            Question(owner=user, kind="coffee_chat", category=f"C{i % 3}", text=f"Q {i}?", position=i)
            for i in range(extra)
        )
        chat = conversation(user, kind="coffee_chat")
        with CaptureQueriesContext(connection) as queries:
            response = api_client.post(f"/api/v1/conversations/{chat.pk}/build-agenda/", {}, format="json")
        assert response.status_code == 200
        assert response.json()["agenda"].count("\n- ") == 3  # 4 questions: C0, C1, C2, then C0 again
        counts.append(len(queries))
    assert counts[0] == counts[1]
