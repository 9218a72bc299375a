"""A tiny TTL cache on top of Redis."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import redis

if TYPE_CHECKING:
    from redis.client import Redis


class Cache:
    def __init__(self, url: str, ttl: timedelta) -> None:
        self._redis: Redis = redis.Redis.from_url(url)
        self._ttl = ttl

    def get(self, key: str) -> bytes | None:
        return self._redis.get(f"weather:{key}")

    def set(self, key: str, value: str) -> None:
        self._redis.set(f"weather:{key}", value, ex=self._ttl)
