"""Every page carries the Content-Security-Policy, Referrer-Policy and Permissions-Policy headers,
and no page's HTML needs the policy relaxed (no inline script, event handler or style).

tests/browser/test_csp.py checks the same pages in a real browser.
"""

import re

import pytest
from django.test import Client

from outreach.emails import ACTION_OFF_DIGEST, sign_link
from outreach.services import template_create
from tests.factories import ContactFactory, conversation

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# A JSON data block (DRF's CSRF token) is never run, so the policy does not apply to it.
INLINE_SCRIPT = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>', re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.fixture
def pages(user):
    """Every page of the site, logged out and logged in, with a row behind each detail page."""
    contact = ContactFactory(owner=user, first_name="Priya")
    chat = conversation(user, contact)
    template = template_create(owner=user, name="Ask", kind="coffee_chat", body="Hi {first_name}")
    logged_out = ["/accounts/login/", "/signup/", "/accounts/password_reset/", "/admin/login/"]
    logged_in = [
        "/",
        "/contacts/",
        f"/contacts/{contact.pk}/",
        "/contacts/new/",
        f"/contacts/{contact.pk}/edit/",
        "/pipeline/",
        f"/conversations/{chat.pk}/",
        "/follow-ups/",
        "/templates/",
        "/templates/new/",
        f"/templates/{template.pk}/edit/",
        "/import/",
        "/playbook/",
        "/settings/",
        "/api/v1/docs/",
        "/api/v1/contacts/",  # DRF's browsable API, as a browser asks for it
        f"/email/act/{sign_link(user=user, action=ACTION_OFF_DIGEST)}/",
    ]
    return logged_out, logged_in


def responses(user, pages):
    logged_out, logged_in = pages
    anonymous, member = Client(), Client()
    member.force_login(user)
    for path in logged_out:
        yield path, anonymous.get(path)
    for path in logged_in:
        yield path, member.get(path, headers={"Accept": "text/html"})


def test_every_page_carries_the_security_headers(user, pages):
    for path, response in responses(user, pages):
        assert response.status_code == 200, path
        assert directives(response["Content-Security-Policy"]) == directives(POLICY), path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=(), usb=()", path


def test_no_page_has_an_inline_script_event_handler_or_style(user, pages):
    for path, response in responses(user, pages):
        if path.startswith("/api/v1/contacts/"):
            continue  # DRF's own templates: see the README's Known limits
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], path
        assert INLINE_STYLE.findall(html) == [], path
        assert EVENT_HANDLER.findall(html) == [], path


def test_the_api_docs_load_swagger_ui_and_its_start_up_script_from_this_site(user, client):
    client.force_login(user)
    html = client.get("/api/v1/docs/", {"anything": "echoed"}).content.decode()
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert "/api/v1/docs/?script=" in sources  # the request's own query string is not echoed
    assert all(src.startswith("/") for src in sources), sources
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_an_error_page_carries_the_policy_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
    assert response["Permissions-Policy"].startswith("camera=()")
