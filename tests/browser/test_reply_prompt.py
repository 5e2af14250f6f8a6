"""The reply prompt on Today in Chromium (issue #13): "They replied" on an overdue nudge, then
"Priya replied … ago: schedule it, or mark declined" with exactly those two moves."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contacts.models import Contact
from outreach.models import Conversation, FollowUp, Stage
from outreach.services import conversation_create, conversation_transition
from tests.browser.conftest import has_horizontal_scroll
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def waiting_request(transactional_db):
    user = UserFactory(username="maya", email="maya@example.com")
    user.set_password("a long pass phrase")
    user.save()
    priya = Contact.objects.create(owner=user, first_name="Priya", last_name="Raman")
    ask = conversation_create(owner=user, contact=priya, kind="coffee_chat")
    conversation_transition(conversation=ask, to_stage=Stage.REQUESTED, at=timezone.now() - timedelta(days=8))
    return ask


@pytest.mark.parametrize("viewport", ["page", "phone_page"])
def test_they_replied_on_today_stops_the_nudge_and_prompts_schedule_or_decline(
    request, viewport, live_server, log_in, waiting_request, screenshot
):
    from playwright.sync_api import expect

    page = request.getfixturevalue(viewport)
    log_in(page, "maya", "a long pass phrase")
    nudge = page.locator(".follow-up", has_text="Nudge Priya Raman")
    expect(nudge).to_be_visible()
    nudge.get_by_role("button", name="Priya Raman replied").click()

    expect(page.get_by_text("Priya Raman replied: no more nudges.")).to_be_visible()
    replies = page.locator("section", has=page.get_by_role("heading", name="Replies to answer"))
    expect(replies.get_by_text("Priya replied")).to_be_visible()
    expect(replies.get_by_text("schedule it, or mark declined")).to_be_visible()
    expect(replies.get_by_text("Schedule…")).to_be_visible()
    expect(replies.get_by_role("button", name="No response")).to_have_count(0)
    expect(page.locator(".follow-up", has_text="Nudge Priya Raman")).to_have_count(0)
    assert not has_horizontal_scroll(page)
    screenshot(page, f"today-reply-prompt-{viewport}")
    ask = Conversation.objects.get(pk=waiting_request.pk)
    assert ask.replied_at is not None
    assert not ask.follow_ups.filter(kind=FollowUp.Kind.NUDGE, status=FollowUp.Status.OPEN).exists()

    replies.get_by_role("button", name="Declined").click()
    expect(page.get_by_text("Priya Raman: moved to declined.")).to_be_visible()
    expect(page.get_by_role("heading", name="Replies to answer")).to_have_count(0)
    assert Conversation.objects.get(pk=waiting_request.pk).stage == Stage.DECLINED
