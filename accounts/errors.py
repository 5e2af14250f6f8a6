"""The one error type for business rules.

Services raise `ApplicationError(message, field=…, code=…)`; they never know HTTP. The API
(config.api.exception_handler) and the pages (crm.forms.add_service_errors) translate it in
one place each. `code` says what kind of refusal it is; only the API maps it to a status.
"""


class ApplicationError(Exception):
    """A business rule refused the request; nothing was written. `message` is for the user."""

    INVALID = "invalid"  # the request cannot be done as asked (400)
    CONFLICT = "conflict"  # it clashes with the account's current state (409)
    TOO_LARGE = "too_large"  # the input is over a size limit (413)
    UNAVAILABLE = "unavailable"  # a service it needs is down; try again later (503)

    def __init__(self, message: str, *, field: str | None = None, code: str = INVALID, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        # More for API clients, e.g. an illegal move's current and allowed stages.
        self.extra = extra or {}
