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

from wms.base.i18n import N_, Number, Text, _
from wms.channels.connectors.base import PlatformRefused, PlatformUnavailable

Explain = Callable[[requests.Response], str]
Sleep = Callable[[float], None]

RETRYABLE = (429, 503)
# What each answer to retry says when the waits are used up.
WAIT = {
    429: N_("%(platform)s asks to slow down (HTTP %(status)s); try again in %(seconds)s s."),
    503: N_("%(platform)s is unavailable for now (HTTP %(status)s); try again in %(seconds)s s."),
}


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
        raise PlatformRefused(
            _(
                "The %(platform)s address must be a web address such as https://…",
                platform=platform,
            )
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise PlatformRefused(
            _(
                "The %(platform)s address must start with https:// (it carries keys).",
                platform=platform,
            )
        )
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
                    _(WAIT[status], platform=self.platform, status=status, seconds=Number(wait)),
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
                _(
                    "%(platform)s did not answer within %(seconds)s s.",
                    platform=self.platform,
                    seconds=Number(self.timeout),
                )
            ) from exc
        except requests.RequestException as exc:
            raise PlatformUnavailable(
                _(
                    "%(platform)s could not be reached (%(error)s).",
                    platform=self.platform,
                    error=type(exc).__name__,
                )
            ) from exc

    def _failure(self, response: requests.Response, retry_after: float | None) -> Exception:
        status = response.status_code
        said = self.explain(response)
        if status >= 500:
            return PlatformUnavailable(self._said(HAD_AN_ERROR, status, said), retry_after)
        if status in (401, 403):
            return PlatformRefused(self._said(REFUSED_CREDENTIALS, status, said), status)
        if status == 404:
            return PlatformRefused(self._said(NO_SUCH_RECORD, status, said), status)
        if 300 <= status < 400:
            where = response.headers.get("Location", "")
            sentence = (
                _(
                    "%(platform)s sent the call to %(where)s: check the shop address.",
                    platform=self.platform,
                    where=where,
                )
                if where
                else _(
                    "%(platform)s sent the call elsewhere: check the shop address.",
                    platform=self.platform,
                )
            )
            return PlatformRefused(sentence, status)
        return PlatformRefused(self._said(REFUSED_THE_CALL, status, said), status)

    def _said(self, sentences: tuple[str, str], status: int, said: str) -> Text:
        """One failure's sentence, with what the platform said when it said something."""
        if said:
            return _(sentences[1], platform=self.platform, status=status, said=said)
        return _(sentences[0], platform=self.platform, status=status)


# Each failure as whole sentences: without and with what the platform said.
HAD_AN_ERROR = (
    N_("%(platform)s had an error (HTTP %(status)s)."),
    N_("%(platform)s had an error (HTTP %(status)s): %(said)s"),
)
REFUSED_CREDENTIALS = (
    N_("%(platform)s refused the credentials (HTTP %(status)s)."),
    N_("%(platform)s refused the credentials (HTTP %(status)s): %(said)s"),
)
NO_SUCH_RECORD = (
    N_("%(platform)s has no such record (HTTP %(status)s)."),
    N_("%(platform)s has no such record (HTTP %(status)s): %(said)s"),
)
REFUSED_THE_CALL = (
    N_("%(platform)s refused the call (HTTP %(status)s)."),
    N_("%(platform)s refused the call (HTTP %(status)s): %(said)s"),
)
