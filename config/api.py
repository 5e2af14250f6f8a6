"""API-wide plumbing: pagination, one error format, enum fields and filters that name their values.

The ownership chokepoint (base viewsets, related fields) is config/ownership.py: DRF's
generics module imports this module (DEFAULT_PAGINATION_CLASS), so it cannot import DRF's views.
"""

import base64
import binascii
import json

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.dates import OUT_OF_RANGE, in_supported_range
from accounts.errors import ApplicationError
from accounts.text import shown

# What each kind of business-rule refusal answers over HTTP.
APPLICATION_ERROR_STATUS = {
    ApplicationError.INVALID: status.HTTP_400_BAD_REQUEST,
    ApplicationError.CONFLICT: status.HTTP_409_CONFLICT,
    ApplicationError.TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    ApplicationError.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
}
# Seconds a client should wait before retrying when a service the request needs is down (503).
UNAVAILABLE_RETRY_AFTER = 60


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the view's filters: building
    and validating an empty filter form was about a tenth of a plain list request (#12). A
    request that names one goes the usual way (bad values are still a 400)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not set(request.query_params) & set(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorOrPagePagination(Pagination):
    """Page numbers by default; `?cursor=` (empty for the first page) walks the list instead.

    A cursor is a keyset position (#12): the values of the view's default `ordering` (which must
    end in a unique column, e.g. `id`) at the edge of the page, so no COUNT is run, each page is
    an index range scan however deep it is, and rows inserted or deleted meanwhile neither
    repeat nor skip others. As with DRF's CursorPagination the cursor is opaque, the answer
    has `next`/`previous` links and no `count`, and a cursor follows the default order only
    (`ordering=` alongside it is refused). Items are the same as with page numbers.
    """

    cursor_query_param = "cursor"
    invalid_cursor_message = "Invalid cursor."

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor = None
        if self.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        if request.query_params.get(getattr(view, "ordering_param", "ordering")):
            raise exceptions.ValidationError(
                {"ordering": ["A cursor follows the default order: leave out `ordering`."]}
            )
        self.request = request
        self.ordering = [_order_term(term) for term in view.ordering]
        position, reverse = self._decode(request.query_params[self.cursor_query_param])
        self.cursor = (position, reverse)
        self.page_size = self.get_page_size(request)
        if position is not None:
            queryset = queryset.filter(_after(self.ordering, position, reverse))
        order = [f"-{name}" if descending != reverse else name for name, descending in self.ordering]
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        self.has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
        self.page_rows = rows
        return rows

    def get_paginated_response(self, data):
        if self.cursor is None:
            return super().get_paginated_response(data)
        return Response({"next": self._link(forward=True), "previous": self._link(forward=False), "results": data})

    def _link(self, forward: bool) -> str | None:
        position, reverse = self.cursor
        rows = self.page_rows
        if forward:
            more = self.has_more if not reverse else position is not None
            edge = rows[-1] if rows else None
        else:
            more = self.has_more if reverse else position is not None
            edge = rows[0] if rows else None
        if not more or edge is None:
            return None
        values = [_value(edge, name) for name, _ in self.ordering]
        token = base64.urlsafe_b64encode(json.dumps({"p": values, "r": int(not forward)}).encode()).decode()
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, token)

    def _decode(self, encoded: str):
        if not encoded:
            return None, False
        try:
            token = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii")))
            position, reverse = token["p"], bool(token["r"])
            if not isinstance(position, list) or len(position) != len(self.ordering):
                raise ValueError
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise exceptions.NotFound(self.invalid_cursor_message) from None
        return position, reverse

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Walk the list by cursor instead of page numbers: empty for the first page, then "
                "follow `next`/`previous`. The answer has no `count`; the order is the default one.",
                "schema": {"type": "string"},
            },
        ]

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["results"]
        paginated["properties"]["count"]["description"] = "Absent when walking by `cursor`."
        return paginated


def _order_term(term: str) -> tuple[str, bool]:
    return term.lstrip("-"), term.startswith("-")


def _value(row, name: str):
    value = getattr(row, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _after(ordering, position, reverse: bool) -> Q:
    """Rows strictly past `position` in the ordering (before it when walking back).

    `a ≥ x AND (a > x OR (a = x AND (b > y OR …)))`: the leading bound lets the database start
    its index scan at the position instead of filtering from the first row.
    """
    condition = None
    for (name, descending), value in reversed(list(zip(ordering, position, strict=True))):
        past = "lt" if descending != reverse else "gt"
        strictly = Q(**{f"{name}__{past}": value})
        condition = strictly if condition is None else strictly | (Q(**{name: value}) & condition)
    (first, descending), first_value = ordering[0], position[0]
    return Q(**{f"{first}__{'lte' if descending != reverse else 'gte'}": first_value}) & condition


def exception_handler(exc, context):
    """DRF's handler, plus business-rule refusals and model validation errors.

    Services raise accounts.errors.ApplicationError (`{detail: message, …extra}` with the
    status its code maps to; a 503 adds Retry-After) and django.core.exceptions.ValidationError
    from full_clean (`{field: [messages]}`, 400). This is the only place that knows their HTTP status.
    """
    if isinstance(exc, ApplicationError):
        headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)} if exc.code == ApplicationError.UNAVAILABLE else None
        return Response(
            {"detail": exc.message, **exc.extra}, status=APPLICATION_ERROR_STATUS[exc.code], headers=headers
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, IntegrityError):
        # A constraint the services' full_clean could not see coming (e.g. two requests racing).
        return Response(
            {"detail": "This conflicts with one of your existing records (a duplicate name, e-mail or URL)."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # A bare list of messages (e.g. from a filter backend): keep one error shape, an object.
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


# --- request bodies ---------------------------------------------------------------------------


# --- choice fields that name their allowed values ------------------------------------------


def _allowed(choices) -> str:
    return ", ".join(str(key) for key in choices)


class ChoiceField(serializers.ChoiceField):
    """DRF's ChoiceField, but an invalid value is answered with the list of allowed values."""

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            raise serializers.ValidationError(
                f'"{shown(data)}" is not a valid choice. Allowed values: {_allowed(self.choices)}.',
                code="invalid_choice",
            ) from None


class ModelSerializer(serializers.ModelSerializer):
    """Project base: enums answer with their allowed values."""

    serializer_choice_field = ChoiceField


# --- filters -----------------------------------------------------------------------------------


def enum_filter(choices, **kwargs):
    """A ChoiceFilter whose error names the allowed values (and quotes the value safely)."""
    import django_filters
    from django_filters.fields import ChoiceField as FilterChoiceField

    class EnumField(FilterChoiceField):
        def validate(self, value):
            try:
                super().validate(value)
            except DjangoValidationError as exc:
                if exc.code != "invalid_choice":
                    raise
                params = {"value": shown(value)}
                raise DjangoValidationError(exc.message, code=exc.code, params=params) from None

    class EnumFilter(django_filters.ChoiceFilter):
        field_class = EnumField

    allowed = ", ".join(value for value, _ in choices)
    return EnumFilter(
        choices=choices,
        error_messages={"invalid_choice": f'"%(value)s" is not a valid choice. Allowed values: {allowed}.'},
        **kwargs,
    )


# The largest primary key any supported database can hold: a larger number is no row's id, and
# the database refuses to compare with it (SQLite answers OverflowError, a 500). Every id taken
# from a URL or a query string is checked against this one constant.
MAX_ID = 2**63 - 1


def id_filter(field_name: str, **kwargs):
    """Filter by a related id as a plain number: another user's id simply matches nothing
    (a choice filter would answer 400 and so confirm or deny that the id exists), and so does
    a number no row can have (past a 64-bit integer, which SQLite would refuse with a 500)."""
    import django_filters
    from django_filters.constants import EMPTY_VALUES

    class IdFilter(django_filters.NumberFilter):
        def get_max_validator(self):
            return None  # any number is a fair question; the answer is just "none"

        def filter(self, qs, value):
            if value in EMPTY_VALUES:
                return qs
            if value != value.to_integral_value() or not 0 < value <= MAX_ID:
                return qs.none()
            return super().filter(qs, int(value))

    return IdFilter(field_name=field_name, **kwargs)


# --- times ---------------------------------------------------------------------------------------


class UserDateTimeField(serializers.DateTimeField):
    """An ISO-8601 date-time; one without an offset is read as the requesting user's local time."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            # Judge the year as written, before a time zone moves it past datetime's limits.
            from django.utils.dateparse import parse_datetime

            try:
                written = parse_datetime(value.strip())
            except ValueError:
                written = None
            if written is not None and not in_supported_range(written):
                raise serializers.ValidationError(OUT_OF_RANGE, code="date_out_of_range")
        return super().to_internal_value(value)

    def default_timezone(self):
        from accounts.localtime import user_tz

        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            return user_tz(request.user)
        return super().default_timezone()

    def to_representation(self, value):
        # Answer in UTC like every other timestamp of the API.
        return serializers.DateTimeField(default_timezone=_utc()).to_representation(value)


def _utc():
    import zoneinfo

    return zoneinfo.ZoneInfo("UTC")


NAIVE_TIME_HELP = "ISO 8601; without a UTC offset it is read as your local time (profile time zone)."


# --- schema: documented errors ----------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `detail` holds a message for the request as a whole; invalid input instead "
        "maps each field name (or `non_field_errors`) to a list of messages. An illegal pipeline "
        "move adds `current_stage`, `requested_stage` and `allowed_stages`."
    ),
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
        "current_stage": {"type": "string"},
        "requested_stage": {"type": "string"},
        "allowed_stages": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages per field, or `detail`.",
    "401": "Not authenticated: send `Authorization: Token <key>` (or a session cookie).",
    "403": "Forbidden (e.g. a session request without its CSRF token).",
    "404": "Not found (another user's objects are not found either).",
    "429": "Too many requests: slow down and retry after `Retry-After` seconds.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the error shape the
    exception handler above produces, so clients and schemathesis know what a 4xx looks like."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_DESCRIPTIONS.items():
                responses.setdefault(code, {"description": description, "content": reference})
    return result
