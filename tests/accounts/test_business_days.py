"""Business-day arithmetic for the 3B7 routine (issue #14), against dates counted by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.localtime import (
    business_days_after,
    business_days_between,
    business_days_later_at_digest_hour,
    business_days_since,
)
from accounts.models import DEFAULT_WORKWEEK, parse_workweek, validate_workweek

MON_FRI = parse_workweek(DEFAULT_WORKWEEK)
SUN_THU = parse_workweek("sun,mon,tue,wed,thu")
UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    "start, count, expected",
    [
        (date(2026, 12, 4), 3, date(2026, 12, 9)),  # Friday + 3 → Wednesday (weekend skipped)
        (date(2026, 12, 5), 3, date(2026, 12, 9)),  # Saturday + 3 → Wednesday
        (date(2026, 12, 7), 3, date(2026, 12, 10)),  # Monday + 3 → Thursday
        (date(2026, 12, 4), 7, date(2026, 12, 15)),  # Friday + 7 → Tuesday week after
        (date(2026, 12, 7), 5, date(2026, 12, 14)),  # Monday + 5 → next Monday
        (date(2026, 12, 6), 5, date(2026, 12, 11)),  # Sunday + 5 → Friday
        (date(2026, 12, 4), 0, date(2026, 12, 4)),
    ],
)
def test_business_days_after_skips_the_weekend(start, count, expected):
    assert business_days_after(start, count, MON_FRI) == expected


def test_a_custom_workweek_counts_its_own_days():
    # Sun–Thu: Thursday + 3 → Sun, Mon, Tue.
    assert business_days_after(date(2026, 12, 3), 3, SUN_THU) == date(2026, 12, 8)
    # Friday and Saturday are the weekend: Friday 4 Dec → Sunday 6 is day 1.
    assert business_days_after(date(2026, 12, 4), 1, SUN_THU) == date(2026, 12, 6)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2026, 12, 4), date(2026, 12, 9), 3),  # Fri → Wed
        (date(2026, 12, 4), date(2026, 12, 6), 0),  # Fri → Sun
        (date(2026, 12, 4), date(2026, 12, 4), 0),
        (date(2026, 12, 9), date(2026, 12, 4), 0),
        (date(2026, 12, 1), date(2026, 12, 22), 15),  # three whole weeks
    ],
)
def test_business_days_between(start, end, expected):
    assert business_days_between(start, end, MON_FRI) == expected


@pytest.mark.django_db
def test_due_at_lands_on_the_digest_hour_across_a_dst_change(user):
    # Toronto leaves DST on Sunday 1 Nov 2026. A request on Thursday 29 Oct at 17:00 local
    # (21:00 UTC, EDT): 3 business days later is Tuesday 3 Nov, at 08:00 EST = 13:00 UTC.
    user.profile.timezone = "America/Toronto"
    user.profile.save()
    moment = datetime(2026, 10, 29, 21, 0, tzinfo=UTC)
    assert business_days_later_at_digest_hour(user, moment, 3) == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_local_date_decides_the_first_day(user):
    # 23:30 UTC on Friday is already Saturday in Tokyo: Mon, Tue, Wed → Wednesday 9 Dec, 08:00 JST.
    user.profile.timezone = "Asia/Tokyo"
    user.profile.save()
    moment = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert business_days_later_at_digest_hour(user, moment, 3) == datetime(2026, 12, 8, 23, 0, tzinfo=UTC)
    now = datetime(2026, 12, 9, 1, 0, tzinfo=UTC)  # Wednesday 10:00 in Tokyo
    assert business_days_since(user, moment, now) == 3


@pytest.mark.parametrize("value", ["", "mon,mon", "monday", "mon,,tue"])
def test_bad_workweeks_are_refused(value):
    with pytest.raises(Exception) as error:
        validate_workweek(value)
    assert error.type.__name__ == "ValidationError"
