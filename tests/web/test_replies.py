"""The reply prompt on Today, the board and the conversation page (issue #13)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outreach.models import FollowUp, Stage
from outreach.services import conversation_reply, conversation_transition
from tests.factories import ContactFactory, conversation


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def requested(user, first_name="Priya"):
    ask = conversation(user, ContactFactory(owner=user, first_name=first_name, last_name="Raman"))
    return conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=timezone.now() - timedelta(days=8))


def test_they_replied_from_the_board_stops_the_nudge_and_offers_schedule_or_decline(logged_in, user):
    ask = requested(user)
    board = logged_in.get("/pipeline/").content.decode()
    assert f'data-reply="{ask.pk}"' in board
    response = logged_in.post(f"/conversations/{ask.pk}/reply/", {"next": "/pipeline/"})
    assert response.status_code == 302 and response["Location"] == "/pipeline/"
    ask.refresh_from_db()
    assert ask.replied_at is not None and ask.stage == Stage.REQUESTED
    assert not ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()
    board = logged_in.get("/pipeline/").content.decode()
    assert "Priya replied" in board and "schedule it, or mark declined" in board
    assert f'data-reply="{ask.pk}"' not in board


def test_today_lists_replies_to_answer_with_only_the_answering_moves(logged_in, user):
    ask = requested(user)
    conversation_reply(conversation=ask, at=timezone.now() - timedelta(hours=2))
    page = logged_in.get("/").content.decode()
    assert "Replies to answer" in page
    assert "Priya replied" in page and "2 hours ago" in page
    section = page[page.index("Replies to answer") : page.index('id="fu-h"')]
    assert 'data-move-form="scheduled"' in section and 'data-move="declined"' in section
    assert 'data-move="no_response"' not in section and 'data-move="cancelled"' not in section


def test_today_offers_they_replied_on_an_overdue_nudge(logged_in, user):
    ask = requested(user)
    page = logged_in.get("/").content.decode()
    assert f'data-reply="{ask.pk}"' in page  # the nudge is overdue: it is on Today


def test_the_conversation_page_offers_they_replied(logged_in, user):
    ask = requested(user)
    assert f'data-reply="{ask.pk}"' in logged_in.get(f"/conversations/{ask.pk}/").content.decode()


def test_reply_to_a_scheduled_chat_is_refused_with_a_message(logged_in, user):
    ask = requested(user)
    conversation_transition(
        conversation=ask, to_stage=Stage.SCHEDULED, scheduled_for=timezone.now() + timedelta(days=1)
    )
    replied = ask.replied_at
    response = logged_in.post(f"/conversations/{ask.pk}/reply/", follow=True)
    assert "only a request waiting for an answer" in response.content.decode()
    ask.refresh_from_db()
    assert ask.replied_at == replied


def test_reply_is_post_only(logged_in, user):
    ask = requested(user)
    assert logged_in.get(f"/conversations/{ask.pk}/reply/").status_code == 405
