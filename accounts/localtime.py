"""The user's clock: their time zone and digest hour turn dates into instants."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .dates import require_supported_range
from .models import parse_workweek, profile_setting


def user_tz(owner) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile_setting(owner, "timezone"))


def digest_hour(owner) -> int:
    return profile_setting(owner, "digest_hour")


def local_instant(day: date, hour: int, tz: zoneinfo.ZoneInfo) -> datetime:
    """`hour`:00 on `day` in `tz`, as UTC.

    In a DST gap (e.g. 02:00 on the night clocks spring forward) the wall time does not
    exist; the pre-transition offset is used, which lands one hour later on the new clock
    (03:00), so the day still gets exactly one instant.
    """
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(zoneinfo.ZoneInfo("UTC"))


def resolve_due_at(owner, value: date | datetime, field: str = "due_at") -> datetime:
    """A date alone means the user's digest hour that day; a naive datetime is their local time."""
    require_supported_range(value, field)
    tz = user_tz(owner)
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=tz)
        return value.astimezone(zoneinfo.ZoneInfo("UTC"))
    return local_instant(value, digest_hour(owner), tz)


def days_later_at_digest_hour(owner, moment: datetime, days: int) -> datetime:
    """What a follow-up planned `days` ahead of `moment` means to the user: that calendar day
    on their clock (the local date of `moment` plus `days`), at their digest hour, as UTC.

    The rule a date-only due date follows (resolve_due_at), so a nudge or reconnect comes up
    with the morning digest instead of at the minute of the click; across a DST change the
    local hour stays the same.
    """
    day = moment.astimezone(user_tz(owner)).date() + timedelta(days=days)
    return resolve_due_at(owner, day)


def local_day_bounds(owner, day: date) -> tuple[datetime, datetime]:
    """The [start, end) instants of a local calendar day (23 or 25 hours long on DST days)."""
    tz = user_tz(owner)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


def local_today(owner, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(user_tz(owner)).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def this_week_start(owner, now: datetime | None = None) -> date:
    """The Monday of the current ISO week on the user's clock."""
    return week_start(local_today(owner, now))


# Business days (issue #14's 3B7 routine). A business day is a local calendar date whose ISO
# weekday is in the user's workweek; "n business days after" a moment counts whole dates after
# the moment's local date, so a request sent on Friday evening reaches day 3 on Wednesday.


def workdays(owner) -> frozenset[int]:
    return parse_workweek(profile_setting(owner, "workweek"))


def business_days_after(day: date, count: int, days: frozenset[int]) -> date:
    """The `count`-th working date after `day` (day itself not counted)."""
    if not days:
        raise ValueError("A workweek needs at least one day.")
    whole_weeks, rest = divmod(count, len(days))
    current = day + timedelta(weeks=whole_weeks)
    if rest == 0 and whole_weeks:
        # Land on the last working date of the last whole week, not a weekend after it.
        while current.isoweekday() not in days:
            current -= timedelta(days=1)
        return current
    while rest:
        current += timedelta(days=1)
        if current.isoweekday() in days:
            rest -= 1
    return current


def business_days_between(start: date, end: date, days: frozenset[int]) -> int:
    """How many working dates lie in (start, end]; 0 when end is not after start."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * len(days)
    current = start + timedelta(weeks=whole_weeks)
    for _ in range(rest):
        current += timedelta(days=1)
        count += current.isoweekday() in days
    return count


def business_days_later_at_digest_hour(owner, moment: datetime, count: int) -> datetime:
    """The `count`-th business day after `moment`'s local date, at the user's digest hour (as UTC)."""
    day = business_days_after(moment.astimezone(user_tz(owner)).date(), count, workdays(owner))
    return resolve_due_at(owner, day)


def business_days_since(owner, moment: datetime, now: datetime | None = None) -> int:
    """Whole business days from `moment`'s local date to today's, on the user's clock."""
    tz = user_tz(owner)
    return business_days_between(moment.astimezone(tz).date(), local_today(owner, now), workdays(owner))
