"""The question bank (#14): questions by kind of conversation (add, edit, delete, reorder), and
"Build agenda" on a conversation's page. Pages stay thin: outreach's services do the work."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.errors import ApplicationError
from accounts.selectors import MAX_ID
from config.idempotency import once_per_form_token
from contacts.selectors import contact_get
from crm.forms import QuestionForm, add_service_errors
from outreach import selectors
from outreach.checks import FIRST_CONTACT_KINDS, outreach_check
from outreach.models import ConversationKind
from outreach.selectors import conversation_get, question_get
from outreach.services import (
    conversation_build_agenda,
    question_create,
    question_delete,
    question_move,
    question_update,
)

from .common import page_view

# The list shows this many questions of each kind, then "and N more" (a link to that kind alone).
PER_KIND = 15
# One kind alone is paginated.
PAGE_SIZE = 50


def _list_page(request, form, status=200):
    kind = request.GET.get("kind", "")
    context = {"form": form, "kinds": ConversationKind.choices, "per_kind": PER_KIND}
    if kind in ConversationKind.values:
        page = Paginator(selectors.question_list(user=request.user, kind=kind), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(kind=kind, kind_label=ConversationKind(kind).label, page=page)
    else:
        context["groups"] = selectors.questions_by_kind(user=request.user, per_kind=PER_KIND)
    return render(request, "crm/questions/list.html", context, status=status)


@page_view
@once_per_form_token
def question_list(request):
    """GET: the question bank by kind. POST: add a question at the end of its kind."""
    if request.method != "POST":
        return _list_page(request, QuestionForm(initial={"kind": request.GET.get("kind") or None}))
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = question_create(owner=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Question added.")
            return redirect(f"{reverse('question_list')}#kind-{question.kind}")
    return _list_page(request, form, status=400)


@page_view
@once_per_form_token
def question_edit(request, pk):
    question = question_get(user=request.user, pk=pk)
    initial = {"kind": question.kind, "category": question.category, "text": question.text}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            question_update(question=question, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect(f"{reverse('question_list')}#kind-{question.kind}")
    return render(
        request,
        "crm/questions/edit.html",
        {"form": form, "question": question},
        status=400 if request.method == "POST" else 200,
    )


@page_view
@require_POST
def question_delete_view(request, pk):
    question = question_get(user=request.user, pk=pk)
    kind = question.kind
    question_delete(question=question)
    messages.success(request, "Question deleted.")
    return redirect(f"{reverse('question_list')}#kind-{kind}")


@page_view
@require_POST
def question_move_view(request, pk):
    """Move a question one place up or down in its kind's list."""
    question = question_get(user=request.user, pk=pk)
    question_move(question=question, up=request.POST.get("direction") != "down")
    return redirect(f"{reverse('question_list')}#question-{question.pk}")


@page_view
@require_POST
def conversation_build_agenda_view(request, pk):
    """Append the ticked questions (3 to 5), or 4 suggested ones when none is ticked, to the agenda."""
    conversation = conversation_get(user=request.user, pk=pk)
    # The ticked questions in one read (a POST holds at most DATA_UPLOAD_MAX_NUMBER_FIELDS); a
    # value that is no possible id is no question of theirs.
    ticked = request.POST.getlist("questions")
    questions = None
    if ticked:
        ids = list(dict.fromkeys(int(v) if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID else 0 for v in ticked))
        found = {q.pk: q for q in selectors.question_list(user=request.user).filter(pk__in=ids)}
        questions = [found[pk] for pk in ids if pk in found]  # in the order ticked
        if len(questions) != len(ids):
            messages.error(request, "One of the ticked questions is no longer in your question bank.")
            return redirect("conversation_detail", pk=conversation.pk)
    try:
        result = conversation_build_agenda(conversation=conversation, questions=questions)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        added = len(result["added"])
        if added:
            messages.success(request, f"Added {added} question{'s' if added != 1 else ''} to the agenda.")
        else:
            messages.info(request, "Those questions are on the agenda already.")
    return redirect(f"{reverse('conversation_detail', args=[conversation.pk])}#agenda-h")


@page_view
@require_POST
def contact_request_check(request, pk):
    """htmx: the outreach check's hints for the message being written on the request form."""
    contact = contact_get(user=request.user, pk=pk)
    kind = request.POST.get("rq-kind", "")
    if kind not in ConversationKind.values:
        template_id = request.POST.get("rq-template", "")
        template = None
        if template_id.isdigit():
            template = selectors.template_list(user=request.user).filter(pk=int(template_id)).first()
        kind = template.kind if template else ""
    findings = outreach_check(request.POST.get("rq-message_body", ""), kind=kind, contact=contact)
    return render(
        request,
        "crm/questions/_outreach_hints.html",
        {"findings": findings, "checked": kind in FIRST_CONTACT_KINDS},
    )
