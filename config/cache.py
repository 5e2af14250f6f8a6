"""The shared cache: throttle counts (and anything else several processes must agree on).

Every web and worker host must see the same counts, so the cache is Redis when REDIS_URL is
set and the database otherwise (settings.CACHES), never process memory. If Redis cannot be
reached, limits fail open: the request is served and a warning is logged, rather than every
throttled endpoint answering 500 while the store is down.
"""

import logging

import redis
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


# What an unreachable or overloaded server raises; anything else is a real bug and propagates.
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _warn(exc: Exception) -> None:
    logger.warning("Shared cache unreachable (%s); limits are not enforced meanwhile.", exc)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache, except that an unreachable server reads as empty and writes are dropped."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            _warn(exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            _warn(exc)
            return {}

    def set(self, *args, **kwargs):
        try:
            return super().set(*args, **kwargs)
        except UNREACHABLE as exc:
            _warn(exc)

    def add(self, *args, **kwargs):
        try:
            return super().add(*args, **kwargs)
        except UNREACHABLE as exc:
            _warn(exc)
            return False

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except UNREACHABLE as exc:
            _warn(exc)
            return False
