"""One way to call a platform over HTTP: timeouts, polite waits, and errors in domain words.

Only answers that say the call was not processed are retried here: 429 (too many
requests) and 503 (unavailable), after the ``Retry-After`` the platform gives (or
a short doubling wait), while the waits stay within ``max_wait`` seconds in all.
Anything else is raised at once: a timeout or a 500 may have changed something,
so the caller (the outbox) decides, and every connector write is safe to repeat.
``sleep`` is injected so tests record the waits instead of sleeping them.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from wms.channels.connectors.base import PlatformRefused, PlatformUnavailable

Explain = Callable[[requests.Response], str]
Sleep = Callable[[float], None]

RETRYABLE = (429, 503)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def check_base_url(url: str, platform: str) -> str:
    """The shop's base URL without a trailing slash; HTTPS unless it is this machine.

    Credentials travel in every request, so plain HTTP is accepted only on the
    loopback interface (a shop run locally, or a test's fake platform).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PlatformRefused(f"The {platform} address must be a web address such as https://…")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise PlatformRefused(f"The {platform} address must start with https:// (it carries keys).")
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HttpClient:
    """A ``requests.Session`` wrapped with the rules above, for one platform."""

    def __init__(
        self,
        session: requests.Session,
        *,
        platform: str,
        explain: Explain,
        timeout: float = 10.0,
        sleep: Sleep = time.sleep,
        max_wait: float = 30.0,
        attempts: int = 4,
        auth: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.session = session
        self.platform = platform
        self.explain = explain
        self.timeout = timeout
        self.sleep = sleep
        self.max_wait = max_wait
        self.attempts = attempts
        self.auth = auth
        self.headers = dict(headers or {})
        self.calls = 0  # requests sent, retries included

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        waited = 0.0
        for attempt in range(self.attempts):
            response = self._send(method, url, params, json_body, data, headers)
            status = response.status_code
            if 200 <= status < 300:
                return response
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if status in RETRYABLE:
                wait = retry_after if retry_after is not None else min(2.0**attempt, 8.0)
                if attempt + 1 < self.attempts and waited + wait <= self.max_wait:
                    self.sleep(wait)
                    waited += wait
                    continue
                raise PlatformUnavailable(
                    f"{self.platform} asks to slow down (HTTP {status}); try again in {wait:g} s.",
                    retry_after=wait,
                )
            raise self._failure(response, retry_after)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: bytes | str | None,
        headers: Mapping[str, str] | None,
    ) -> requests.Response:
        self.calls += 1
        try:
            return self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                data=data,
                headers={**self.headers, **(headers or {})},
                auth=self.auth,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise PlatformUnavailable(
                f"{self.platform} did not answer within {self.timeout:g} s."
            ) from exc
        except requests.RequestException as exc:
            raise PlatformUnavailable(
                f"{self.platform} could not be reached ({type(exc).__name__})."
            ) from exc

    def _failure(self, response: requests.Response, retry_after: float | None) -> Exception:
        status = response.status_code
        said = self.explain(response)
        detail = f": {said}" if said else "."
        if status >= 500:
            return PlatformUnavailable(
                f"{self.platform} had an error (HTTP {status}){detail}", retry_after
            )
        if status in (401, 403):
            return PlatformRefused(
                f"{self.platform} refused the credentials (HTTP {status}){detail}", status
            )
        if status == 404:
            return PlatformRefused(f"{self.platform} has no such record (HTTP 404){detail}", status)
        if 300 <= status < 400:
            where = response.headers.get("Location", "elsewhere")
            return PlatformRefused(
                f"{self.platform} sent the call to {where}: check the shop address.", status
            )
        return PlatformRefused(f"{self.platform} refused the call (HTTP {status}){detail}", status)
