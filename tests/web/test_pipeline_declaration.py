"""The pipeline is declared once (outreach.pipeline.MOVES): the board, the funnel, the API and
its schema show exactly what the declaration says, so a new stage touches one table."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Stage
from outreach.pipeline import (
    BOARD_STAGES,
    FUNNEL_STAGES,
    MOVE_INTO,
    MOVES,
    PATH,
    START_STAGE,
    TRANSITIONS,
    legal_moves,
)
from outreach.services import conversation_create, conversation_transition
from tests.factories import ContactFactory


def _routes() -> dict[str, list[str]]:
    """The shortest legal route from the start to every stage, walked over the table."""
    routes = {START_STAGE: []}
    frontier = [START_STAGE]
    while frontier:
        stage = frontier.pop(0)
        for to in TRANSITIONS[stage]:
            if to not in routes:
                routes[to] = [*routes[stage], to]
                frontier.append(to)
    return routes


def _conversation_at(user, stage):
    conversation = conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat")
    for to in _routes()[stage]:
        needs_time = "scheduled_for" in MOVE_INTO[to].requires
        conversation_transition(
            conversation=conversation,
            to_stage=to,
            scheduled_for=timezone.now() + timedelta(days=3) if needs_time else None,
            held_at=timezone.now() if to == "held" else None,  # held before the chat's time: say when
        )
    return conversation


def _card(html, pk):
    return html.split(f'id="conversation-{pk}"')[1].split("</li>\n      \n")[0].split('class="card board-card"')[0]


def test_every_stage_is_the_start_or_entered_by_exactly_one_move_and_reachable():
    entered = [move.to for move in MOVES]
    assert sorted(entered) == sorted(stage for stage in Stage if stage != START_STAGE)
    assert all(source in Stage.values for move in MOVES for source in move.sources)
    assert set(_routes()) == set(Stage)


def test_the_path_and_the_board_order_come_from_the_declaration():
    assert PATH == ("planned", "requested", "scheduled", "held", "thanked")
    # Every stage has one column: the path in its order, then the stages that close an ask early.
    assert BOARD_STAGES == (
        "planned",
        "requested",
        "scheduled",
        "held",
        "thanked",
        "declined",
        "no_response",
        "cancelled",
    )


@pytest.mark.parametrize("stage", list(Stage))
def test_each_card_offers_the_declared_moves_with_their_labels_as_buttons_and_drop_targets(
    web, api_client, user, stage
):
    conversation = _conversation_at(user, stage)
    card = _card(web.get(reverse("pipeline")).content.decode(), conversation.pk)
    buttons = re.findall(r'data-move="([a-z_]+)">([^<]+)</button>', card)
    date_forms = re.findall(r'<summary class="button small">([^<]+)…</summary>', card)
    expected = [(move.to, move.label_from(stage)) for move in legal_moves(stage)]

    def asks_a_moment(to):
        # Scheduling asks for the time; so does marking held before the chat's (future) time.
        return "scheduled_for" in MOVE_INTO[to].requires or (to == Stage.HELD and stage == Stage.SCHEDULED)

    assert buttons == [(to, label) for to, label in expected if not asks_a_moment(to)]
    assert date_forms == [label for to, label in expected if asks_a_moment(to)]
    drop_targets = re.search(r'data-legal="([a-z_ ]*)"', card).group(1).split()
    assert drop_targets == list(TRANSITIONS[stage])
    api = api_client.get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert api["allowed_next_stages"] == list(TRANSITIONS[stage])


def test_the_labels_a_user_reads_on_the_board_are_the_declared_ones(web, user):
    waiting = _conversation_at(user, Stage.NO_RESPONSE)
    scheduled = _conversation_at(user, Stage.SCHEDULED)
    html = web.get(reverse("pipeline")).content.decode()
    assert 'data-move="requested">Ask again</button>' in _card(html, waiting.pk)
    assert "Reschedule…" in _card(html, scheduled.pk)
    # Its chat is three days away: marking it held asks when it happened.
    assert '<summary class="button small">Mark held…</summary>' in _card(html, scheduled.pk)


def test_the_board_columns_follow_the_declared_order(web, user):
    html = web.get(reverse("pipeline")).content.decode()
    assert re.findall(r'class="column[^"]*" id="stage-([a-z_]+)"', html) == list(BOARD_STAGES)


def test_the_funnel_is_the_declared_path_after_the_start(web, api_client, user):
    assert FUNNEL_STAGES == PATH[1:]
    assert list(api_client.get("/api/v1/dashboard/").json()["funnel"]) == list(FUNNEL_STAGES)
    assert [row["step"] for row in web.get(reverse("today")).context["funnel"]] == list(FUNNEL_STAGES)


@pytest.mark.django_db
def test_the_schema_lists_exactly_the_declared_moves():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    text = schema["paths"]["/api/v1/conversations/{id}/transition/"]["post"]["description"]
    listed = {}
    for line in text.splitlines():
        if match := re.fullmatch(r"- ([a-z_]+) → (.+)", line):
            listed[match[1]] = tuple(re.sub(r" \(.*\)", "", to) for to in match[2].split(" | "))
    assert listed == {stage: moves for stage, moves in TRANSITIONS.items() if moves}
    assert "`scheduled_for` is required for scheduled." in text


def test_every_declared_effect_exists_and_every_effect_is_declared():
    from outreach.services import EFFECTS

    assert {move.effect for move in MOVES} == set(EFFECTS)
