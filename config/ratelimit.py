"""Per-client limits on public endpoints: 429 with ``Retry-After`` once a window is used up.

Counts live in Django's cache, which is Redis (a fixed window per client and bucket), so
every worker of every server process counts the same requests, and an attacker cannot
evict a counter by filling the cache (the private Redis never evicts; config/redisserver.py).
If Redis is away, password-checking requests are refused (503) rather than left unlimited;
the public map keeps answering, unlimited, and the outage is logged.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from geo.services.errors import error_body

from .ratelimit_rules import bucket_of

log = logging.getLogger("wangge.ratelimit")


def client_address(request: HttpRequest) -> str:
    """The client's address; behind a trusted proxy, the last hop it reports."""
    if settings.RATE_LIMIT_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return str(request.META.get("REMOTE_ADDR", "unknown"))


def refusal(request: HttpRequest, code: str, status: int, retry: int) -> HttpResponse:
    """429/503 in the request's language: a page for a browser, the error JSON otherwise.

    This middleware runs before the locale one, so the language is read here.
    """
    with translation.override(translation.get_language_from_request(request)):
        if code == "rate_limited":
            title = _("请求过于频繁")
            message = _("请求过于频繁，请 %(n)d 秒后再试。") % {"n": retry}
        else:
            title = _("暂时不可用")
            message = _("登录暂时不可用，请 %(n)d 秒后再试。") % {"n": retry}
        browser = "text/html" in request.headers.get("Accept", "") and \
            not request.path.startswith(("/api/", "/tiles/"))
        if browser:
            resp: HttpResponse = render(request, "webmap/refused.html", {
                "title": title, "message": message, "back": request.path}, status=status)
        else:
            resp = JsonResponse(error_body(code, message), status=status)
    resp["Retry-After"] = str(retry)
    return resp


class RateLimitMiddleware:
    """Refuse a client's request once it has used up its bucket's window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bucket = bucket_of(request.method or "GET", request.path)
        limit = settings.RATE_LIMITS.get(bucket) if bucket else None
        if limit is not None:
            count, window = limit
            now = time.time()
            key = f"rl:{bucket}:{client_address(request)}:{int(now // window)}"
            try:
                used = _count(key, window)
            except Exception as exc:  # the counter store is away
                log.error("rate-limit store unavailable: %s", exc)
                if bucket != "login":
                    return self.get_response(request)
                return refusal(request, "service_unavailable", 503, 30)
            if used > count:
                retry = max(1, math.ceil(window - now % window))
                return refusal(request, "rate_limited", 429, retry)
        return self.get_response(request)


def _count(key: str, window: int) -> int:
    """Add one to the window's counter and return it.

    On Redis this is one round trip (INCR and a first EXPIRE, pipelined); other cache
    backends take Django's add + incr.
    """
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        full = cache.make_and_validate_key(key)
        pipe = backend.get_client(full, write=True).pipeline(transaction=False)
        pipe.incr(full)
        pipe.expire(full, window + 1, nx=True)
        used, _ = pipe.execute()
        return int(used)
    cache.add(key, 0, timeout=window + 1)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: start the window again
        cache.set(key, 1, timeout=window + 1)
        return 1
