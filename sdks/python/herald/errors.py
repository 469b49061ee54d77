"""Errors raised by the SDK."""
from __future__ import annotations

from typing import Optional


class HeraldError(Exception):
    """The server refused a request, or it could not be completed before the retry deadline.

    ``code`` is the protocol's error code (``bad_request``, ``unauthorized``, ``not_available``, …),
    ``status`` the HTTP status; ``idempotency_key`` is the key a publish or broadcast went under, so
    a caller may publish again with it later (at most once within the server's 5-minute window).
    """

    def __init__(self, message: str, code: Optional[str] = None, status: Optional[int] = None,
                 idempotency_key: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
        self.idempotency_key = idempotency_key

    def __str__(self) -> str:
        where = f" (HTTP {self.status} {self.code})" if self.status is not None else ""
        return self.message + where


class HeraldConnectionError(HeraldError):
    """No answer came back before the retry deadline (connection refused or reset, timeouts).

    ``code`` and ``status`` are None; the network error is the ``__cause__``.
    """
