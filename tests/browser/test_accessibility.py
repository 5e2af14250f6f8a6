"""Accessibility: axe-core (through axe-playwright-python) finds zero violations on every main page.

Each page is loaded with realistic seeded data (a contact with a company, tags, a scheduled
chat, a follow-up, a note, a touch, a New people entry, a likely duplicate) at desktop width
and at phone width, and in the dark colour scheme. One browser, one log-in per width; the pages run in a loop so a failure
lists every page's violations at once (rule id, impact, help, the offending nodes).
"""

import pytest
from django.urls import reverse

from tests.api.conftest import seed_account
from tests.browser.conftest import DESKTOP, PHONE, _new_page
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def _report(name: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{name}] {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def _pages(rows) -> dict[str, str]:
    contact, conversation = rows["contact"], rows["conversation"]
    return {
        "today": reverse("today"),
        "contacts": reverse("contact_list"),
        "contact": reverse("contact_detail", args=[contact.pk]),
        "contact edit": reverse("contact_edit", args=[contact.pk]),
        "conversation": reverse("conversation_detail", args=[conversation.pk]),
        "pipeline": reverse("pipeline"),
        "follow-ups": reverse("follow_up_list"),
        "templates": reverse("template_list"),
        "import": reverse("import"),
        "playbook": reverse("playbook"),
        "insights": reverse("insights"),
        "targets": reverse("targets"),
        "settings": reverse("settings"),
        "companies": reverse("company_list"),
        "tags": reverse("tag_list"),
        "duplicates": reverse("contact_duplicates"),
        "log an event": reverse("touch_event_create"),
        "new people": reverse("new_people"),
        # The forms and detail pages behind them.
        "contact new": reverse("contact_create"),
        "template new": reverse("template_create"),
        "template edit": reverse("template_edit", args=[rows["template"].pk]),
        "note": reverse("note_detail", args=[rows["note"].pk]),
        "note edit": reverse("note_edit", args=[rows["note"].pk]),
        "follow-up edit": reverse("follow_up_edit", args=[rows["follow_up"].pk]),
        "company rename": reverse("company_edit", args=[rows["company"].pk]),
        "company merge": reverse("company_merge", args=[rows["company"].pk]),
        "tag merge": reverse("tag_merge", args=[rows["tag"].pk]),
        "stored mail": reverse("stored_mail", args=[rows["stored_mail"].pk]),
        "delete account": reverse("account_delete"),
        "restore backup": reverse("backup_restore"),
        "change password": reverse("password_change"),
        # The question bank (#14).
        "questions": reverse("question_list"),
        "question edit": reverse("question_edit", args=[rows["question"].pk]),
        # Issue #14: the opportunities board and its forms, the portfolio pages.
        "opportunities": reverse("opportunity_board"),
        "opportunity new": reverse("opportunity_create"),
        "opportunity edit": reverse("opportunity_edit", args=[rows["opportunity"].pk]),
        "portfolio": reverse("portfolio_list"),
        "portfolio item": reverse("portfolio_detail", args=[rows["portfolio_item"].pk]),
    }


def _seed():
    from contacts.models import ContactEvent
    from contacts.services import company_create, company_update, contact_create

    user = UserFactory(username="ada", email="ada@example.com")
    rows = seed_account(user, n=3, marker="Axe")
    # A likely duplicate of the first contact, so the Duplicates page has a pair to show.
    contact = rows["contact"]
    contact_create(owner=user, first_name=contact.first_name, last_name=contact.last_name, company=contact.company)
    # Targets (issue #14): one target with contacts, one without but with an intro path.
    company_update(company=contact.company, target=True, motivation=3)
    company_create(owner=user, name="Axe Target Co", target=True, posting=2)
    ContactEvent.objects.create(
        owner=user, contact=contact, kind="job_change", summary="moved", previous_company="Axe Target Co"
    )
    # An opportunity note, so the contact page shows its "Track as opportunity" form (#14).
    from crm.services import note_create

    note_create(
        owner=user, contact=contact, conversation=rows["conversation"], kind="opportunity", body="Staff PM role"
    )
    return user, rows


def _submit(page, url: str, button: str, **fields: str) -> None:
    """Fill the form at `url` by its labels and press `button`."""
    page.goto(url)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def _axe_violations(page, name: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("networkidle")
    # The forms folded in <details> (Add a follow-up, Schedule…) are part of the page a user
    # sees once opened; axe skips hidden content, so open them all before the scan.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    results = Axe().run(page)
    violations = results.response["violations"]
    return [_report(name, violations)] if violations else []


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(DESKTOP, "light"), (PHONE, "light"), (DESKTOP, "dark")],
    ids=["desktop", "phone", "desktop-dark"],
)
def test_every_main_page_has_zero_axe_violations(browser, live_server, viewport, color_scheme):
    user, rows = _seed()
    options = {"is_mobile": True, "has_touch": True} if viewport is PHONE else {}
    # app.css has a dark palette (prefers-color-scheme): its contrast is checked too.
    context, page = _new_page(browser, viewport, color_scheme=color_scheme, **options)
    failures = []
    try:
        # Signed out: the sign-in and sign-up pages.
        for name, path in [("sign in", reverse("login")), ("sign up", reverse("signup"))]:
            page.goto(live_server.url + path)
            failures += _axe_violations(page, name)

        # A refused sign-up (the username is taken) and a refused log-in: the errors the server renders.
        signup = reverse("signup")
        _submit(
            page,
            live_server.url + signup,
            "Sign up",
            Username=user.username,
            Email="a@example.com",
            Password="a long pass phrase",
        )
        failures += _axe_violations(page, "sign up refused")
        _submit(page, live_server.url + reverse("login"), "Log in", Username="nobody", Password="wrong password")
        failures += _axe_violations(page, "sign in refused")

        _submit(page, live_server.url + reverse("login"), "Log in", Username=user.username, Password=PASSWORD)
        page.wait_for_url(f"{live_server.url}/")

        for name, path in _pages(rows).items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, (name, response.status)
            failures += _axe_violations(page, name)

        # What htmx swaps in: a search's results, and a follow-up completed on Today.
        page.goto(f"{live_server.url}{reverse('contact_list')}")
        with page.expect_response(lambda r: "q=Axe1" in r.url):
            page.get_by_label("Search").fill("Axe1")
        failures += _axe_violations(page, "contacts searched")
        page.goto(f"{live_server.url}{reverse('today')}")
        page.get_by_role("button", name="Complete: Axe send deck").first.click()
        page.get_by_text("Done: Axe send deck.").wait_for()
        failures += _axe_violations(page, "today after complete")

        # A saved form: the page it lands on, with its confirmation message.
        page.goto(f"{live_server.url}{reverse('contact_create')}")
        page.get_by_label("First name").fill("Priya")
        page.get_by_label("Last name").fill("Raman")
        page.get_by_role("button", name="Add contact").click()
        page.get_by_role("heading", name="Priya Raman").wait_for()
        failures += _axe_violations(page, "contact added")
    finally:
        context.close()
    assert page.js_errors == [], page.js_errors
    assert failures == [], "axe-core violations:\n" + "\n".join(failures)
