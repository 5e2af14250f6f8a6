"""The board: a column per stage, only legal moves on each card, scheduling asks for date/time/place."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from outreach.models import Conversation, Stage
from outreach.pipeline import TRANSITIONS
from outreach.services import conversation_create, conversation_transition
from tests.factories import ContactFactory, aware


def _card(html, pk):
    return html.split(f'id="conversation-{pk}"')[1].split("</li>\n      \n")[0].split('class="card board-card"')[0]


def test_the_board_has_a_column_per_stage(web, requested):
    html = web.get(reverse("pipeline")).content.decode()
    for stage in Stage:
        assert f'id="stage-{stage.value}"' in html


@pytest.mark.parametrize("stage", [Stage.PLANNED, Stage.REQUESTED, Stage.SCHEDULED, Stage.HELD, Stage.THANKED])
def test_each_card_offers_exactly_the_legal_moves(web, user, contact, stage):
    c = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    path = {
        Stage.PLANNED: [],
        Stage.REQUESTED: ["requested"],
        Stage.SCHEDULED: ["requested", "scheduled"],
        Stage.HELD: ["requested", "scheduled", "held"],
        Stage.THANKED: ["requested", "scheduled", "held", "thanked"],
    }[stage]
    for to in path:
        conversation_transition(
            conversation=c,
            to_stage=to,
            scheduled_for=aware(2030, 1, 1, 12) if to == "scheduled" else None,
            held_at=timezone.now() if to == "held" else None,  # held before its 2030 date: say when
        )
    html = web.get(reverse("pipeline")).content.decode()
    card = _card(html, c.pk)
    offered = set(re.findall(r'name="stage" value="([a-z_]+)"', card))
    assert offered == set(TRANSITIONS[stage])


def test_moving_a_card_uses_the_service(web, user, requested):
    response = web.post(
        reverse("conversation_move", args=[requested.pk]), {"stage": "declined", "next": reverse("pipeline")}
    )
    assert response.status_code == 302 and response.url == reverse("pipeline")
    requested.refresh_from_db()
    assert requested.stage == "declined"
    assert not requested.follow_ups.filter(status="open").exists()


def test_an_illegal_move_is_refused_with_the_services_message_not_a_500(web, requested):
    response = web.post(reverse("conversation_move", args=[requested.pk]), {"stage": "thanked"}, follow=True)
    assert response.status_code == 200
    assert "Cannot move from &#x27;requested&#x27; to &#x27;thanked&#x27;" in response.content.decode()
    requested.refresh_from_db()
    assert requested.stage == "requested"


def test_an_unknown_stage_is_404(web, requested):
    assert web.post(reverse("conversation_move", args=[requested.pk]), {"stage": "won"}).status_code == 404


def test_scheduling_takes_date_time_and_place_in_the_users_time_zone(web, user, requested):
    profile_update(profile=user.profile, timezone="Europe/Paris")
    response = web.post(
        reverse("conversation_move", args=[requested.pk]),
        {
            "stage": "scheduled",
            "date": "2030-06-03",
            "time": "09:30",
            "location": "Café Oberkampf",
        },
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.stage == "scheduled"
    assert requested.scheduled_for == aware(2030, 6, 3, 7, 30)  # 09:30 CEST
    assert requested.location == "Café Oberkampf"


def test_scheduling_without_a_date_shows_the_form_again_and_changes_nothing(web, requested):
    response = web.post(
        reverse("conversation_move", args=[requested.pk]),
        {"stage": "scheduled", "date": "", "time": "09:30", "location": "Zoom"},
    )
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert 'for="id_date"' in response.content.decode()
    requested.refresh_from_db()
    assert requested.stage == "requested" and requested.location == ""


def test_a_wall_time_skipped_by_dst_is_refused(web, user, requested):
    profile_update(profile=user.profile, timezone="America/Toronto")
    response = web.post(
        reverse("conversation_move", args=[requested.pk]), {"stage": "scheduled", "date": "2030-03-10", "time": "02:30"}
    )
    assert response.status_code == 400
    assert "does not exist in your time zone" in response.content.decode()
    requested.refresh_from_db()
    assert requested.stage == "requested"


def test_the_schedule_page_works_without_javascript(web, requested):
    response = web.get(reverse("conversation_move", args=[requested.pk]), {"stage": "scheduled"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="date"' in html and 'type="time"' in html


def test_the_move_page_refuses_an_illegal_move(web, requested):
    response = web.get(reverse("conversation_move", args=[requested.pk]), {"stage": "thanked"})
    assert response.status_code == 302


def test_the_next_parameter_cannot_redirect_off_site(web, requested):
    response = web.post(
        reverse("conversation_move", args=[requested.pk]), {"stage": "cancelled", "next": "https://evil.example.com/"}
    )
    assert response.url == reverse("pipeline")


def test_prep_brief_shows_who_how_we_met_agenda_and_earlier_notes(web, user, contact, requested, note):
    web.post(
        reverse("conversation_detail", args=[requested.pk]),
        {"agenda": "Ask about discovery", "location": "Zoom", "outcome": ""},
    )
    html = web.get(reverse("conversation_detail", args=[requested.pk])).content.decode()
    for text in (
        "Priya Raman",
        "Senior PM",
        "Mind the Product meetup",
        "Ask about discovery",
        "Loves <strong>metrics</strong>",
    ):
        assert text in html


@pytest.mark.parametrize("rows", [1, 20])
def test_the_board_runs_a_fixed_number_of_queries(web, user, rows, django_assert_max_num_queries):
    for i in range(rows):
        c = conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat")
        if i % 2:
            conversation_transition(conversation=c, to_stage="requested")
        if i % 4 == 3:
            conversation_transition(conversation=c, to_stage="cancelled")
    with django_assert_max_num_queries(9):
        assert web.get(reverse("pipeline")).status_code == 200


def test_a_chat_page_shows_its_time_on_the_users_clock(client, user):
    from datetime import datetime
    from datetime import timezone as dt_timezone

    from accounts.services import profile_update
    from outreach.services import conversation_transition
    from tests.factories import conversation

    profile_update(profile=user.profile, timezone="America/Toronto")
    chat = conversation(user)
    conversation_transition(conversation=chat, to_stage="requested")
    conversation_transition(
        conversation=chat, to_stage="scheduled", scheduled_for=datetime(2030, 1, 15, 20, 0, tzinfo=dt_timezone.utc)
    )
    client.force_login(user)
    page = client.get(f"/conversations/{chat.pk}/").content.decode()
    assert "15 January 2030, 15:00" in page  # 20:00 UTC is 15:00 in Toronto (EST)
    assert "20:00" not in page


def test_a_scheduled_chat_page_offers_its_calendar_invitation(client, user):
    from datetime import timedelta

    from django.utils import timezone

    from outreach.services import conversation_transition
    from tests.factories import conversation

    chat = conversation(user)
    conversation_transition(conversation=chat, to_stage="requested")
    conversation_transition(conversation=chat, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(days=2))
    client.force_login(user)
    page = client.get(f"/conversations/{chat.pk}/").content.decode()
    assert f'href="/calendar/chat/{chat.pk}.ics"' in page
    invite = client.get(f"/calendar/chat/{chat.pk}.ics")
    assert invite.status_code == 200
    assert b"BEGIN:VEVENT" in invite.content


def test_the_schedule_page_of_a_chat_that_cannot_be_scheduled_sends_back_with_the_reason(web, user, contact):
    planned = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    response = web.get(reverse("conversation_move", args=[planned.pk]), {"stage": "scheduled"})
    assert response.status_code == 302 and response.url == reverse("pipeline")
    html = web.get(response.url).content.decode()
    assert "Cannot move from &#x27;planned&#x27; to &#x27;scheduled&#x27;" in html
    planned.refresh_from_db()
    assert planned.stage == "planned"


def _scheduled(user, contact, when):
    c = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    booked = min(when, timezone.now()) - timedelta(days=1)  # booked before the chat, as in life
    conversation_transition(conversation=c, to_stage="requested", at=booked)
    conversation_transition(conversation=c, to_stage="scheduled", at=booked, scheduled_for=when)
    return c


def test_a_chat_whose_time_has_passed_is_marked_held_with_one_click(web, user, contact):
    c = _scheduled(user, contact, timezone.now() - timedelta(hours=1))
    card = _card(web.get(reverse("pipeline")).content.decode(), c.pk)
    assert 'data-move="held">Mark held</button>' in card
    response = web.post(reverse("conversation_move", args=[c.pk]), {"stage": "held"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.stage == "held"


def test_marking_a_chat_held_before_its_time_asks_when_it_happened(web, user, contact):
    profile_update(profile=user.profile, timezone="America/Toronto")
    c = _scheduled(user, contact, timezone.now() + timedelta(days=2))
    card = _card(web.get(reverse("pipeline")).content.decode(), c.pk)
    assert '<summary class="button small">Mark held…</summary>' in card
    assert 'data-move="held">' not in card  # no one-click button that would record the wrong time

    # Without a moment (e.g. the one-click POST of a stale page): refused, nothing changes.
    refused = web.post(reverse("conversation_move", args=[c.pk]), {"stage": "held"})
    assert refused.status_code == 400
    assert "Date it happened" in refused.content.decode()
    c.refresh_from_db()
    assert c.stage == "scheduled"

    happened = timezone.now().astimezone(ZoneInfo("America/Toronto")).replace(second=0, microsecond=0) - timedelta(
        hours=2
    )
    done = web.post(
        reverse("conversation_move", args=[c.pk]),
        {"stage": "held", "date": happened.date().isoformat(), "time": happened.strftime("%H:%M")},
    )
    assert done.status_code == 302
    c.refresh_from_db()
    assert c.stage == "held" and c.held_at == happened


def test_a_future_time_for_when_it_happened_is_a_form_error(web, user, contact):
    c = _scheduled(user, contact, timezone.now() + timedelta(days=2))
    later = timezone.now() + timedelta(days=1)
    response = web.post(
        reverse("conversation_move", args=[c.pk]),
        {"stage": "held", "date": later.date().isoformat(), "time": later.strftime("%H:%M")},
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    c.refresh_from_db()
    assert c.stage == "scheduled"


@pytest.mark.parametrize("stage", Stage.values)
def test_every_move_page_from_every_stage_is_the_page_or_a_way_back_with_the_reason(web, user, contact, stage):
    chat = conversation_create(owner=user, contact=contact, kind="coffee_chat")
    Conversation.objects.filter(pk=chat.pk).update(stage=stage, scheduled_for=timezone.now() + timedelta(days=2))
    for target in Stage.values:
        response = web.get(reverse("conversation_move", args=[chat.pk]), {"stage": target})
        if target in TRANSITIONS[stage]:
            assert response.status_code == 200, (stage, target)
        else:
            assert response.status_code == 302 and response.url == reverse("pipeline"), (stage, target)
            reason = [str(message) for message in get_messages(response.wsgi_request)][-1]  # this request's
            assert reason.startswith(f"Cannot move from '{stage}' to '{target}'."), (stage, target)
