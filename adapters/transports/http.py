"""Outbound HTTP delivery of partner documents.

``HttpDelivery`` POSTs a rendered document to one partner URL through one shared,
thread-safe ``httpx.Client`` (keep-alive connections, sized for a few delivery threads), and
retries briefly in process, with exponential backoff and jitter, when the failure may pass
in a moment: a connection error, a timeout, a 5xx, 408 or 429. Longer waits are not its
business: once its attempts are spent it raises ``PartnerUnavailable``, and the outbound
worker's retry policy takes over with delay queues.

    2xx                                   delivered
    connection error, timeout,
    5xx, 408, 429 (after every attempt)   PartnerUnavailable  (transient)
    any other 4xx, or a 3xx               PartnerRejected     (permanent)

Error reasons name the URL without credentials or query, and never include the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from core_records.errors import PartnerRejected, PartnerUnavailable

RETRYABLE_STATUSES = frozenset({408, 429})
"""Besides every 5xx: request timeout and too many requests."""

BACKOFF_INITIAL_S = 0.05
BACKOFF_MAX_S = 0.5
BACKOFF_JITTER_S = 0.05
"""In-process backoff, in seconds: 50 ms, then about 100 ms, 200 ms ... at most 500 ms,
each with up to 50 ms of jitter."""

REJECTION_BODY_CHARS = 200

_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class _TryAgain(Exception):
    """One attempt failed in a way that may pass; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def display_url(url: str) -> str:
    """``url`` without user information or query, fit for a log or a dashboard."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None, query=None, fragment=None))


class HttpDelivery:
    """Delivers documents to one partner URL by HTTP POST.

    ``timeout_s`` bounds each attempt's connect, write, read and pool wait, in seconds;
    ``attempts`` counts the first try too. ``headers`` go with every request (an API key, for
    instance); a delivery's own headers are added to them.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 5.0,
        attempts: int = 3,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 8,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {attempts}")
        self.url = url
        self.attempts = attempts
        self._where = display_url(url)
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            headers=dict(headers or {}),
            follow_redirects=False,
        )
        self._retrying = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential_jitter(
                multiplier=BACKOFF_INITIAL_S, max=BACKOFF_MAX_S, jitter=BACKOFF_JITTER_S
            ),
            retry=retry_if_exception_type(_TryAgain),
            reraise=True,
        )

    def deliver(
        self, body: bytes, *, content_type: str, headers: Mapping[str, str] = _NO_HEADERS
    ) -> None:
        """POST ``body``; return once the partner answered 2xx.

        Raises ``PartnerUnavailable`` when every attempt failed transiently, and
        ``PartnerRejected`` at once when the partner refused the document for good.
        """
        request_headers = httpx.Headers(dict(headers))
        request_headers["Content-Type"] = content_type
        try:
            self._retrying(self._attempt, body, request_headers)
        except _TryAgain as last:
            raise PartnerUnavailable(
                f"{self._where} did not take the delivery after {self.attempts}"
                f" attempt{'s' if self.attempts > 1 else ''}: {last.reason}"
            ) from None

    def _attempt(self, body: bytes, headers: httpx.Headers) -> None:
        try:
            response = self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as error:
            raise _TryAgain(f"timed out ({type(error).__name__})") from None
        except httpx.TransportError as error:
            raise _TryAgain(f"{type(error).__name__}: {error}") from None
        status = response.status_code
        if response.is_success:
            return
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise _TryAgain(f"the last answer was {status} {response.reason_phrase}")
        excerpt = response.text[:REJECTION_BODY_CHARS]
        raise PartnerRejected(
            f"{self._where} refused the delivery with {status} {response.reason_phrase}: {excerpt}"
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpDelivery:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
