"""The Playbook: a checklist per pathway whose steps fill in from the user's own rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from crm.playbook import ANY_ASK, PLAYBOOKS, Step
from outreach.models import PortfolioItem, Stage
from outreach.services import conversation_create, conversation_transition
from tests.factories import ContactFactory


@pytest.mark.parametrize("pathway", ["product_trio", "internal_move", "build_experience"])
def test_every_pathway_has_its_checklist(web, user, pathway):
    profile_update(profile=user.profile, pathway=pathway)
    html = web.get(reverse("playbook")).content.decode()
    for step in PLAYBOOKS[pathway]:
        assert step.title.replace("—", "&mdash;").split(" ")[0] in html
    assert f"0 of {len(PLAYBOOKS[pathway])} steps done" in html


def test_a_ready_case_study_completes_its_step_and_links_to_the_piece(web, user):
    response = web.post(
        reverse("playbook"),
        {"title": "Checkout redesign", "kind": "case_study", "status": "ready", "url": "", "summary": ""},
    )
    assert response.status_code == 302
    item = PortfolioItem.objects.get(owner=user)
    html = web.get(reverse("playbook")).content.decode()
    assert "1 of 5 steps done" in html
    assert f'href="#portfolio-{item.pk}"' in html


def test_informational_interview_requests_on_linkedin_count_towards_their_step(web, user):
    for _ in range(2):
        c = conversation_create(
            owner=user, contact=ContactFactory(owner=user, source="linkedin"), kind="informational_interview"
        )
        conversation_transition(conversation=c, to_stage="requested")
    progress = {p.step.key: p for p in web.get(reverse("playbook")).context["steps"]}
    assert progress["informational-interviews"].count == 2
    assert not progress["informational-interviews"].done


def test_a_bad_portfolio_piece_shows_errors_and_saves_nothing(web, user):
    response = web.post(reverse("playbook"), {"title": "", "kind": "poem", "status": "ready"})
    assert response.status_code == 400
    assert {"title", "kind"} <= set(response.context["form"].errors)
    assert not PortfolioItem.objects.filter(owner=user).exists()


def test_today_shows_playbook_progress(web, user):
    assert "Playbook: 0 of 5 steps done" in web.get(reverse("today")).content.decode()


def _requested_scheduled_cancelled(user, **contact_fields):
    c = conversation_create(owner=user, contact=ContactFactory(owner=user, **contact_fields), kind="coffee_chat")
    conversation_transition(conversation=c, to_stage="requested")
    conversation_transition(conversation=c, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(days=2))
    return conversation_transition(conversation=c, to_stage="cancelled")


def test_a_cancelled_chat_still_counts_as_requested_because_it_was(web, user):
    profile_update(profile=user.profile, pathway="build_experience")
    _requested_scheduled_cancelled(user, source="linkedin")
    progress = {p.step.key: p for p in web.get(reverse("playbook")).context["steps"]}
    assert progress["informational-interviews"].count == 1


def test_a_cancelled_chat_still_counts_as_scheduled_because_it_was(web, user, monkeypatch):
    profile_update(profile=user.profile, pathway="build_experience")
    step = Step("got-a-date", "Get a chat on the calendar", "", conversation_kinds=ANY_ASK, reached=Stage.SCHEDULED)
    monkeypatch.setitem(PLAYBOOKS, "build_experience", [step])
    _requested_scheduled_cancelled(user)
    conversation_transition(
        conversation=conversation_create(owner=user, contact=ContactFactory(owner=user), kind="coffee_chat"),
        to_stage="requested",
    )
    progress = web.get(reverse("playbook")).context["steps"]
    assert [p.count for p in progress] == [1]
    assert progress[0].done
