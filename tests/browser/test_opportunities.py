"""The Opportunities board (issue #14) in real Chromium: it fits 1280 px with every column,
the columns stack at 375 px with 44 px tap targets, a move swaps the board in place (htmx)
and offers the card's next legal moves; screenshots at both widths."""

import pytest
from django.urls import reverse

from crm.services import opportunity_create
from tests.browser.conftest import has_horizontal_scroll
from tests.browser.test_pages_fresh_and_phone import SMALL_TARGETS_JS
from tests.factories import ContactFactory, UserFactory, conversation

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def _seed():
    user = UserFactory(username="ada", email="ada@example.com")
    priya = ContactFactory(owner=user, first_name="Priya", last_name="Raman", company__name="Acme")
    chat = conversation(user, priya, kind="informational_interview")
    for status, title in [
        ("applying", "Product Manager, growth"),
        ("applied", "Associate PM"),
        ("interviewing", "PM, platform"),
        ("offer", "PM, search"),
        ("rejected", "Group PM"),
        ("withdrawn", "Technical PM"),
    ]:
        opportunity_create(owner=user, title=title, company=priya.company, referrer=priya, status=status)
    for i in range(14):
        opportunity_create(owner=user, title=f"Heard role {i}")
    # The newest heard card, so the bounded column shows it first.
    opportunity_create(
        owner=user, title="Senior APM, payments", company=priya.company, referrer=priya, conversation=chat
    )
    return user


def test_the_board_at_1280_and_375(browser, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    from tests.browser.conftest import DESKTOP, PHONE, _new_page

    user = _seed()
    url = live_server.url + reverse("opportunity_board")

    context, page = _new_page(browser, DESKTOP)
    try:
        log_in(page, user.username, PASSWORD)
        page.goto(url)
        columns = page.locator(".opportunity-board > .column")
        expect(columns).to_have_count(7)
        assert not has_horizontal_scroll(page)
        # Seven columns side by side: they share one row.
        tops = {round(columns.nth(i).bounding_box()["y"]) for i in range(7)}
        assert len(tops) == 1, tops
        heard = page.locator("#status-heard")
        expect(heard.locator(".board-card")).to_have_count(8)
        expect(heard.get_by_role("link", name="and 7 more →")).to_be_visible()
        # Every column fits the width: none is cut off at the right edge.
        board_right = page.locator("#board").bounding_box()
        last = columns.nth(6).bounding_box()
        assert last["x"] + last["width"] <= board_right["x"] + board_right["width"] + 1
        screenshot(page, "opportunities-1280px")
        # A move with htmx: the card lands in Applied, offering only its next moves, without a reload.
        card = page.locator(".board-card", has_text="Senior APM, payments")
        card.get_by_role("button", name="Applied: Senior APM, payments").click()
        moved = page.locator("#status-applied .board-card", has_text="Senior APM, payments")
        expect(moved).to_be_visible()
        expect(page.locator("#board-status")).to_contain_text("moved to applied")
        assert moved.locator("button[data-move]").evaluate_all("bs => bs.map(b => b.dataset.move)") == [
            "interviewing",
            "rejected",
            "withdrawn",
        ]
        assert page.js_errors == []
    finally:
        context.close()

    context, phone = _new_page(browser, PHONE, is_mobile=True, has_touch=True)
    try:
        log_in(phone, user.username, PASSWORD)
        phone.goto(url)
        assert not has_horizontal_scroll(phone)
        columns = phone.locator(".opportunity-board > .column")
        lefts = {round(columns.nth(i).bounding_box()["x"]) for i in range(7)}
        assert len(lefts) == 1, lefts  # stacked
        small = phone.evaluate(SMALL_TARGETS_JS)
        assert small == [], "; ".join(small)
        screenshot(phone, "opportunities-375px")
        assert phone.js_errors == []
    finally:
        context.close()


def test_the_request_forms_piece_shows_for_a_feedback_ask_only(page, live_server, log_in):
    from playwright.sync_api import expect

    from outreach.models import Conversation
    from outreach.services import portfolio_item_create, template_create

    user = UserFactory(username="ada", email="ada@example.com")
    priya = ContactFactory(owner=user, first_name="Priya", last_name="Raman")
    piece = portfolio_item_create(owner=user, title="Checkout redesign", kind="redesign", status="ready")
    template_create(owner=user, name="AAA coffee", kind="coffee_chat", subject="Hi", body="Hi {first_name}")
    log_in(page, user.username, PASSWORD)
    page.goto(live_server.url + reverse("contact_detail", args=[priya.pk]))
    form = page.locator("form[data-request-form]")
    piece_select = form.get_by_label("Piece to get feedback on")
    kind = form.get_by_label("Kind of ask")
    kind.select_option("coffee_chat")
    expect(piece_select).to_be_hidden()
    kind.select_option("case_study_feedback")
    expect(piece_select).to_be_visible()
    piece_select.select_option(str(piece.pk))
    form.get_by_role("button", name="I sent it — mark as requested").click()
    page.wait_for_load_state()
    ask = Conversation.objects.get(owner=user, contact=priya)
    assert (ask.kind, ask.portfolio_item_id) == ("case_study_feedback", piece.pk)
