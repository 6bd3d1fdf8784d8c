"""The Redis cache, or no cache at all when Redis does not answer: never an error.

An unreachable Redis (a closed port, or a host that accepts connections and never answers)
costs one short timeout (`REDIS_TIMEOUT`, connect and read), is logged once, and then the
cache is skipped for `RETRY_SECONDS` before Redis is tried again: reads miss, writes are
dropped, `incr` raises ValueError as for a missing key. Pages, the projection API and the CSV
downloads compute without the cache; rate limits do not apply while it is down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("dashboard.cache")
RETRY_SECONDS = 30.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._down_until = 0.0
        self._reported = False

    def _call(self, operation: Callable[[], Any], fallback: Any) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = operation()
        except (RedisError, OSError) as error:
            self._down_until = time.monotonic() + RETRY_SECONDS
            if not self._reported:
                self._reported = True
                logger.warning("Redis cache unreachable (%s); running without a cache.", error)
            return fallback
        if self._reported:
            self._reported = False
            logger.warning("Redis cache reachable again.")
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call(lambda: RedisCache.get(self, key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._call(lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: RedisCache.has_key(self, key, version), False)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: RedisCache.add(self, key, value, timeout, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call(lambda: RedisCache.set(self, key, value, timeout, version), None)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return self._call(lambda: RedisCache.set_many(self, data, timeout, version), list(data))

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call(lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call(lambda: RedisCache.delete(self, key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call(lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self) -> bool:
        return self._call(lambda: RedisCache.clear(self), False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = object()
        result = self._call(lambda: RedisCache.incr(self, key, delta, version), missing)
        if result is missing:
            raise ValueError(f"Key {key!r} not found (the cache is unreachable).")
        return result
