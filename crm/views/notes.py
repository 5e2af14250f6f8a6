"""Notes on a contact's timeline: edit in place, delete with a short Undo (htmx, or plain forms)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from crm import selectors
from crm.forms import NoteEditForm, add_service_errors
from crm.markdown import render_markdown
from crm.models import NOTE_UNDO_SECONDS
from crm.services import note_delete as delete_service
from crm.services import note_restore as restore_service
from crm.services import note_update

from .common import page_view


def _on_contact_page(note) -> str:
    return reverse("contact_detail", args=[note.contact_id]) + f"#note-{note.pk}"


def _note_fragment(request, note, *, status: int = 200, message: str = ""):
    return render(
        request,
        "crm/notes/_note.html",
        {"note": note, "html": render_markdown(note.body), "message": message},
        status=status,
    )


@page_view
def note_detail(request, pk):
    """htmx: the note as the timeline shows it (Cancel on the edit form); otherwise its place on the page."""
    note = selectors.note_get(user=request.user, pk=pk)
    if request.htmx:
        return _note_fragment(request, note)
    return redirect(_on_contact_page(note))


@page_view
def note_edit(request, pk):
    """GET: the form (in place with htmx, or as a page). POST: save it; errors stay on the form."""
    note = selectors.note_get(user=request.user, pk=pk)
    form = NoteEditForm(request.POST or None, note=note)
    if request.method == "POST" and form.is_valid():
        try:
            note_update(note=note, kind=form.cleaned_data["kind"], body=form.cleaned_data["body"])
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:
                return _note_fragment(request, note, message="Note saved.")
            messages.success(request, "Note saved.")
            return redirect(_on_contact_page(note))
    status = 400 if request.method == "POST" else 200
    template = "crm/notes/_note_form.html" if request.htmx else "crm/notes/edit.html"
    return render(request, template, {"note": note, "form": form}, status=status)


@page_view
@require_POST
def note_delete(request, pk):
    """The note disappears at once; for NOTE_UNDO_SECONDS the page offers to bring it back."""
    note = selectors.note_get(user=request.user, pk=pk)
    delete_service(note=note)
    if request.htmx:
        return render(request, "crm/notes/_note_deleted.html", {"note": note, "undo_seconds": NOTE_UNDO_SECONDS})
    # The contact's page lists the notes still in their Undo window (from the database), so
    # the Undo is there after this redirect and after a reload, in any process.
    messages.success(request, "Note deleted.")
    return redirect(reverse("contact_detail", args=[note.contact_id]) + "#timeline")


@page_view
@require_POST
def note_restore(request, pk):
    note = selectors.deleted_or_live_note_get(user=request.user, pk=pk)
    try:
        restore_service(note=note)
    except ApplicationError as exc:
        if request.htmx:
            return render(
                request,
                "crm/notes/_note_deleted.html",
                {"note": note, "error": exc.message, "undo_seconds": NOTE_UNDO_SECONDS},
                status=400,
            )
        messages.error(request, exc.message)
        return redirect(reverse("contact_detail", args=[note.contact_id]) + "#timeline")
    if request.htmx:
        return _note_fragment(request, note, message="Note restored.")
    messages.success(request, "Note restored.")
    return redirect(_on_contact_page(note))
