"""One contact as read from a file, checked field by field before anything is written."""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_datetime

from accounts.dates import EARLIEST_YEAR, LATEST_YEAR, in_supported_range
from contacts.linkedin import normalise_linkedin_url


@dataclass
class ContactRow:
    """Values from one row; an empty string / None means "the file says nothing", never "clear it"."""

    line: int
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    linkedin_url: str = ""
    company: str = ""
    title: str = ""
    connected_on: date | None = None
    relationship: str = ""
    source: str = ""
    tags: list[str] = field(default_factory=list)
    how_we_met: str = ""
    reconnect_every_days: int | None = None
    archived: bool | None = None
    # The referrer: their LinkedIn URL, e-mail or "First Last" (resolved after all rows are in).
    referred_by: str = ""
    last_contacted_at: datetime | None = None


@dataclass
class RowError:
    line: int
    message: str


class RowInvalid(Exception):
    pass


_LIMITS = {"first_name": 100, "last_name": 100, "title": 200, "company": 200, "email": 254, "linkedin_url": 300}


def check_lengths(row: ContactRow, labels: dict[str, str]) -> None:
    for name, limit in _LIMITS.items():
        value = getattr(row, name)
        if len(value) > limit:
            raise RowInvalid(f"{labels.get(name, name)} is longer than {limit} characters.")


def clean_email(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise RowInvalid(f"{label} “{value}” is not a valid e-mail address.") from None
    return value


def clean_linkedin_url(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        url = normalise_linkedin_url(value)
    except ValidationError as exc:
        raise RowInvalid(f"{label} “{value}” is not a LinkedIn profile URL: {exc.messages[0]}") from None
    if len(url) > 300:
        raise RowInvalid(f"{label} is longer than 300 characters.")
    return url


def clean_date(value: str, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = _parse_date(value)
    if parsed is None:
        raise RowInvalid(f"{label} “{value}” is not a date like 12 Mar 2024 or 2024-03-12.")
    return parsed


@lru_cache(maxsize=8192)
def _parse_date(value: str) -> date | None:
    # Cached: a network of 30,000 spans a few thousand distinct days, and strptime is slow.
    for fmt in ("%d %b %Y", "%Y-%m-%d", "%d %B %Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def clean_choice(value: str, choices, label: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if value not in choices.values:
        raise RowInvalid(f"{label} “{value}” is not one of {', '.join(choices.values)}.")
    return value


# The longest reconnect cadence, as in the API (ContactSerializer): ten years.
MAX_DAYS = 3650


def clean_positive_int(value: str, label: str, maximum: int = MAX_DAYS) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = int(value) if len(value) <= 20 else 0
    except ValueError:
        number = 0
    if not 1 <= number <= maximum:
        raise RowInvalid(f"{label} “{value[:30]}” is not a whole number of days from 1 to {maximum}.")
    return number


_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


def clean_bool(value: str, label: str) -> bool | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowInvalid(f"{label} “{value}” is not true or false.")


def clean_datetime(value: str, label: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise RowInvalid(f"{label} “{value}” is not a date and time with a UTC offset (ISO 8601).")
    if not in_supported_range(parsed):
        raise RowInvalid(f"{label} “{value}” is not between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")
    return parsed
