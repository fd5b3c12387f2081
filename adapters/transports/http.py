"""Outbound HTTP delivery of partner documents.

``HttpDelivery`` POSTs a rendered document to one partner URL through one shared,
thread-safe urllib3 connection pool (keep-alive connections, sized for the delivery lanes;
urllib3 rather than httpx because delivery is the hub's hottest path and urllib3 spends
half the CPU per request), and
retries briefly in process, with exponential backoff and jitter, when the failure may pass
in a moment: a connection error, a timeout, a 5xx, 408 or 429. Longer waits are not its
business: once its attempts are spent it raises ``PartnerUnavailable``, and the outbound
worker's retry policy takes over with delay queues.

    2xx                                   delivered
    connection error, timeout,
    5xx, 408, 429 (after every attempt)   PartnerUnavailable  (transient)
    any other 4xx, or a 3xx               PartnerRejected     (permanent)
    a certificate that does not verify    PartnerRejected     (permanent, no retry)

Over HTTPS the partner's certificate is checked against its CA (``adapters.transports.tls``,
``GATEHOUSE_PARTNER_TLS__<PARTNER>``) and its host name, and the client certificate is
shown when configured. A certificate that does not verify is refused at once and for good:
every attempt would meet the same certificate, so retrying for the delay tiers' ten minutes
only hides the cause; it takes a change of configuration (our CA file) or of the partner's
certificate, after which the dead letters are replayed. The reason names the certificate
problem.

Error reasons name the URL without credentials or query, and never include the document.
A retry says it is one: a delivery marked ``X-Gatehouse-Delivery: first`` goes out again
marked ``redelivery`` (``adapters.transports.partner_headers``), the event id unchanged.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from types import MappingProxyType

import urllib3
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from urllib3.util import Timeout, parse_url

from adapters.transports import partner_headers
from adapters.transports.tls import PartnerTls, PartnerTlsError
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
    parsed = parse_url(url)
    return parsed._replace(auth=None, query=None, fragment=None).url


def _without_url(error: Exception) -> str:
    """urllib3 names the full URL in some errors; reasons must not carry credentials."""
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error)


class HttpDelivery:
    """Delivers documents to one partner URL by HTTP POST.

    ``timeout_s`` bounds each attempt's connect, write, read and pool wait, in seconds;
    ``attempts`` counts the first try too. ``headers`` go with every request (an API key, for
    instance); a delivery's own headers are added to them. ``tls`` names the CA that signs
    an ``https://`` partner's certificate and the client certificate to show it.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 5.0,
        attempts: int = 3,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 8,
        tls: PartnerTls | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {attempts}")
        self.url = url
        self.attempts = attempts
        self._where = display_url(url)
        self._headers = dict(headers or {})
        self._pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=max_connections,
            block=True,
            timeout=Timeout(connect=timeout_s, read=timeout_s),
            retries=False,
            ssl_context=self._ssl_context(tls),
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
        request_headers = {**self._headers, **headers, "Content-Type": content_type}
        tried = 0

        def attempt() -> None:
            nonlocal tried
            tried += 1
            if (
                tried == 2
                and request_headers.get(partner_headers.DELIVERY) == partner_headers.FIRST
            ):
                # The first attempt may have reached the partner: say so from now on.
                request_headers[partner_headers.DELIVERY] = partner_headers.REDELIVERY
            self._attempt(body, request_headers)

        try:
            self._retrying(attempt)
        except _TryAgain as last:
            raise PartnerUnavailable(
                f"{self._where} did not take the delivery after {self.attempts}"
                f" attempt{'s' if self.attempts > 1 else ''}: {last.reason}"
            ) from None

    def _attempt(self, body: bytes, headers: dict[str, str]) -> None:
        try:
            response = self._pool.request(
                "POST", self.url, body=body, headers=headers, redirect=False
            )
        except urllib3.exceptions.NewConnectionError as error:  # before TimeoutError: a subclass
            raise _TryAgain(f"could not connect: {_without_url(error)}") from None
        except urllib3.exceptions.SSLError as error:
            self._certificate_refused(error)
            raise _TryAgain(f"TLS failed: {_without_url(error)}") from None
        except urllib3.exceptions.TimeoutError as error:
            raise _TryAgain(f"timed out ({type(error).__name__})") from None
        except urllib3.exceptions.HTTPError as error:
            raise _TryAgain(f"{type(error).__name__}: {_without_url(error)}") from None
        status = response.status
        if 200 <= status < 300:
            return
        phrase = response.reason or ""
        if status >= 500 or status in RETRYABLE_STATUSES:
            raise _TryAgain(f"the last answer was {status} {phrase}".rstrip())
        excerpt = response.data[: REJECTION_BODY_CHARS * 4].decode("utf-8", "replace")
        raise PartnerRejected(
            f"{self._where} refused the delivery with {status} {phrase}: "
            f"{excerpt[:REJECTION_BODY_CHARS]}"
        )

    def _ssl_context(self, tls: PartnerTls | None) -> ssl.SSLContext | None:
        try:
            return tls.context() if tls is not None else None
        except PartnerTlsError as error:
            raise PartnerTlsError(f"TLS for {self._where}: {error}") from None

    def _certificate_refused(self, error: urllib3.exceptions.SSLError) -> None:
        """Raise ``PartnerRejected`` if ``error`` is the partner's certificate failing our
        checks (unknown CA, wrong host name, expired): not a failure that passes."""
        cause: object = error
        for _ in range(4):  # urllib3 wraps the ssl module's error, or names it as its reason
            if isinstance(cause, ssl.SSLCertVerificationError) or not isinstance(
                cause, BaseException
            ):
                break
            cause = cause.__cause__ or cause.__context__ or next(iter(cause.args[:1]), None)
        if isinstance(cause, ssl.SSLCertVerificationError):
            problem = cause.verify_message or cause.reason or str(cause)
            raise PartnerRejected(
                f"{self._where} did not get the delivery: its TLS certificate was refused "
                f"({problem}); check the partner's CA file (GATEHOUSE_PARTNER_TLS) or its "
                "certificate, then replay"
            ) from None

    def close(self) -> None:
        """Close the pooled connections."""
        self._pool.clear()

    def __enter__(self) -> HttpDelivery:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
