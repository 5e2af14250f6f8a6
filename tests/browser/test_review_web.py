"""Defects a new user hit in a real browser doing the morning routine: each failed before its fix."""

import io
import re

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def test_choosing_whom_to_preview_for_refreshes_the_preview(demo, page, live_server, log_in):
    # The "Preview for" select sits outside the form (form="template-form"): its change did not
    # reach the form's htmx trigger, so the preview kept showing the previous contact.
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/templates/")
    page.get_by_role("link", name="Informational interview request").click()
    expect(page.locator("#preview")).to_contain_text("To Priya Raman")
    page.get_by_label("Preview for").select_option(label="Marcus Okafor (Stripe)")
    expect(page.locator("#preview")).to_contain_text("To Marcus Okafor at Stripe")
    expect(page.locator("#preview")).to_contain_text("Hi Marcus,")


def test_a_failed_inline_action_says_so_and_leaves_the_row_alone(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.route("**/follow-ups/*/complete/", lambda route: route.fulfill(status=500, body="<h1>Server Error</h1>"))
    row = page.locator("li.follow-up").first
    title = row.locator("strong").first.inner_text()
    row.get_by_role("button", name=f"Complete: {title}").click()
    expect(page.get_by_role("alert")).to_contain_text("did not go through")
    expect(row.get_by_role("button", name=f"Complete: {title}")).to_be_visible()
    page.unroute("**/follow-ups/*/complete/")
    row.get_by_role("button", name=f"Complete: {title}").click()
    expect(row).to_contain_text(f"Done: {title}")
    expect(page.locator("#request-error")).to_have_count(0)


def test_an_inline_action_after_logging_in_again_elsewhere_is_reported_not_swapped(demo, page, live_server, log_in):
    # Logging in again rotates the CSRF token: the open Today tab's htmx POST gets a 403, whose
    # error page was swapped into the follow-up's row.
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Log out demo").click()
    log_in(other, "demo", "demo")
    other.wait_for_load_state("load")
    other.close()
    row = page.locator("li.follow-up").first
    title = row.locator("strong").first.inner_text()
    row.get_by_role("button", name=f"Complete: {title}").click()
    expect(page.get_by_role("alert")).to_contain_text("Reload the page")
    expect(page.locator("li.follow-up h1, li.follow-up main")).to_have_count(0)


def test_an_inline_action_after_the_session_ended_goes_to_log_in_and_back(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/follow-ups/")
    other = page.context.new_page()
    other.goto(f"{live_server.url}/")
    other.get_by_role("button", name="Log out demo").click()
    # Closing a tab while its log-out navigation is still loading can hang Chromium's close.
    other.wait_for_load_state("load")
    other.close()
    page.locator("li.follow-up").first.get_by_role("button", name=re.compile("^Complete")).click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/follow-ups/")
    expect(page.locator("header.site-header")).to_have_count(1)  # one page, not one inside another


def test_back_after_filtering_and_leaving_shows_the_whole_page(demo, page, live_server, log_in):
    # Back used to show the bare results fragment (the browser cached it under the pushed URL).
    from playwright.sync_api import expect

    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_label("Relationship", exact=True).select_option(label="Product Manager")
    expect(page).to_have_url(re.compile(r"relationship=product_manager"))
    page.locator(".contact-row a").first.click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    expect(page.get_by_label("Relationship", exact=True)).to_have_value("product_manager")
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)


def test_sign_up_puts_times_on_the_browsers_clock(browser, live_server):
    from django.contrib.auth import get_user_model
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", timezone_id="America/Vancouver")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/signup/")
        page.get_by_label("Username").fill("kenji")
        page.get_by_label("Email").fill("kenji@example.com")
        page.get_by_label("Password").fill("a long pass phrase")
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_text("Times are shown on your clock (America/Vancouver")).to_be_visible()
    finally:
        context.close()
    assert get_user_model().objects.get(username="kenji").profile.timezone == "America/Vancouver"
