"""The span of dates Coffeechat stores.

Far enough either way for any real use, and far enough from datetime.min/max that moving a
moment to any time zone (pages, e-mails, the calendar feed) or adding a reconnect cadence to
it cannot overflow. Every way in (API, pages, imports, backups, services) checks it.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
OUT_OF_RANGE = f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}."


def in_supported_range(value) -> bool:
    """A date or date-time (in its own time zone) within [EARLIEST_YEAR, LATEST_YEAR]."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


def require_supported_range(value, field: str) -> None:
    if value is not None and not in_supported_range(value):
        raise ValidationError({field: OUT_OF_RANGE})


# (unit, seconds in it, the largest count shown in it before the next unit takes over)
_UNITS = (
    ("minute", 60, 44),
    ("hour", 3600, 21),
    ("day", 86400, 13),
    ("week", 7 * 86400, 7),
    ("month", 30.44 * 86400, 11),
    ("year", 365.25 * 86400, None),
)


def duration_words(seconds: float) -> str:
    """A duration as a person says it, in one rounded unit: "5 days", "3 months", "1 year".

    Not "2 months, 4 weeks": the nearest whole unit reads better and never overstates by more
    than half a unit.
    """
    seconds = abs(seconds)
    for unit, size, largest in _UNITS:
        count = max(1, round(seconds / size))
        if largest is None or count <= largest:
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable: the last unit has no limit")


def ago(moment, now=None) -> str:
    """`moment` relative to now, in words: "just now", "3 months ago", "in 2 days"."""
    seconds = ((now or timezone.now()) - moment).total_seconds()
    if abs(seconds) < 45:
        return "just now"
    words = duration_words(seconds)
    return f"{words} ago" if seconds > 0 else f"in {words}"
