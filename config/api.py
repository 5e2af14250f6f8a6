"""API-wide plumbing: pagination and one error format for every endpoint."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def exception_handler(exc, context):
    """DRF's handler, plus domain errors and model validation errors as 400s.

    Services raise django.core.exceptions.ValidationError (from full_clean) and
    outreach.services.DomainError; both become `{field: [messages]}` / `{detail: message}`.
    """
    from outreach.services import DomainError, IllegalTransition

    if isinstance(exc, IllegalTransition):
        return Response(
            {
                "detail": str(exc),
                "current_stage": exc.current,
                "requested_stage": exc.requested,
                "allowed_stages": exc.allowed,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
