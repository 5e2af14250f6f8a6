"""Pages a person enjoys using (issue #10), in real Chromium: Back after an htmx action shows
the current state, the board keeps scroll and focus on a move and fits 1280 px, and every main
page fits a 375 px phone with tap targets of at least 44 px."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.conftest import has_horizontal_scroll
from tests.browser.test_dashboard import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAIN_PAGES = [*PAGES, ("import", "/import/")]

# Every control a finger can hit, shown on the page, with its height; checkboxes count with
# their label row, and links inside a sentence are exempt (WCAG 2.5.5's inline exception).
SMALL_TARGETS_JS = """
() => {
  const small = [];
  const words = (el) => (el.textContent || "").replace(/\\s+/g, " ").trim();
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= 0 || box.bottom <= 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const row = el.closest(".field, label");
      if (row) box = row.getBoundingClientRect();
    }
    if (el.tagName === "A" && style.display === "inline" && words(el.parentElement) !== words(el)) continue;
    if (box.height < 43.5) small.push(`${el.tagName.toLowerCase()} "${words(el).slice(0, 30) || el.name || el.id}" ${Math.round(box.height)}px`);
  }
  return small;
}
"""


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


def test_back_after_completing_a_follow_up_on_today_does_not_show_it_open(demo, page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    from contacts.models import Contact
    from outreach.models import FollowUp
    from outreach.services import follow_up_create

    priya = Contact.objects.get(owner__username="demo", first_name="Priya")
    follow_up = follow_up_create(
        owner=priya.owner,
        contact=priya,
        kind="send_material",
        title="Send Priya the case study",
        due_at=timezone.now() - timedelta(hours=2),
    )
    page.set_default_timeout(30_000)  # a busy machine: the live server answers slowly
    log_in(page, "demo", "demo")
    row = page.locator(f"#follow-up-{follow_up.pk}")
    expect(row).to_be_visible()
    response = page.request.get(f"{live_server.url}/")
    assert "no-store" in response.headers["cache-control"]

    row.get_by_role("button", name="Complete: Send Priya the case study").click()  # htmx: swapped in place
    expect(row).to_have_class(re.compile("is-closed"))
    assert FollowUp.objects.get(pk=follow_up.pk).status == "done"

    page.get_by_role("link", name="Contacts", exact=True).click()
    page.wait_for_url(f"{live_server.url}/contacts/")
    page.go_back()
    page.wait_for_url(f"{live_server.url}/")
    # The page is asked for again: the follow-up is done, so Today no longer lists it open.
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page.locator(f"#follow-up-{follow_up.pk}")).to_have_count(0)
    screenshot(page, "back-after-done")
    page.go_forward()
    page.wait_for_url(f"{live_server.url}/contacts/")
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()


def test_the_board_fits_1280px_and_a_move_keeps_scroll_and_focus(demo, page, live_server, log_in, screenshot):
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)  # a busy machine: the live server answers slowly
    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/pipeline/")
    assert page.viewport_size["width"] == 1280
    board = page.locator("#board")
    assert not page.evaluate("(b) => b.scrollWidth > b.clientWidth", board.element_handle())
    for stage in ("planned", "requested", "scheduled", "held", "thanked", "declined", "no_response", "cancelled"):
        box = page.locator(f"#stage-{stage}").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, stage
        assert box["width"] >= 150 or stage in ("declined", "no_response", "cancelled"), stage
    screenshot(page, "pipeline-1280px")

    page.evaluate("window.__no_reload = true")
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(200)
    card = page.locator(".board-card", has_text="Leila Haddad")
    card.get_by_role("button", name="Declined").click()
    moved = page.locator("#stage-declined .board-card", has_text="Leila Haddad")
    expect(moved).to_be_visible()
    expect(page.locator("#board-status")).to_contain_text("moved to declined")
    assert page.evaluate("window.__no_reload") is True  # no full reload
    # No jump to the top as after a reload; the card that moved is in sight and has the focus.
    assert page.evaluate("window.scrollY") > 0
    box = moved.bounding_box()
    assert box["y"] + box["height"] > 0 and box["y"] < page.viewport_size["height"]
    assert page.evaluate(
        "document.activeElement.closest('.board-card') && document.activeElement.closest('.board-card').textContent.includes('Leila Haddad')"
    )


@pytest.mark.parametrize(("name", "path"), MAIN_PAGES)
def test_each_main_page_fits_a_375px_phone_with_44px_tap_targets(
    demo, phone_page, live_server, log_in, screenshot, name, path
):
    phone_page.set_default_timeout(30_000)  # a busy machine: the live server answers slowly
    log_in(phone_page, "demo", "demo")
    phone_page.goto(live_server.url + path)
    assert phone_page.viewport_size["width"] == 375
    assert not has_horizontal_scroll(phone_page), path
    small = phone_page.evaluate(SMALL_TARGETS_JS)
    assert small == [], f"{path}: " + "; ".join(small)
    screenshot(phone_page, f"{name}-375px")


def test_on_a_phone_the_menu_and_the_filters_fold_behind_one_button_each(demo, phone_page, live_server, log_in):
    from playwright.sync_api import expect

    phone_page.set_default_timeout(30_000)  # a busy machine: the live server answers slowly
    log_in(phone_page, "demo", "demo")
    phone_page.goto(f"{live_server.url}/contacts/")
    nav = phone_page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Pipeline")).to_be_hidden()
    header = phone_page.locator(".site-header").bounding_box()
    assert header["height"] < 80  # one compact bar
    nav.get_by_text("Menu").click()
    expect(nav.get_by_role("link", name="Pipeline")).to_be_visible()
    assert phone_page.evaluate(SMALL_TARGETS_JS) == []

    expect(phone_page.get_by_label("Company")).to_be_hidden()
    expect(phone_page.get_by_label("Search")).to_be_visible()
    phone_page.get_by_text("Filters", exact=True).click()
    expect(phone_page.get_by_label("Company")).to_be_visible()
    # No drag hint where there is no mouse to drag with.
    phone_page.goto(f"{live_server.url}/pipeline/")
    expect(phone_page.locator(".drag-hint")).to_be_hidden()


def test_on_a_desktop_the_menu_and_filters_show_without_a_click(demo, page, live_server, log_in):
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)  # a busy machine: the live server answers slowly
    log_in(page, "demo", "demo")
    page.goto(f"{live_server.url}/contacts/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Pipeline")).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_label("Company")).to_be_visible()
    page.goto(f"{live_server.url}/pipeline/")
    expect(page.locator(".drag-hint")).to_be_visible()
