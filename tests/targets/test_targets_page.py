"""The Targets page (issue #14): LAMP ranking, coverage, next actions, inline edits, adding
targets, Today's card, and asking for an intro from it."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from contacts.models import Company, ContactEvent
from outreach.models import Conversation
from outreach.services import (
    conversation_log_held,
    conversation_reply,
    conversation_start_request,
    conversation_transition,
)
from tests.factories import CompanyFactory, ContactFactory, aware

NOW = aware(2026, 3, 2, 10)  # a Monday
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def _person(owner, first, company, **fields):
    return ContactFactory(owner=owner, first_name=first, last_name="Test", company=company, **fields)


@pytest.fixture
def world(user):
    with time_machine.travel(NOW - timedelta(days=7), tick=False):
        acme = CompanyFactory(owner=user, name="Acme", target=True, motivation=3, posting=2)
        beta = CompanyFactory(owner=user, name="Beta", target=True, motivation=3, posting=1)
        gamma = CompanyFactory(owner=user, name="Gamma", target=True, motivation=2, posting=3)
        delta = CompanyFactory(owner=user, name="Delta", target=True, motivation=2, posting=3)
        omega = CompanyFactory(owner=user, name="Omega")  # not a target, but Olga works there
        dana = _person(user, "Dana", acme, relationship="alumni")
        _person(user, "Eli", acme)
        ivy = _person(user, "Ivy", acme)
        fay = _person(user, "Fay", beta)
        _person(user, "Gus", gamma)
        hal = _person(user, "Hal", gamma)
        sam = _person(user, "Sam", omega)
        _person(user, "Olga", omega, relationship="alumni")
        conversation_start_request(owner=user, contact=dana)  # waiting for a reply
        conversation_log_held(owner=user, contact=ivy, held_at=NOW - timedelta(days=7, hours=1))
        booked = conversation_start_request(owner=user, contact=fay)
        conversation_transition(conversation=booked, to_stage="scheduled", scheduled_for=aware(2026, 3, 4, 15))
        conversation_reply(conversation=conversation_start_request(owner=user, contact=hal))
        ContactEvent.objects.create(
            owner=user, contact=sam, kind="job_change", summary="moved", previous_company="Delta", new_company="Omega"
        )
    return {"acme": acme, "beta": beta, "gamma": gamma, "delta": delta, "omega": omega, "sam": sam}


def _rows(html: str) -> list[str]:
    return re.findall(r"<h2 class=\"target-name\">(?:<span [^>]*>[^<]*</span> )?<a [^>]*>([^<]+)</a>", html)


def _row(html: str, company) -> str:
    start = html.index(f'id="target-{company.pk}"')
    return html[start : html.index("</li>\n", html.index('class="target-next"', start))]


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split()).replace(" ,", ",")


def test_targets_are_ranked_by_lamp_with_coverage_and_next_actions(web, world):
    with time_machine.travel(NOW, tick=False):
        response = web.get(reverse("targets"))
    html = response.content.decode()
    assert response.status_code == 200
    # Acme (3,2) > Beta (3,1) > Delta, Gamma (2,3, no alumni: by name); Omega is no target.
    assert _rows(html) == ["Acme", "Beta", "Delta", "Gamma"]
    acme = _text(_row(html, world["acme"]))
    assert "3 contacts (1 alumni) · 2 asks sent · 1 reply · 1 chat held" in acme
    assert "Next: Follow up with Dana" in acme
    beta = _text(_row(html, world["beta"]))
    assert "1 contact · 1 ask sent · 1 reply · 0 chats held" in beta
    assert "Next: Chat with Fay booked Wed" in beta
    gamma = _text(_row(html, world["gamma"]))
    assert "2 contacts · 1 ask sent · 1 reply · 0 chats held" in gamma
    assert "Next: Ask Gus for a chat" in gamma
    delta = _text(_row(html, world["delta"]))
    assert "0 contacts · 0 asks sent · 0 replies · 0 chats held" in delta
    assert "Next: Find an intro" in delta
    assert "Sam Test worked at Delta until 2026 (job change seen 23 Feb 2026)" in delta
    assert f'href="/contacts/{world["sam"].pk}/?intro={world["delta"].pk}#start-request"' in _row(html, world["delta"])
    assert "4 of 40 target employers" in html


def test_the_page_shows_suggestions_where_the_user_knows_people(web, world):
    html = web.get(reverse("targets")).content.decode()
    assert 'name="companies" value="%d"' % world["omega"].pk in html
    assert "Omega <span" in html and "(2 contacts, 1 alumni)" in html


def test_an_inline_edit_by_htmx_returns_the_row_and_saves(web, world):
    acme = world["acme"]
    response = web.post(
        reverse("target_edit", args=[acme.pk]),
        {"target": "on", "motivation": "1", "posting": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<li class="card target-row" id="target-{acme.pk}">')
    acme.refresh_from_db()
    assert (acme.target, acme.motivation, acme.posting) == (True, 1, 0)
    # Reloaded, Acme (1,0) is now last.
    assert _rows(web.get(reverse("targets")).content.decode()) == ["Beta", "Delta", "Gamma", "Acme"]


def test_an_inline_edit_without_js_redirects_back_and_can_untarget(web, world):
    beta = world["beta"]
    response = web.post(reverse("target_edit", args=[beta.pk]), {"motivation": "3", "posting": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("targets")
    beta.refresh_from_db()
    assert beta.target is False
    assert "Beta" not in _rows(web.get(reverse("targets")).content.decode())


def test_an_out_of_range_score_is_a_400_and_changes_nothing(web, world):
    acme = world["acme"]
    response = web.post(reverse("target_edit", args=[acme.pk]), {"target": "on", "motivation": "7", "posting": "0"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    acme.refresh_from_db()
    assert (acme.motivation, acme.posting) == (3, 2)


def _add(web, **fields):
    token = TOKEN.search(web.get(reverse("targets")).content.decode()).group(1)
    data = {f"name_{i}": "" for i in range(1, 6)} | {"form_token": token} | fields
    return web.post(reverse("targets_add"), data)


def test_adding_targets_matches_existing_companies_by_name_and_creates_new_ones(web, user, world):
    response = _add(web, name_1="  omega ", name_2="Zenith Labs", companies=[])
    assert response.status_code == 302
    assert Company.objects.get(pk=world["omega"].pk).target is True  # matched in any case, not duplicated
    assert Company.objects.get(owner=user, name="Zenith Labs").target is True
    assert Company.objects.filter(owner=user).count() == 6


def test_ticking_a_suggestion_adds_it(web, world):
    response = _add(web, companies=[str(world["omega"].pk)])
    assert response.status_code == 302
    assert Company.objects.get(pk=world["omega"].pk).target is True


def test_duplicate_or_empty_names_write_nothing(web, user, world):
    before = list(Company.objects.filter(owner=user).values_list("name", "target").order_by("name"))
    response = _add(web, name_1="Nova", name_3="NOVA")
    assert response.status_code == 400
    assert "“NOVA” is already in Company 1" in response.content.decode()
    response = _add(web)
    assert response.status_code == 400
    assert "Type at least one company name, or tick a suggestion." in response.content.decode()
    response = _add(web, name_1="Nova", name_2="acme")  # Acme is already a target
    assert response.status_code == 400
    assert "Already on your targets: Acme." in response.content.decode()
    assert list(Company.objects.filter(owner=user).values_list("name", "target").order_by("name")) == before


def test_today_links_to_targets_until_there_are_40(web, user, world):
    assert "You have <strong>4</strong> of 40 targets." in web.get(reverse("today")).content.decode()
    CompanyFactory.create_batch(36, owner=user, target=True)
    assert "of 40 targets" not in web.get(reverse("today")).content.decode()
    html = web.get(reverse("targets")).content.decode()
    assert "Add 5 more targets" not in html
    assert len(_rows(html)) == 40


def test_targets_beyond_a_page_are_paginated(web, user):
    CompanyFactory.create_batch(45, owner=user, target=True)
    assert len(_rows(web.get(reverse("targets")).content.decode())) == 40
    assert len(_rows(web.get(reverse("targets"), {"page": 2}).content.decode())) == 5


def test_the_page_runs_as_many_queries_for_30_targets_as_for_3(web, user, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert web.get(reverse("targets")).status_code == 200
        return len(captured)

    def seed(n, start):
        for i in range(start, start + n):
            company = CompanyFactory(owner=user, name=f"T{i:02d}", target=True, motivation=i % 4)
            contact = _person(user, f"P{i}", company)
            conversation_start_request(owner=user, contact=contact)

    seed(3, 0)
    few = count()
    seed(27, 3)
    assert count() == few


def test_ask_for_an_intro_opens_the_request_form_about_the_target(web, user, world):
    sam, delta = world["sam"], world["delta"]
    response = web.get(reverse("contact_detail", args=[sam.pk]), {"intro": delta.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "for an intro at <strong>Delta</strong>" in html
    assert "Delta is high on my list" in html  # {company} is the target, not Sam's Omega
    assert re.search(r'<option value="(\d+)"[^>]*selected>Warm intro request</option>', html)
    template_id = re.search(r'<option value="(\d+)"[^>]*selected>Warm intro request</option>', html).group(1)
    token = TOKEN.search(html).group(1)
    body = re.search(r'name="rq-message_body"[^>]*>([^<]*)</textarea>', html).group(1)
    response = web.post(
        reverse("contact_request", args=[sam.pk]),
        {
            "rq-template": template_id,
            "rq-kind": "",
            "rq-channel": "email",
            "rq-message_subject": "Intro?",
            "rq-message_body": body,
            "form_token": token,
        },
    )
    assert response.status_code == 302
    ask = Conversation.objects.get(owner=user, contact=sam)
    assert (ask.kind, ask.stage) == ("intro_request", "requested")
    assert "Delta is high on my list" in ask.message_body


def test_another_users_company_cannot_be_the_intro_target(web, other_user, world):
    theirs = CompanyFactory(owner=other_user, name="Secret Co")
    response = web.get(reverse("contact_detail", args=[world["sam"].pk]), {"intro": theirs.pk})
    assert response.status_code == 404


def test_a_contact_page_shows_who_introduced_whom(web, user):
    rita = _person(user, "Rita", None)
    dana = _person(user, "Dana", None, referred_by=rita)
    for name in ["Ann", "Ben", "Cat", "Dan", "Eve", "Fox", "Gil"]:
        _person(user, name, None, referred_by=rita)
    html = _text(web.get(reverse("contact_detail", args=[rita.pk])).content.decode())
    # Seven referrals plus Dana: the first five by name, then "and 3 more".
    assert "Introduced you to Ann Test, Ben Test, Cat Test, Dan Test, Dana Test and 3 more" in html
    html = _text(web.get(reverse("contact_detail", args=[dana.pk])).content.decode())
    assert "Introduced by Rita Test" in html


def test_switching_template_on_an_intro_ask_keeps_the_target_company(web, user, world):
    from outreach.models import MessageTemplate

    template = MessageTemplate.objects.get(owner=user, kind="intro_request")
    url = reverse("contact_request", args=[world["sam"].pk])
    html = web.get(
        url, {"rq-template": template.pk, "intro": world["delta"].pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Delta is high on my list" in html
    html = web.get(url, {"rq-template": template.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "Omega is high on my list" in html  # without the target, {company} is Sam's own


def test_another_users_company_cannot_be_added_as_a_target(web, other_user, world):
    theirs = CompanyFactory(owner=other_user, name="Theirs")
    ContactFactory(owner=other_user, company=theirs)
    response = _add(web, companies=[str(theirs.pk)])
    assert response.status_code == 400
    theirs.refresh_from_db()
    assert theirs.target is False


def test_another_users_target_cannot_be_edited(web, other_user):
    theirs = CompanyFactory(owner=other_user, name="Theirs", motivation=1)
    response = web.post(reverse("target_edit", args=[theirs.pk]), {"target": "on", "motivation": "3", "posting": "3"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.target, theirs.motivation) == (False, 1)


def test_a_declined_ask_counts_as_a_reply_and_a_cancelled_one_does_not(web, user):
    company = CompanyFactory(owner=user, name="Initech", target=True)
    declined = conversation_start_request(owner=user, contact=_person(user, "Ann", company))
    conversation_transition(conversation=declined, to_stage="declined")
    cancelled = conversation_start_request(owner=user, contact=_person(user, "Bob", company))
    conversation_transition(conversation=cancelled, to_stage="cancelled")
    html = web.get(reverse("targets")).content.decode()
    assert "2 contacts · 2 asks sent · 1 reply · 0 chats held" in _text(_row(html, company))
