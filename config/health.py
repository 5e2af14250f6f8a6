"""GET /healthz: can this process reach what it needs? For load balancers and uptime checks.

200 when the database and the Celery broker answer, 503 naming the part that failed. No
login, nothing about any user, and never cached.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _database, "broker": _broker}


@never_cache
@require_safe
def healthz(request):
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure is "down"; the log has the detail
            logger.warning("Health check %s failed: %s", name, exc)
            report[name] = "unavailable"
            healthy = False
        else:
            report[name] = "ok"
    return JsonResponse({"status": "ok" if healthy else "unavailable", **report}, status=200 if healthy else 503)
