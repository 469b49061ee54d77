"""The server API client: publish, broadcast, history, presence, channels, user control, info."""
from __future__ import annotations

import http.client
import json
import random
import secrets
import threading
import time
import urllib.parse
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple

from .errors import HeraldConnectionError, HeraldError

# Answers after which the same request may be sent again: 429 (rate limited), 503 not_available
# (nothing was done) and 504 unknown_outcome (maybe done: safe only under the same idempotency key).
_RETRYABLE_STATUS = frozenset({429, 503, 504})
# Network failures that leave the outcome unknown or nothing done; retried the same way.
_NETWORK_ERRORS = (OSError, http.client.HTTPException)
_BACKOFF_BASE = 0.05
_BACKOFF_CAP = 2.0


class Herald:
    """A client of one Herald server's API (``/api/...``), authenticated by its API key.

    Every request is retried with full-jitter backoff on network errors (connection refused or
    reset, timeouts), 429 (waiting at least its ``Retry-After``), 503 and 504, until
    ``retry_deadline`` seconds after the call began; any other error answer raises HeraldError at
    once. Publishes and broadcasts carry one idempotency key on every try, so a retry never
    publishes twice. ``timeout`` bounds each single try. One keep-alive connection is shared and
    guarded by a lock, so an instance may be used from several threads (one request at a time).
    """

    def __init__(self, url: str, api_key: str, timeout: float = 10.0, retry_deadline: float = 30.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"url must be http://host[:port] or https://host[:port], got {url!r}")
        if not api_key:
            raise ValueError("api_key is required")
        if timeout <= 0 or retry_deadline < 0:
            raise ValueError("timeout must be > 0 and retry_deadline >= 0")
        self._https = parsed.scheme == "https"
        self._host = parsed.hostname
        self._port = parsed.port or (443 if self._https else 80)
        self._base = parsed.path.rstrip("/")
        self._auth = f"apikey {api_key}"
        self.timeout = timeout
        self.retry_deadline = retry_deadline
        self._conn: Optional[http.client.HTTPConnection] = None
        self._lock = threading.Lock()

    # ---- publishing -------------------------------------------------------------------------

    def publish(self, channel: str, type: str, data: Any, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Publishes ``data`` (any JSON value) as event ``type`` in ``channel``.

        Returns ``{"offset", "epoch", "idempotency_key"}``. The key is generated when not given
        and is the same on every try.
        """
        key = idempotency_key or secrets.token_urlsafe(16)
        body = {"channel": channel, "type": type, "data": data, "idempotency_key": key}
        return self._call("POST", "/api/publish", body, key)

    def broadcast(self, channels: Iterable[str], type: str, data: Any,
                  idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """Publishes one event to several channels: ``{"results":[{"channel","offset","epoch"} or
        {"channel","error"}]}``. One idempotency key covers every channel (keys count per channel)."""
        key = idempotency_key or secrets.token_urlsafe(16)
        names = [channels] if isinstance(channels, str) else list(channels)
        body = {"channels": names, "type": type, "data": data, "idempotency_key": key}
        return self._call("POST", "/api/broadcast", body, key)

    # ---- reading ----------------------------------------------------------------------------

    def history(self, channel: str, since: Optional[int] = None, epoch: Optional[str] = None,
                limit: Optional[int] = None) -> Dict[str, Any]:
        """``{"publications":[…],"offset","epoch","recovered"}``: the latest ``limit`` (at most 100)
        publications, or with ``since`` (and ``epoch``) the first ``limit`` after that offset."""
        query = {k: v for k, v in (("since", since), ("epoch", epoch), ("limit", limit)) if v is not None}
        return self._call("GET", "/api/history/" + _segment(channel), query=query)

    def presence(self, channel: str) -> Dict[str, Any]:
        """``{"clients":[{"client","user","info"}…],"users":N}``."""
        return self._call("GET", "/api/presence/" + _segment(channel))

    def channels(self, pattern: Optional[str] = None) -> Dict[str, Any]:
        """``{"channels":[{"channel","subscribers"}…]}``, optionally only those matching ``pattern``."""
        return self._call("GET", "/api/channels", query={"pattern": pattern} if pattern else None)

    def info(self) -> Dict[str, Any]:
        """The node and the cluster: ``{"node","version","nodes":[…],…}``."""
        return self._call("GET", "/api/info")

    # ---- controlling users' connections -----------------------------------------------------

    def subscribe(self, channel: str, user: Optional[str] = None, client: Optional[str] = None) -> Dict[str, Any]:
        """Subscribes every connection of ``user`` (or the one ``client``) to ``channel``: ``{"subscribed":N}``."""
        return self._call("POST", "/api/subscribe", {**_target(user, client), "channel": channel})

    def unsubscribe(self, channel: str, user: Optional[str] = None, client: Optional[str] = None) -> Dict[str, Any]:
        """Ends ``channel`` for every connection of ``user`` (or ``client``): ``{"unsubscribed":N}``."""
        return self._call("POST", "/api/unsubscribe", {**_target(user, client), "channel": channel})

    def disconnect(self, user: Optional[str] = None, client: Optional[str] = None, reconnect: bool = False,
                   reason: Optional[str] = None) -> Dict[str, Any]:
        """Closes the connections of ``user`` (or ``client``) with 4010: ``{"disconnected":N}``.
        With ``reconnect=False`` (the default) clients must not reconnect by themselves."""
        body: Dict[str, Any] = {**_target(user, client), "reconnect": reconnect}
        if reason is not None:
            body["reason"] = reason
        return self._call("POST", "/api/disconnect", body)

    def close(self) -> None:
        """Closes the keep-alive connection (a later call opens a new one)."""
        with self._lock:
            self._drop()

    def __enter__(self) -> "Herald":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- transport --------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None,
              idempotency_key: Optional[str] = None,
              query: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        target = self._base + path
        if query:
            target += "?" + urllib.parse.urlencode(query)
        payload = None if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        deadline = time.monotonic() + self.retry_deadline
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                # a retry's try ends by the deadline (but gets at least 0.1 s to be answered)
                per_try = self.timeout if attempt == 0 else min(self.timeout, max(0.1, remaining))
                status, headers, raw = self._send(method, target, payload, per_try)
            except _NETWORK_ERRORS as e:
                wait = _jitter(attempt)
                if time.monotonic() + wait >= deadline:
                    raise HeraldConnectionError(
                        f"{method} {path}: no answer from {self._host}:{self._port} within the retry deadline"
                        f" ({self.retry_deadline:g} s, {attempt + 1} tries): {e!r}",
                        idempotency_key=idempotency_key) from e
            else:
                answer = _parse(raw)
                if 200 <= status < 300:
                    return answer if isinstance(answer, dict) else {"result": answer}
                error = _error(method, path, status, answer, idempotency_key)
                if status not in _RETRYABLE_STATUS:
                    raise error
                wait = max(_jitter(attempt), _retry_after(headers.get("Retry-After")) if status == 429 else 0.0)
                if time.monotonic() + wait >= deadline:
                    raise error
            time.sleep(wait)
            attempt += 1

    def _send(self, method: str, target: str, payload: Optional[bytes], timeout: float) -> Tuple[int, Any, bytes]:
        headers = {"Authorization": self._auth, "Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        with self._lock:
            if self._conn is None:
                cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
                self._conn = cls(self._host, self._port, timeout=timeout)
            conn = self._conn
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                conn.request(method, target, body=payload, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except BaseException:
                self._drop()
                raise
            if response.will_close:
                self._drop()
            return response.status, response.headers, raw

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


def _segment(channel: str) -> str:
    return urllib.parse.quote(channel, safe="")


def _target(user: Optional[str], client: Optional[str]) -> Dict[str, str]:
    if (user is None) == (client is None):
        raise ValueError("give exactly one of user= or client=")
    return {"user": user} if user is not None else {"client": client}  # type: ignore[dict-item]


def _jitter(attempt: int) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^attempt)]."""
    return random.uniform(0.0, min(_BACKOFF_CAP, _BACKOFF_BASE * (2 ** min(attempt, 16))))


def _retry_after(value: Optional[str]) -> float:
    try:
        return max(0.0, float(value)) if value is not None else 0.0
    except ValueError:
        return 1.0  # an HTTP date: rare from Herald; wait a second rather than parse it


def _parse(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {"raw": raw.decode("utf-8", "replace")}


def _error(method: str, path: str, status: int, answer: Any, key: Optional[str]) -> HeraldError:
    err = answer.get("error") if isinstance(answer, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    message = err.get("message") if isinstance(err, dict) else None
    if isinstance(answer, dict) and isinstance(answer.get("idempotency_key"), str):
        key = answer["idempotency_key"]
    return HeraldError(f"{method} {path}: {message or 'HTTP ' + str(status)}", code, status, key)
