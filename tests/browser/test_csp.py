"""Every page keeps to the Content-Security-Policy (config/settings.py) in a real browser, and still works.

A violation is caught twice: by a `securitypolicyviolation` listener installed before any page
script runs, and by Chromium's console message ("Refused to ... Content Security Policy").
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from contacts.models import Contact
from outreach.emails import ACTION_OFF_DIGEST, sign_link
from outreach.models import Conversation, MessageTemplate

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LISTEN_FOR_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
LOGGED_OUT = ("/accounts/login/", "/signup/", "/accounts/password_reset/", "/admin/login/")


@pytest.fixture
def demo(live_server):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def csp_page(page):
    """The desktop tab, recording CSP violations: page.csp_violations() -> the ones so far."""
    console = []
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    page.on("console", lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None)

    def violations():
        # The listener's list lives in the current document: read it before the next navigation.
        seen = page.evaluate("window.__csp || []")
        found = seen + console[:]
        console.clear()
        return found

    page.csp_violations = violations
    return page


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.csp_violations()


def test_the_logged_out_pages_keep_to_the_policy(demo, csp_page, live_server):
    demo_user = get_user_model().objects.get(username="demo")
    # The page a reminder e-mail's one-click link opens (no log-in: the signed link is the key).
    paths = [*LOGGED_OUT, f"/email/act/{sign_link(user=demo_user, action=ACTION_OFF_DIGEST)}/"]
    found = {path: visit(csp_page, live_server.url + path) for path in paths}
    assert found == dict.fromkeys(paths, [])


def test_every_page_of_the_dashboard_keeps_to_the_policy(demo, csp_page, live_server, log_in):
    log_in(csp_page, "demo", "demo")
    priya = Contact.objects.get(owner__username="demo", first_name="Priya")
    chat = Conversation.objects.filter(owner__username="demo", contact=priya).first()
    template = MessageTemplate.objects.filter(owner__username="demo").first()
    paths = [
        "/",
        "/contacts/",
        f"/contacts/{priya.pk}/",
        "/contacts/new/",
        f"/contacts/{priya.pk}/edit/",
        "/pipeline/",
        f"/conversations/{chat.pk}/",
        "/follow-ups/",
        "/templates/",
        "/templates/new/",
        f"/templates/{template.pk}/edit/",
        "/import/",
        "/playbook/",
        "/insights/",
        "/insights/?days=365",
        "/settings/",
        "/touches/new/",
        "/api/v1/docs/",
    ]
    found = {path: visit(csp_page, live_server.url + path) for path in paths}
    assert {path: v for path, v in found.items() if v} == {}


def test_the_browsable_api_loses_only_a_few_inline_styles(demo, csp_page, live_server, log_in):
    # DRF's templates carry inline style attributes (README: Known limits): cosmetic, its scripts all run.
    log_in(csp_page, "demo", "demo")
    found = visit(csp_page, f"{live_server.url}/api/v1/contacts/")
    blocked = {v.split()[0] for v in found if not v.startswith("Applying inline style")}
    assert blocked <= {"style-src-attr", "style-src-elem"}, found
    assert csp_page.get_by_role("heading", name="Contact List").is_visible()
    assert csp_page.evaluate("typeof window.jQuery") == "function"  # its scripts are files, and run


def test_search_as_you_type_still_updates_the_list(demo, csp_page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(csp_page, "demo", "demo")
    csp_page.goto(f"{live_server.url}/contacts/")
    csp_page.evaluate("window.__still_here = true")
    csp_page.get_by_label("Search").press_sequentially("figma", delay=30)
    expect(csp_page.locator("#contact-results")).to_contain_text("Aiko Tanaka")
    expect(csp_page.locator("#contact-results")).not_to_contain_text("Priya Raman")
    assert csp_page.evaluate("window.__still_here") is True
    assert csp_page.csp_violations() == []


def test_a_request_from_a_template_still_renders_on_the_contact_page(demo, csp_page, live_server, log_in):
    from playwright.sync_api import expect

    log_in(csp_page, "demo", "demo")
    priya = Contact.objects.get(owner__username="demo", first_name="Priya")
    csp_page.goto(f"{live_server.url}/contacts/{priya.pk}/")
    # htmx must be listening before the template changes (its "load" requests done).
    csp_page.wait_for_load_state("networkidle")
    csp_page.get_by_label("Template").select_option(label="Informational interview request")
    expect(csp_page.locator("#rq-body")).to_have_value(re.compile(r"^Hi Priya,[\s\S]*stood out to me"))
    assert csp_page.csp_violations() == []


def test_the_bars_on_today_are_drawn_without_style_attributes(demo, csp_page, live_server, log_in):
    log_in(csp_page, "demo", "demo")
    csp_page.wait_for_load_state("networkidle")
    widths = csp_page.locator(".funnel .bar").evaluate_all("(bars) => bars.map((b) => b.style.width)")
    assert widths[0] == "100%" and all(w.endswith("%") for w in widths)
    goal = csp_page.get_by_role("progressbar", name="Weekly request goal")
    assert goal.evaluate("(p) => p.getBoundingClientRect().height") > 0
    assert csp_page.csp_violations() == []


def test_the_api_docs_render_swagger_ui_from_our_own_files(demo, csp_page, live_server, log_in):
    from playwright.sync_api import expect

    requested = []
    csp_page.on("request", lambda request: requested.append(request.url))
    log_in(csp_page, "demo", "demo")
    csp_page.goto(f"{live_server.url}/api/v1/docs/")
    expect(csp_page.locator(".opblock-summary-path", has_text="/api/v1/contacts/").first).to_be_visible()
    expect(csp_page.locator(".opblock").first).to_be_visible()
    # Open an operation: Swagger UI's own rendering (syntax highlighting, models) keeps to the policy too.
    csp_page.locator(".opblock-summary", has_text="/api/v1/me/").first.click()
    expect(csp_page.get_by_role("button", name="Try it out").first).to_be_visible()
    csp_page.get_by_role("button", name="Try it out").first.click()
    csp_page.get_by_role("button", name="Execute").first.click()
    expect(csp_page.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    assert [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")] == []
    assert csp_page.csp_violations() == []
