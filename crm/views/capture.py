"""Capture without typing (issue #13): a reply recorded by hand, LinkedIn's messages.csv on the
Import page, what capture offers (accepted in one click) and the New people list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from config.api import APPLICATION_ERROR_STATUS, UNAVAILABLE_RETRY_AFTER
from config.throttling import page_throttle_wait
from contacts.models import ImportJob
from crm.markdown import sanitise_html
from outreach.capture import selectors as capture_selectors
from outreach.capture.linkedin_messages import import_messages_upload
from outreach.capture.mail import eml_upload
from outreach.capture.services import (
    capture_offer_accept,
    capture_offer_dismiss,
    correspondent_add,
    correspondent_ignore,
)
from outreach.selectors import conversation_get
from outreach.services import conversation_reply

from .common import page_view, safe_next, service_error_messages

NEW_PEOPLE_SHOWN = 50


@page_view
@require_POST
def conversation_reply_view(request, pk):
    """POST: "They replied" — the nudges stop; the user then schedules the chat or marks it declined."""
    conversation = conversation_get(user=request.user, pk=pk)
    try:
        conversation_reply(conversation=conversation)
    except (ApplicationError, ValidationError) as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"{conversation.contact.full_name} replied: no more nudges. Schedule the chat, or mark it declined.",
        )
    return redirect(safe_next(request, reverse("conversation_detail", args=[conversation.pk])))


@page_view
@require_POST
def import_messages(request):
    """The Import page's LinkedIn messages.csv form: the result, a background job, or why not."""
    context = {"result_template": "contacts/_messages_result.html"}
    status, retry_after = 200, page_throttle_wait(request, "imports")
    if retry_after is not None:
        context["error"] = "You have imported many files in a short time. Try again later."
        status = 429
    else:
        upload = request.FILES.get("file")
        dry_run = request.POST.get("dry_run") in ("on", "true", "1")
        try:
            outcome = import_messages_upload(owner=request.user, upload=upload, dry_run=dry_run)
        except ApplicationError as exc:
            context["error"] = exc.message
            status = APPLICATION_ERROR_STATUS[exc.code]
            if exc.code == ApplicationError.UNAVAILABLE:
                retry_after = UNAVAILABLE_RETRY_AFTER
        else:
            is_job = isinstance(outcome, ImportJob)
            context.update(job=outcome if is_job else None, result=None if is_job else outcome)
    # htmx swaps only 2xx answers: the outcome comes as a 200 there (as on the contacts form).
    response = render(request, "contacts/_import_outcome.html", context, status=200 if request.htmx else status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@page_view
def new_people(request):
    """People who wrote with you and are not contacts: add in one click, or ignore (remembered)."""
    people = list(capture_selectors.new_people(user=request.user)[:NEW_PEOPLE_SHOWN])
    total = capture_selectors.new_people(user=request.user).count() if len(people) == NEW_PEOPLE_SHOWN else len(people)
    return render(request, "crm/new_people.html", {"people": people, "total": total})


def _decide(request, apply, success) -> None:
    """Run the user's decision; say what happened (`success(result)`) or why not."""
    try:
        outcome = apply()
    except (ApplicationError, ValidationError) as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, success(outcome))


@page_view
@require_POST
def new_person_decide(request, pk):
    """POST action=add|ignore on one person of the New people list."""
    person = capture_selectors.correspondent_get(user=request.user, pk=pk)
    if request.POST.get("action") == "add":
        _decide(request, lambda: correspondent_add(correspondent=person), lambda c: f"{c.full_name} is now a contact.")
    else:
        _decide(
            request, lambda: correspondent_ignore(correspondent=person), lambda p: f"{p} ignored: not listed again."
        )
    return redirect(safe_next(request, reverse("new_people")))


@page_view
@require_POST
def capture_offer_decide(request, pk):
    """POST action=accept|dismiss on a suggestion from capture (looks sent, an invitation)."""
    offer = capture_selectors.capture_offer_get(user=request.user, pk=pk)
    name = offer.conversation.contact.full_name
    if request.POST.get("action") == "accept":
        _decide(
            request,
            lambda: capture_offer_accept(offer=offer),
            lambda c: f"{name}: moved to {c.get_stage_display().lower()}.",
        )
    else:
        _decide(request, lambda: capture_offer_dismiss(offer=offer), lambda o: f"Suggestion about {name} dismissed.")
    return redirect(safe_next(request, reverse("today")))


@page_view
@require_POST
def import_eml(request):
    """The Import page's .eml drop zone: each message read as if it had arrived at the mail-in address."""
    retry_after = page_throttle_wait(request, "imports")
    if retry_after is not None:
        context, status = {"error": "You have imported many files in a short time. Try again later."}, 429
    else:
        try:
            context, status = {"mails": eml_upload(owner=request.user, files=request.FILES.getlist("file"))}, 200
        except ApplicationError as exc:
            context, status = {"error": exc.message}, APPLICATION_ERROR_STATUS[exc.code]
    response = render(request, "contacts/_eml_outcome.html", context, status=200 if request.htmx else status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@page_view
def stored_mail(request, pk):
    """A captured mail as it arrived: headers, the text, and its HTML sanitised like notes."""
    mail = capture_selectors.stored_mail_get(user=request.user, pk=pk)
    return render(
        request,
        "crm/stored_mail.html",
        {"mail": mail, "html": sanitise_html(mail.html_body) if mail.html_body else None},
    )
