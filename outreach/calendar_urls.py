"""/calendar/<token>.ics (no login: the long random token is the credential) and
/calendar/chat/<id>.ics (one chat's invitation, for the logged-in owner)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from .calendar import calendar_feed, chat_invitation, feed_owner
from .models import Conversation
from .selectors import conversation_get


def _ics(body: bytes, filename: str | None = None, private: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300" if private else "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def feed(request, token: str):
    owner = feed_owner(token)
    if owner is None:
        raise Http404("No such calendar.")
    return _ics(calendar_feed(owner))


@require_GET
@login_required
def chat_ics(request, pk: int):
    conversation = conversation_get(user=request.user, pk=pk)
    try:
        body = chat_invitation(conversation)
    except Conversation.DoesNotExist:
        raise Http404("This chat has no date yet.") from None
    return _ics(body, filename=f"coffee-chat-{conversation.pk}.ics")


urlpatterns = [
    path("chat/<int:pk>.ics", chat_ics, name="calendar_chat_ics"),
    path("<str:token>.ics", feed, name="calendar_feed"),
]
