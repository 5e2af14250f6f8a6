"""Idempotent writes over HTTP (#10): a POST sent twice runs once.

- The API: every authenticated POST under /api/v1/ may carry an `Idempotency-Key` header.
  `IdempotentAPIMixin` is a base of every API view (config/ownership.py's viewsets and the
  plain views); it hooks in after DRF has authenticated the request (token or session), so it
  knows the user. Registration and token creation opt out (`idempotency_exempt`): they have
  no user yet. tests/api/test_idempotency.py walks the URL conf so a new POST route without
  the mixin fails.
- The dashboard: a form that renders `{% form_token %}` (crm_tags) carries a one-time token;
  its view, decorated with `once_per_form_token`, runs that POST once and answers a repeat (a
  double click, Back and resubmit) with the first submission's response.

Both keep the outcome in accounts.IdempotencyKey (accounts/idempotency.py), so every process
agrees. The request that owns the key runs inside one transaction with the stored answer: the
write and its answer commit together. A server error (5xx; for forms any error, which shows
the form again) rolls the write back and frees the key, so a retry runs again.
"""

import hashlib
import json
import logging
import re
import secrets
import sys
from functools import wraps

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.utils.html import format_html
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status

from accounts.idempotency import (
    IDEMPOTENCY_KEY_TTL,
    KeyInProgress,
    KeyReused,
    Reservation,
    idempotency_key_complete,
    idempotency_key_release,
    idempotency_key_reserve,
)
from accounts.models import IdempotencyKey, IdempotencyScope

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
# Sent on an answer that is a replay of the key's first response (Stripe's name is similar).
REPLAYED_HEADER = "Idempotent-Replayed"
# The visible ASCII characters (a UUID, a ULID, base64 all fit), up to the column's length.
VALID_KEY = re.compile(r"[\x21-\x7e]{1,%d}" % IdempotencyKey.MAX_KEY_LENGTH)
KEY_RULE = f"1 to {IdempotencyKey.MAX_KEY_LENGTH} visible ASCII characters, no spaces (a UUID is a good key)"
# The headers a replay repeats: what the body means and where it points. Cookies never.
REPLAYED_HEADERS = ("Content-Type", "Location", "Content-Disposition", "Content-Language")
HOURS = int(IDEMPOTENCY_KEY_TTL.total_seconds() // 3600)


def kept_headers(response) -> dict[str, str]:
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    # htmx's response headers (HX-Redirect, HX-Trigger, …) are part of a fragment's answer.
    headers.update({name: value for name, value in response.items() if name.lower().startswith("hx-")})
    return headers


def replay_response(row: IdempotencyKey) -> HttpResponse:
    """The stored first answer, again: same status, body and meaningful headers."""
    response = HttpResponse(bytes(row.response_body), status=row.status_code)
    for name, value in row.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class OwnedRun:
    """The request that owns a key: its write and the stored answer share one transaction."""

    def __init__(self, reservation: Reservation, *, store_below: int):
        self.reservation = reservation
        self.store_below = store_below  # statuses from here up are failures: rolled back, key freed
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def finish(self, response):
        """Store `response` as the key's answer and commit, or roll back and free the key."""
        keep = response.status_code < self.store_below and not response.streaming
        try:
            if keep:
                if callable(getattr(response, "render", None)):
                    response.render()  # DRF and template responses render lazily; store the bytes
                idempotency_key_complete(
                    reservation=self.reservation,
                    status_code=response.status_code,
                    headers=kept_headers(response),
                    body=response.content,
                )
            else:
                transaction.set_rollback(True)
        except BaseException:
            self.abort(*sys.exc_info())
            raise
        try:
            self.atomic.__exit__(None, None, None)  # the commit (or the rollback asked for above)
        except BaseException:
            self._release()  # the commit failed: nothing of the write was kept
            raise
        if not keep:
            self._release()
        return response

    def abort(self, exc_type, exc, traceback) -> None:
        """The request raised: roll its writes back and free the key."""
        try:
            self.atomic.__exit__(exc_type, exc, traceback)
        finally:
            self._release()

    def _release(self) -> None:
        try:
            idempotency_key_release(reservation=self.reservation)
        except DatabaseError:
            # The database is gone (the request failed for that reason, most likely): the key
            # stays reserved until IDEMPOTENCY_ABANDONED_SECONDS pass, then a retry runs.
            logger.warning("Could not free idempotency key %s", self.reservation.pk, exc_info=True)


# --- the API ------------------------------------------------------------------------------------


class KeyReusedError(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        f"This Idempotency-Key was already used in the last {HOURS} hours for a different request "
        "(another method, path or body). Send a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class KeyInProgressError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still in progress. Retry in a moment to get its answer."
    default_code = "idempotency_key_in_progress"
    wait = 1  # DRF's exception handler sends it as Retry-After


class _Replay(Exception):
    def __init__(self, row: IdempotencyKey):
        super().__init__()
        self.row = row


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"{upload.name}:{upload.size}:{digest.hexdigest()}"


def request_fingerprint(request) -> str:
    """SHA-256 of the method, the path with its query and the parsed body.

    The parsed body, not the bytes: a multipart upload sent again has a new boundary, and JSON
    with its keys in another order or other spacing is the same request. Files count by content.
    """
    data = request.data
    if hasattr(data, "lists"):  # a form or multipart body (a QueryDict, files included)
        body = sorted(
            (name, _file_digest(value) if isinstance(value, UploadedFile) else value)
            for name, values in data.lists()
            for value in values
        )
    else:
        body = data
    canonical = json.dumps(
        [request.method, request.get_full_path(), body], sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class IdempotentAPIMixin:
    """Honours `Idempotency-Key` on authenticated POSTs: the first request runs and its answer
    (any status below 500) is stored; the same key with the same request replays it for 24 h;
    with another request it is a 422; while the first still runs, a 409 (after a short wait)."""

    # True for endpoints without a user to own the key (registration, token creation).
    idempotency_exempt = False

    @classmethod
    def accepts_idempotency_key(cls) -> bool:
        return not cls.idempotency_exempt

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttles
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or self.idempotency_exempt or not request.user.is_authenticated:
            return
        if not VALID_KEY.fullmatch(key):
            raise serializers.ValidationError({HEADER: [f"The {HEADER} header must be {KEY_RULE}."]})
        try:
            outcome = idempotency_key_reserve(
                owner=request.user, scope=IdempotencyScope.API, key=key, request_hash=request_fingerprint(request)
            )
        except KeyReused:
            raise KeyReusedError from None
        except KeyInProgress:
            raise KeyInProgressError from None
        if isinstance(outcome, IdempotencyKey):
            raise _Replay(outcome)
        self._idempotent_run = OwnedRun(outcome, store_below=500)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return replay_response(exc.row)
        return super().handle_exception(exc)

    def dispatch(self, request, *args, **kwargs):
        self._idempotent_run = None
        try:
            response = super().dispatch(request, *args, **kwargs)
        except BaseException:
            if self._idempotent_run is not None:
                self._idempotent_run.abort(*sys.exc_info())
            raise
        if self._idempotent_run is not None:
            response = self._idempotent_run.finish(response)
        return response


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description=(
        f"Optional; {KEY_RULE}. Send a new random key with each new write and the same key when you "
        f"retry it: for {HOURS} hours the same key with the same request (method, path and body) "
        f"answers the first response again (status, body, Location; with `{REPLAYED_HEADER}: true`) "
        "and writes nothing. The same key with a different request: 422. While the first request "
        "is still running: 409 with Retry-After. A first answer of 5xx is not kept, so a retry runs again."
    ),
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the Idempotency-Key header on every POST that honours it."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        view_class = type(self.view)
        if self.method == "POST" and getattr(view_class, "accepts_idempotency_key", lambda: False)():
            parameters = [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters


def document_idempotency_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: operations taking the header document 409 and 422."""
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not any(p.get("name") == HEADER for p in operation.get("parameters", [])):
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("409", {"description": KeyInProgressError.default_detail, "content": reference})
            responses.setdefault("422", {"description": KeyReusedError.default_detail, "content": reference})
    return result


# --- the dashboard's forms ----------------------------------------------------------------------

FORM_TOKEN_FIELD = "form_token"


def once_per_form_token(view):
    """A dashboard view whose POST, carrying a one-time `form_token`, runs once for the user.

    The token is reserved before the view runs and kept with the response when the submission
    succeeded (below 400: a redirect to what it made, or an htmx fragment); a form shown again
    with errors (400) frees it. A repeat (a double click, Back and resubmit) gets the first
    answer, even with other field values: the token names one submission. A decorator, not a
    middleware: some forms also POST to other views (the template editor's live preview).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FORM_TOKEN_FIELD, "") if request.method == "POST" else ""
        if not token or not request.user.is_authenticated or not VALID_KEY.fullmatch(token):
            return view(request, *args, **kwargs)  # no (usable) token: an ordinary request
        try:
            outcome = idempotency_key_reserve(owner=request.user, scope=IdempotencyScope.FORM, key=token)
        except KeyInProgress:
            return HttpResponse(
                "This form is still being sent. Wait a moment, then reload the page.",
                status=409,
                content_type="text/plain; charset=utf-8",
                headers={"Retry-After": "1"},
            )
        if isinstance(outcome, IdempotencyKey):
            return replay_response(outcome)
        run = OwnedRun(outcome, store_below=400)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            run.abort(*sys.exc_info())
            raise
        return run.finish(response)

    return wrapper


def form_token_input() -> str:
    """The hidden field of a new one-time token (rendered by `{% form_token %}`). Nothing is
    stored until the form is sent: a page full of forms writes no row."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, secrets.token_urlsafe(24))
