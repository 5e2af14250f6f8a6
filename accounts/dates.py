"""The span of dates Coffeechat stores.

Far enough either way for any real use, and far enough from datetime.min/max that moving a
moment to any time zone (pages, e-mails, the calendar feed) or adding a reconnect cadence to
it cannot overflow. Every way in (API, pages, imports, backups, services) checks it.
"""

from django.core.exceptions import ValidationError

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
OUT_OF_RANGE = f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."


def in_supported_range(value) -> bool:
    """A date or date-time (in its own time zone) within [EARLIEST_YEAR, LATEST_YEAR]."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def require_supported_range(value, field: str) -> None:
    if value is not None and not in_supported_range(value):
        raise ValidationError({field: OUT_OF_RANGE})
