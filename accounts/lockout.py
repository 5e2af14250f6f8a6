"""Sign-in lockout: django-axes counts failed log-ins in the database (so every process agrees);
this module adds the per-account ceiling and says how long a locked-out client must wait.

Two limits, one comparison: axes compares a failure count with AXES_FAILURE_LIMIT, so the
handler reports the larger of the (username, client address) count and the username's count
from every address scaled to that limit. One stranger's address is locked at its own limit
(attempts refused during a lockout are not counted), so it can never reach the account-wide
ceiling alone and lock the owner out of their other addresses.
"""

from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum

from config.throttling import too_many_requests

LOCKED_OUT = "Too many failed log-ins for this account."


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus LOGIN_ACCOUNT_FAILURE_LIMIT failures for a username from anywhere."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair = super().get_failures(request, credentials)
        ceiling = settings.LOGIN_ACCOUNT_FAILURE_LIMIT
        if not ceiling:  # 0: no account-wide ceiling
            return pair
        account = self._account_attempts(request, credentials).aggregate(n=Sum("failures_since_start"))["n"] or 0
        return max(pair, account * get_failure_limit(request, credentials) // ceiling)

    def unlocked_at(self, request, credentials: dict | None = None) -> datetime | None:
        """When this client may try again (None if it is not locked out): the moment enough of
        the failures behind each limit it reached have aged out."""
        cool_off = get_cool_off(request)
        limit = get_failure_limit(request, credentials)
        checks = [(attempts, limit) for attempts in self.get_user_attempts(request, credentials)]
        if settings.LOGIN_ACCOUNT_FAILURE_LIMIT:
            checks.append((self._account_attempts(request, credentials), settings.LOGIN_ACCOUNT_FAILURE_LIMIT))
        moments = [_below_limit_at(attempts, most, cool_off) for attempts, most in checks]
        return max((moment for moment in moments if moment is not None), default=None)

    @staticmethod
    def _account_attempts(request, credentials) -> QuerySet:
        username = get_client_username(request, credentials)
        if not username:
            return AccessAttempt.objects.none()
        return AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))


def _below_limit_at(attempts: QuerySet, limit: int, cool_off: timedelta) -> datetime | None:
    # A row (one address and browser) ages out LOGIN_LOCKOUT_MINUTES after its last failure.
    rows = list(attempts.order_by("attempt_time").values_list("attempt_time", "failures_since_start"))
    total = sum(failures for _, failures in rows)
    if total < limit:
        return None
    for attempt_time, failures in rows:
        total -= failures
        if total < limit:
            return attempt_time + cool_off
    return None  # unreachable: the total ends at 0


def seconds_left(request, credentials: dict | None = None) -> float:
    """Seconds until this request's client may log in as this username again (0: it may now)."""
    AxesProxyHandler.update_request(request)
    moment = AxesProxyHandler.get_implementation().unlocked_at(request, credentials)
    return 0 if moment is None else max(0.0, (moment - request.axes_attempt_time).total_seconds())


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: the web log-in's answer to a locked-out client, a 429 page with
    Retry-After. The API's token view answers with its own 429 JSON first; that answer stands."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return too_many_requests(request, seconds_left(request, credentials), message=LOCKED_OUT)
