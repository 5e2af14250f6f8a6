"""The pipeline board a person enjoys using (issue #10): the path in order then the closing
stages folded in one narrow column, how long each card has waited, and moves that swap the
board in place (htmx) instead of reloading the page."""

import re
from datetime import timedelta

import time_machine
from django.urls import reverse

from outreach.models import Conversation
from outreach.services import conversation_create, conversation_transition
from tests.factories import ContactFactory, aware

NOW = aware(2026, 3, 10, 12, 0)


def _asked(user, days_ago: int, name="Priya"):
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        conv = conversation_create(owner=user, contact=ContactFactory(owner=user, first_name=name), kind="coffee_chat")
        conversation_transition(conversation=conv, to_stage="requested")
    return conv


def _card(html, pk):
    return html.split(f'id="conversation-{pk}"')[1].split("</li>")[0]


def test_the_closing_stages_stand_after_the_path_in_one_folded_column(web):
    # The order of all eight: tests/web/test_pipeline_declaration.py.
    html = web.get(reverse("pipeline")).content.decode()
    path = html.split('<div class="closing-stages">')[0]
    assert re.findall(r'id="stage-([a-z_]+)"', path) == ["planned", "requested", "scheduled", "held", "thanked"]
    closing = html.split('<div class="closing-stages">')[1]
    assert re.findall(r'id="stage-([a-z_]+)"', closing) == ["declined", "no_response", "cancelled"]
    assert closing.count('<details class="stage-fold"') == 3


def test_a_closing_stage_with_cards_that_can_still_move_is_unfolded(web, user):
    conv = _asked(user, 20)
    conversation_transition(conversation=conv, to_stage="no_response")
    html = web.get(reverse("pipeline")).content.decode()
    assert '<details class="stage-fold" id="fold-no_response" open>' in html
    assert '<details class="stage-fold" id="fold-declined">' in html


def test_each_card_says_how_long_it_has_waited(web, user):
    asked = _asked(user, 5)
    with time_machine.travel(NOW - timedelta(days=88), tick=False):
        planned = conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat")
    with time_machine.travel(NOW, tick=False):
        html = web.get(reverse("pipeline")).content.decode()
    assert "asked 5 days ago" in _card(html, asked.pk)
    assert "planned 3 months ago" in _card(html, planned.pk)


def test_a_move_from_the_board_with_htmx_answers_the_board_in_place(web, user):
    conv = _asked(user, 3)
    response = web.post(
        reverse("conversation_move", args=[conv.pk]),
        {"stage": "no_response", "next": "/pipeline/", "board": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, not a page: no full reload
    assert 'id="board"' in html
    assert f'data-moved="conversation-{conv.pk}"' in html
    assert "moved to no response" in html
    no_response = html.split('id="stage-no_response"')[1].split("</section>")[0]
    assert f'id="conversation-{conv.pk}"' in no_response
    assert Conversation.objects.get(pk=conv.pk).stage == "no_response"


def test_an_illegal_move_from_the_board_says_why_in_place_and_changes_nothing(web, user):
    conv = _asked(user, 3)
    response = web.post(
        reverse("conversation_move", args=[conv.pk]),
        {"stage": "thanked", "board": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert Conversation.objects.get(pk=conv.pk).stage == "requested"


def test_scheduling_from_the_board_without_a_date_is_refused_in_place(web, user):
    conv = _asked(user, 3)
    response = web.post(
        reverse("conversation_move", args=[conv.pk]),
        {"stage": "scheduled", "date": "", "time": "10:00", "board": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert 'id="board"' in response.content.decode()
    assert Conversation.objects.get(pk=conv.pk).stage == "requested"


def test_the_board_buttons_post_with_htmx_and_still_work_as_plain_forms(web, user):
    conv = _asked(user, 3)
    card = _card(web.get(reverse("pipeline")).content.decode(), conv.pk)
    assert 'hx-target="#board-area"' in card
    response = web.post(reverse("conversation_move", args=[conv.pk]), {"stage": "declined", "next": "/pipeline/"})
    assert response.status_code == 302 and response["Location"] == "/pipeline/"
    assert Conversation.objects.get(pk=conv.pk).stage == "declined"


def test_another_users_card_cannot_be_moved_from_the_board(other_web, user):
    conv = _asked(user, 3)
    response = other_web.post(
        reverse("conversation_move", args=[conv.pk]), {"stage": "declined", "board": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404
    assert Conversation.objects.get(pk=conv.pk).stage == "requested"


def test_the_drag_hint_is_hidden_on_touch_screens():
    from pathlib import Path

    css = Path("crm/static/crm/app.css").read_text()
    touch = css.split("@media (hover: none), (pointer: coarse)")[1].split("}")[0]
    assert ".drag-hint" in touch
