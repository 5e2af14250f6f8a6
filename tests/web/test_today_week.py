"""Today shows this week's upcoming chats, not only today's, on the user's clock and bounded (issue #10)."""

from datetime import timedelta

import time_machine
from django.urls import reverse

from crm.selectors import CHATS_AHEAD_LIMIT
from outreach.services import conversation_create, conversation_transition
from tests.factories import ContactFactory, aware

NOW = aware(2026, 3, 2, 9, 0)  # Monday 10:00 in Berlin


def _chat(user, at, name):
    conv = conversation_create(owner=user, contact=ContactFactory(owner=user, first_name=name), kind="coffee_chat")
    conversation_transition(conversation=conv, to_stage="requested")
    conversation_transition(conversation=conv, to_stage="scheduled", scheduled_for=at)
    return conv


def test_today_lists_the_chats_of_the_next_seven_days_by_day(web, user):
    user.profile.timezone = "Europe/Berlin"
    user.profile.save()
    with time_machine.travel(NOW, tick=False):
        _chat(user, NOW + timedelta(hours=3), "Today")
        _chat(user, NOW + timedelta(days=2), "Wednesday")
        _chat(user, aware(2026, 3, 8, 22, 30), "Sunday")  # 23:30 Sunday in Berlin: still this week
        _chat(user, aware(2026, 3, 8, 23, 30), "Monday")  # 00:30 next Monday in Berlin: not shown
        html = web.get(reverse("today")).content.decode()
    chats = html.split('id="chats-h"')[1].split("</section>")[0]
    assert "Chats this week" in html
    assert [name for name in ("Today", "Wednesday", "Sunday", "Monday") if f"<strong>{name} " in chats] == [
        "Today",
        "Wednesday",
        "Sunday",
    ]
    assert "<h3>Today</h3>" in chats and "<h3>Wednesday 4 Mar</h3>" in chats and "<h3>Sunday 8 Mar</h3>" in chats


def test_the_week_of_chats_is_bounded_with_a_link_to_the_rest(web, user):
    with time_machine.travel(NOW, tick=False):
        for n in range(CHATS_AHEAD_LIMIT + 2):
            _chat(user, NOW + timedelta(hours=2 + n), f"Person{n}")
        html = web.get(reverse("today")).content.decode()
    chats = html.split('id="chats-h"')[1].split("</section>")[0]
    assert chats.count('class="chat"') == CHATS_AHEAD_LIMIT
    assert "More chats this week" in chats


def test_another_users_chats_are_not_on_my_today(web, user, other_user):
    with time_machine.travel(NOW, tick=False):
        _chat(other_user, NOW + timedelta(days=1), "Secret")
        html = web.get(reverse("today")).content.decode()
    assert "Secret" not in html
    assert "No chats in the next seven days" in html
