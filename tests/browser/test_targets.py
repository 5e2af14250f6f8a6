"""The Targets page in a real browser (issue #14): LAMP rows edited in place by htmx, an intro
path's "Ask for an intro", at 1280 and 375 px, with screenshots and zero axe violations."""

import pytest

from contacts.models import Company, ContactEvent
from tests.browser.conftest import has_horizontal_scroll
from tests.factories import CompanyFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def _seed():
    user = UserFactory(username="ada", email="ada@example.com")
    acme = CompanyFactory(owner=user, name="Acme Payments", target=True, motivation=3, posting=2)
    CompanyFactory(owner=user, name="Bright Health", target=True, motivation=2, posting=1)
    zeta = CompanyFactory(owner=user, name="Zeta Labs", target=True, motivation=1, posting=3)
    other = CompanyFactory(owner=user, name="Northwind")
    ContactFactory(owner=user, first_name="Dana", last_name="Diaz", company=acme, relationship="alumni")
    sam = ContactFactory(owner=user, first_name="Sam", last_name="Smith", company=other)
    ContactEvent.objects.create(
        owner=user,
        contact=sam,
        kind="job_change",
        summary="moved",
        previous_company="Zeta Labs",
        new_company="Northwind",
    )
    return user, acme, zeta, sam


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    return Axe().run(page).response["violations"]


def test_targets_page_edits_in_place_and_offers_an_intro(page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    user, acme, zeta, sam = _seed()
    log_in(page, "ada", PASSWORD)
    page.get_by_role("link", name="Targets").first.click()
    expect(page.get_by_role("heading", name="Targets", level=1)).to_be_visible()
    names = page.locator("h2.target-name > a").all_inner_texts()
    assert names == ["Acme Payments", "Bright Health", "Zeta Labs"]
    page.evaluate("window.__still_here = true")
    page.get_by_label("Posting for Acme Payments").select_option("0")
    expect(page.locator(f"#target-{acme.pk}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.wait_for_function(f"() => document.querySelector('#target-{acme.pk}-p').value === '0'")
    assert page.evaluate("window.__still_here") is True  # saved by htmx, no reload

    def saved():
        acme.refresh_from_db()
        return acme.posting

    page.wait_for_timeout(300)
    assert saved() == 0
    row = page.locator(f"#target-{zeta.pk}")
    expect(row).to_contain_text("Find an intro")
    expect(row).to_contain_text("Sam Smith worked at Zeta Labs")
    screenshot(page, "targets-desktop")
    assert _axe(page) == []
    row.get_by_role("link", name="Ask Sam for an intro").click()
    expect(page.get_by_role("heading", name="Sam Smith", level=1)).to_be_visible()
    expect(page.locator("#start-request")).to_contain_text("for an intro at Zeta Labs")
    assert "Zeta Labs is high on my list" in page.locator("textarea[name='rq-message_body']").input_value()
    assert Company.objects.get(pk=acme.pk).posting == 0


def test_targets_page_at_phone_width(phone_page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    page = phone_page
    _seed()
    log_in(page, "ada", PASSWORD)
    page.goto(f"{live_server.url}/targets/")
    expect(page.get_by_role("heading", name="Add 5 more targets")).to_be_visible()
    assert not has_horizontal_scroll(page)
    screenshot(page, "targets-phone")
    assert _axe(page) == []
    page.get_by_label("Company 1").fill("Globex")
    page.get_by_label("Company 2").fill("globex")
    page.get_by_role("button", name="Add targets").click()
    expect(page.locator("#add-targets")).to_contain_text("“globex” is already in Company 1")
    page.get_by_label("Company 2").fill("")
    page.get_by_label("Northwind").check()
    page.get_by_role("button", name="Add targets").click()
    expect(page.get_by_role("status").first).to_contain_text("Added to your targets: Globex, Northwind.")
