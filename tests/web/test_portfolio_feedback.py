"""The portfolio feedback loop (issue #14): the request form attaches a piece to a case-study
feedback ask (the user's own pieces only), the piece's page gathers the feedback notes and
changes its status, and the playbook's feedback step ticks from it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import profile_update
from crm.services import note_create
from outreach.models import Conversation, PortfolioItem
from outreach.services import conversation_transition, portfolio_item_create, template_create
from tests.factories import ContactFactory, conversation


@pytest.fixture
def piece(user):
    return portfolio_item_create(owner=user, title="Checkout redesign", kind="redesign", status="ready")


@pytest.fixture
def priya(user):
    return ContactFactory(owner=user, first_name="Priya", last_name="Raman")


@pytest.fixture
def feedback_template(user):
    return template_create(
        owner=user, name="Feedback ask", kind="case_study_feedback", subject="Hi", body="Hi {first_name}"
    )


def _request(web, contact, template, **fields):
    data = {"rq-template": template.pk, "rq-channel": "email", "rq-kind": "", "rq-message_body": "Hi"}
    data.update({f"rq-{k}": v for k, v in fields.items()})
    return web.post(reverse("contact_request", args=[contact.pk]), data)


def test_the_request_form_offers_the_users_pieces(web, user, other_user, piece, priya, feedback_template):
    portfolio_item_create(owner=other_user, title="Someone else's deck", kind="case_study")
    html = web.get(reverse("contact_detail", args=[priya.pk])).content.decode()
    assert 'name="rq-portfolio_item"' in html and "Checkout redesign" in html
    assert "Someone else" not in html


def test_a_feedback_ask_attaches_the_piece(web, user, piece, priya, feedback_template):
    response = _request(web, priya, feedback_template, portfolio_item=piece.pk)
    assert response.status_code == 302
    ask = Conversation.objects.get(owner=user)
    assert (ask.kind, ask.stage, ask.portfolio_item) == ("case_study_feedback", "requested", piece)


def test_the_kind_chosen_on_the_form_decides(web, user, piece, priya, feedback_template):
    response = _request(web, priya, feedback_template, kind="coffee_chat", portfolio_item=piece.pk)
    assert response.status_code == 400
    assert "goes with a case-study feedback ask only" in response.content.decode()
    assert not Conversation.objects.filter(owner=user).exists()


def test_a_coffee_template_with_a_piece_is_refused(web, user, piece, priya):
    coffee = template_create(owner=user, name="Coffee", kind="coffee_chat", subject="Hi", body="Hi")
    response = _request(web, priya, coffee, portfolio_item=piece.pk)
    assert response.status_code == 400
    assert not Conversation.objects.filter(owner=user).exists()
    # Without a piece the same ask goes out.
    assert _request(web, priya, coffee).status_code == 302


def test_another_users_piece_is_refused(web, user, other_user, priya, feedback_template):
    theirs = portfolio_item_create(owner=other_user, title="Theirs", kind="case_study")
    response = _request(web, priya, feedback_template, portfolio_item=theirs.pk)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Conversation.objects.filter(owner=user).exists()


def test_the_piece_page_gathers_feedback_notes_newest_first(web, user, piece, priya):
    ask = conversation(user, priya, kind="case_study_feedback", portfolio_item=piece)
    note_create(owner=user, contact=priya, conversation=ask, kind="advice", body="Older: cut the intro")
    note_create(owner=user, contact=priya, conversation=ask, kind="advice", body="Newer: show the metric")
    unrelated = conversation(user, priya, kind="coffee_chat")
    note_create(owner=user, contact=priya, conversation=unrelated, kind="advice", body="Not about the piece")
    html = web.get(reverse("portfolio_detail", args=[piece.pk])).content.decode()
    assert html.index("Newer: show the metric") < html.index("Older: cut the intro")
    assert "Not about the piece" not in html
    assert f'href="{reverse("conversation_detail", args=[ask.pk])}"' in html
    assert f'href="{reverse("contact_detail", args=[priya.pk])}"' in html
    assert "Ready" in html


def test_the_piece_page_is_bounded(web, user, piece, priya):
    ask = conversation(user, priya, kind="case_study_feedback", portfolio_item=piece)
    for i in range(23):
        note_create(owner=user, contact=priya, conversation=ask, kind="advice", body=f"Point {i}")
    html = web.get(reverse("portfolio_detail", args=[piece.pk])).content.decode()
    assert html.count('class="note"') == 20 and "and 3 more" in html


def test_the_status_changes_on_the_piece_page(web, user, piece):
    response = web.post(reverse("portfolio_status", args=[piece.pk]), {"status": "shared"})
    assert response.status_code == 302
    piece.refresh_from_db()
    assert piece.status == "shared"
    web.post(reverse("portfolio_status", args=[piece.pk]), {"status": "nonsense"})
    piece.refresh_from_db()
    assert piece.status == "shared"


def test_another_users_piece_is_404(web, other_user):
    theirs = portfolio_item_create(owner=other_user, title="Theirs", kind="case_study")
    assert web.get(reverse("portfolio_detail", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("portfolio_status", args=[theirs.pk]), {"status": "shared"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "idea"
    assert "Theirs" not in web.get(reverse("portfolio_list")).content.decode()


def test_the_list_links_each_piece(web, user, piece):
    html = web.get(reverse("portfolio_list")).content.decode()
    assert f'href="{reverse("portfolio_detail", args=[piece.pk])}"' in html


def _feedback_step(web):
    return {p.step.key: p for p in web.get(reverse("playbook")).context["steps"]}["case-study-feedback"]


def test_the_playbook_feedback_step_ticks_from_held_or_noted_feedback_on_a_piece(web, user, piece, priya):
    profile_update(profile=user.profile, pathway="build_experience")
    asked = conversation(user, priya, kind="case_study_feedback", portfolio_item=piece)
    conversation_transition(conversation=asked, to_stage="requested")
    assert _feedback_step(web).count == 0  # asked only: the loop is not closed yet
    # A feedback ask held without a piece does not count.
    loose = conversation(user, ContactFactory(owner=user), kind="case_study_feedback")
    conversation_transition(conversation=loose, to_stage="requested")
    conversation_transition(conversation=loose, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(1))
    conversation_transition(conversation=loose, to_stage="held", held_at=timezone.now())
    assert _feedback_step(web).count == 0
    # Held, with the piece: 1 of 2.
    conversation_transition(conversation=asked, to_stage="scheduled", scheduled_for=timezone.now() + timedelta(1))
    conversation_transition(conversation=asked, to_stage="held", held_at=timezone.now())
    step = _feedback_step(web)
    assert (step.count, step.done) == (1, False)
    # A second ask, not held but with their feedback logged as a note: 2 of 2, done.
    other = ContactFactory(owner=user)
    noted = conversation(user, other, kind="case_study_feedback", portfolio_item=piece)
    note_create(owner=user, contact=other, conversation=noted, kind="advice", body="Lead with the outcome")
    # A second note on the same ask counts it once.
    note_create(owner=user, contact=other, conversation=noted, kind="general", body="And shorten it")
    step = _feedback_step(web)
    assert (step.count, step.done) == (2, True)
    html = web.get(reverse("playbook")).content.decode()
    assert f'href="{reverse("portfolio_detail", args=[piece.pk])}"' in html


def test_the_playbook_counts_in_a_bounded_number_of_queries(web, user, piece, django_assert_max_num_queries):
    profile_update(profile=user.profile, pathway="build_experience")

    def count_queries(n):
        for _ in range(n):
            contact = ContactFactory(owner=user)
            ask = conversation(user, contact, kind="case_study_feedback", portfolio_item=piece)
            note_create(owner=user, contact=contact, conversation=ask, kind="advice", body="ok")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            web.get(reverse("playbook"))
        return len(ctx.captured_queries)

    assert count_queries(3) == count_queries(27)
    assert PortfolioItem.objects.filter(owner=user).count() == 1


def test_the_piece_page_runs_as_many_queries_for_30_notes_as_for_3(web, user, piece):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for n in (3, 27):
        for _ in range(n):
            contact = ContactFactory(owner=user)
            ask = conversation(user, contact, kind="case_study_feedback", portfolio_item=piece)
            note_create(owner=user, contact=contact, conversation=ask, kind="advice", body="ok")
        with CaptureQueriesContext(connection) as queries:
            assert web.get(reverse("portfolio_detail", args=[piece.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
