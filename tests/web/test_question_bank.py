"""The question bank pages, "Build agenda" on a conversation's page, the outreach hints on the
request form and the agenda in the chat_prep e-mail (#14)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from outreach.models import MessageTemplate, Question
from outreach.services import conversation_build_agenda, conversation_transition, question_create
from tests.factories import aware, conversation

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _texts(user, kind):
    return list(
        Question.objects.filter(owner=user, kind=kind).order_by("position", "id").values_list("text", flat=True)
    )


def test_the_page_lists_the_bank_by_kind(web):
    response = web.get(reverse("question_list"))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Coffee Chat", "Informational Interview", "Case Study Feedback", "Referral Request"):
        assert heading in page
    assert "What surprised you most when you moved into product?" in page
    assert page.index('id="kind-coffee_chat"') < page.index('id="kind-informational_interview"')


def test_a_long_list_is_cut_with_a_link_to_the_kind_alone(web, user):
    Question.objects.bulk_create(
        Question(owner=user, kind="coffee_chat", text=f"Extra question {i:03}?", position=10 + i) for i in range(120)
    )
    page = web.get(reverse("question_list")).content.decode()
    assert "and 110 more →" in page  # 5 starters + 120 = 125, 15 shown
    assert "Extra question 119?" not in page
    alone = web.get(reverse("question_list"), {"kind": "coffee_chat", "page": 3}).content.decode()
    assert "Page 3 of 3" in alone
    assert "Extra question 119?" in alone and "Extra question 000?" not in alone


def test_add_edit_move_and_delete(web, user):
    token = TOKEN.search(web.get(reverse("question_list")).content.decode()).group(1)
    data = {"kind": "coffee_chat", "category": "Scope", "text": "What does your team own?", "form_token": token}
    assert web.post(reverse("question_list"), data).status_code == 302
    assert web.post(reverse("question_list"), data).status_code == 302  # sent twice: one question
    assert _texts(user, "coffee_chat")[-1] == "What does your team own?"
    assert Question.objects.filter(owner=user, text="What does your team own?").count() == 1
    question = Question.objects.get(owner=user, text="What does your team own?")

    web.post(reverse("question_move", args=[question.pk]), {"direction": "up"})
    assert _texts(user, "coffee_chat")[-2:] == [
        "What does your team own?",
        "Is there a meeting or project I could join to see product work up close?",
    ]
    web.post(reverse("question_move", args=[question.pk]), {"direction": "down"})
    web.post(reverse("question_move", args=[question.pk]), {"direction": "down"})  # already last: stays
    assert _texts(user, "coffee_chat")[-1] == "What does your team own?"

    response = web.post(
        reverse("question_edit", args=[question.pk]),
        {"kind": "coffee_chat", "category": "", "text": "What does your team own end to end?"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "What does your team own end to end?"

    assert web.post(reverse("question_delete", args=[question.pk])).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_an_empty_or_duplicate_question_is_refused_with_the_reason(web, user):
    before = Question.objects.filter(owner=user).count()
    response = web.post(reverse("question_list"), {"kind": "coffee_chat", "text": ""})
    assert response.status_code == 400
    response = web.post(
        reverse("question_list"),
        {"kind": "coffee_chat", "text": "What are you and your team focused on this quarter?"},
    )
    assert response.status_code == 400
    assert "You already have this question" in response.content.decode()
    assert Question.objects.filter(owner=user).count() == before


@pytest.fixture
def chat(user, contact):
    conv = conversation(user, contact, kind="informational_interview")
    return conversation_transition(conversation=conv, to_stage="requested")


def test_build_agenda_from_the_page_with_ticked_questions(web, user, chat):
    page = web.get(reverse("conversation_detail", args=[chat.pk])).content.decode()
    assert "Build agenda from your question bank" in page
    ids = list(Question.objects.filter(owner=user, kind="informational_interview").values_list("pk", flat=True)[:3])
    response = web.post(reverse("conversation_build_agenda", args=[chat.pk]), {"questions": ids})
    assert response.status_code == 302
    chat.refresh_from_db()
    assert chat.agenda == (
        "- What are the biggest trends changing product management in your area right now?\n"
        "- How has the PM role at your company changed over the last two years?\n"
        "- What surprised you most when you moved into product?"
    )
    page = web.get(reverse("conversation_detail", args=[chat.pk])).content.decode()
    assert '<ol class="agenda"><li>What are the biggest trends' in page
    assert "Added 3 questions to the agenda." in page


def test_build_agenda_from_the_page_suggests_four_when_none_is_ticked(web, chat):
    web.post(reverse("conversation_build_agenda", args=[chat.pk]))
    chat.refresh_from_db()
    assert chat.agenda.count("- ") == 4


def test_build_agenda_refuses_two_or_another_users_question(web, user, other_user, chat):
    ids = list(Question.objects.filter(owner=user).values_list("pk", flat=True)[:2])
    response = web.post(reverse("conversation_build_agenda", args=[chat.pk]), {"questions": ids}, follow=True)
    assert "Pick 3 to 5 questions (got 2)." in response.content.decode()
    theirs = Question.objects.filter(owner=other_user).first()
    response = web.post(
        reverse("conversation_build_agenda", args=[chat.pk]), {"questions": [*ids, theirs.pk]}, follow=True
    )
    assert "no longer in your question bank" in response.content.decode()
    assert theirs.text not in response.content.decode()
    chat.refresh_from_db()
    assert chat.agenda == ""


def test_build_agenda_reads_the_ticked_questions_at_once(web, user, chat, django_assert_max_num_queries):
    ids = list(Question.objects.filter(owner=user).values_list("pk", flat=True)[:20])
    url = reverse("conversation_build_agenda", args=[chat.pk])
    web.get(reverse("conversation_detail", args=[chat.pk]))  # the session is warm
    with django_assert_max_num_queries(12):  # not one read per ticked question
        response = web.post(url, {"questions": ids})
    assert "Pick 3 to 5 questions (got 20)." in web.get(response.url).content.decode()
    for odd in ("not-a-number", str(2**64), "٣"):
        response = web.post(url, {"questions": [*ids[:3], odd]}, follow=True)
        assert response.status_code == 200
        assert "no longer in your question bank" in response.content.decode()
    chat.refresh_from_db()
    assert chat.agenda == ""


def test_a_closed_conversation_offers_no_build_agenda(web, chat):
    conversation_transition(conversation=chat, to_stage="declined")
    page = web.get(reverse("conversation_detail", args=[chat.pk])).content.decode()
    assert "Build agenda from your question bank" not in page


# --- the outreach check on the request form ---------------------------------------------------


def _check(web, contact, body, kind="", template=""):
    return web.post(
        reverse("contact_request_check", args=[contact.pk]),
        {"rq-message_body": body, "rq-kind": kind, "rq-template": template},
    ).content.decode()


def test_the_request_form_hints_name_each_finding(web, contact):
    html = _check(web, contact, "Hi Priya, I need a job. Could I ask my question?", kind="coffee_chat")
    assert re.findall(r'data-code="(\w+)"', html) == ["asks_for_job", "no_connection", "about_me"]
    assert "(you can send it as it is)" in html


def test_a_good_message_gets_a_tick(web, contact):
    html = _check(
        web, contact, "Hi Priya, we met at the Mind the Product meetup. What would you advise?", kind="coffee_chat"
    )
    assert 'data-code="ok"' in html


def test_a_referral_request_or_a_thank_you_template_is_not_checked(web, user, contact):
    assert "data-code" not in _check(web, contact, "I want a job.", kind="referral_request")
    template = MessageTemplate.objects.get(owner=user, kind="thank_you")
    assert "data-code" not in _check(web, contact, "I want a job.", template=template.pk)


def test_the_request_form_shows_the_hints_region_on_load(web, user, contact):
    page = web.get(reverse("contact_detail", args=[contact.pk])).content.decode()
    assert 'id="outreach-hints"' in page and 'aria-live="polite"' in page
    assert reverse("contact_request_check", args=[contact.pk]) in page


# --- the prep e-mail ---------------------------------------------------------------------------


def test_the_chat_prep_email_lists_the_agenda_questions(user, contact):
    now = aware(2026, 6, 1, 12, 0)
    with time_machine.travel(now, tick=False) as clock:
        chat = conversation(user, contact, kind="coffee_chat")
        conversation_transition(conversation=chat, to_stage="requested")
        conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=now + timedelta(days=2))
        mine = question_create(owner=user, kind="coffee_chat", text="What did your last launch teach you?")
        ids = [
            mine.pk,
            *Question.objects.filter(owner=user, kind="coffee_chat")
            .exclude(pk=mine.pk)
            .values_list("pk", flat=True)[:2],
        ]
        conversation_build_agenda(conversation=chat, questions=list(Question.objects.filter(pk__in=ids)))
        clock.move_to(now + timedelta(days=1))
        call_command("send_reminders", "--inline", stdout=open("/dev/null", "w"))
    (message,) = [m for m in mail.outbox if m.subject.startswith("Prep:")]
    assert "YOUR AGENDA\n- What are you and your team focused on this quarter?\n" in message.body
    assert "- What did your last launch teach you?\n" in message.body
    html = message.alternatives[0][0]
    assert '<li style="margin-bottom:4px;">What did your last launch teach you?</li>' in html
    assert "- What did" not in html


def test_the_page_costs_the_same_queries_for_3_or_30_questions_per_kind(web, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 30):
        Question.objects.filter(owner=user).delete()
        Question.objects.bulk_create(
            Question(owner=user, kind=kind, text=f"{kind} {i}?", position=i)
            for kind in ("coffee_chat", "informational_interview", "case_study_feedback", "referral_request")
            for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            assert web.get(reverse("question_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
