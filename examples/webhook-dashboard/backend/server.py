"""The webhook dashboard's backend (Python standard library only): its REST API, a demo webhook
receiver, the dev sign-in, and the built frontend (../web/dist). Changes reach the dashboard
through Herald (dashboard.py, with the Herald Python SDK from sdks/python).

The browser holds one JWT, from the dashboard's URL (``/?token=…``): it authenticates the REST
calls (``Authorization: Bearer``) and the Herald connection, both signed with Herald's secret.

Environment: PORT (3000), HERALD_URL, HERALD_API_KEY, HERALD_JWT_HMAC_SECRET, HERALD_PUBLIC_URL
(the Herald URL the browser uses; default HERALD_URL), DASHBOARD_DB (SQLite file; default in
memory), DASHBOARD_DEV_LOGIN=1 (GET /dev-login?user=… signs anyone in), DASHBOARD_POLL_MS,
DASHBOARD_MIN_RECONNECT_MS, DASHBOARD_MAX_RECONNECT_MS, DASHBOARD_MAX_RECONNECT_ATTEMPTS,
DASHBOARD_HIDDEN_DISCONNECT_MS.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import mimetypes
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
# The Herald SDK from this checkout (in your app: sdks/python on PYTHONPATH, or its herald/ folder copied in).
sys.path.insert(0, str(HERE.parents[2] / "sdks" / "python"))

from herald import Herald, create_token  # noqa: E402

from dashboard import DashboardError, Publisher, Store  # noqa: E402

PORT = int(os.environ.get("PORT", "3000"))
HERALD_URL = os.environ.get("HERALD_URL", "http://127.0.0.1:8080")
SECRET = os.environ.get("HERALD_JWT_HMAC_SECRET", "")
DIST = (HERE.parent / "web" / "dist").resolve()
MAX_BODY_BYTES = 32 * 1024
USER = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
CONFIG = {
    "heraldUrl": os.environ.get("HERALD_PUBLIC_URL", HERALD_URL),
    # Polling only while not connected to Herald (never while live), and not in a hidden tab.
    "pollInterval": int(os.environ.get("DASHBOARD_POLL_MS", "10000")),
    # The seed's backoff: 1 s doubling up to 30 s, with jitter, and 10 attempts before a retry button.
    "minReconnectDelay": int(os.environ.get("DASHBOARD_MIN_RECONNECT_MS", "1000")),
    "maxReconnectDelay": int(os.environ.get("DASHBOARD_MAX_RECONNECT_MS", "30000")),
    "maxReconnectAttempts": int(os.environ.get("DASHBOARD_MAX_RECONNECT_ATTEMPTS", "10")),
    # A tab hidden this long lets go of its connection; it reconnects (and catches up) when shown.
    "hiddenDisconnectAfter": int(os.environ.get("DASHBOARD_HIDDEN_DISCONNECT_MS", "60000")),
}

log = logging.getLogger("server")
publisher = Publisher(Herald(HERALD_URL, os.environ["HERALD_API_KEY"]) if os.environ.get("HERALD_API_KEY") else None)
store = Store(os.environ.get("DASHBOARD_DB", ":memory:"), publisher)


def b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))


def verify(token: str) -> Optional[str]:
    """The ``sub`` of a valid, unexpired HS256 token signed with Herald's secret, else None."""
    try:
        header, payload, signature = token.encode().split(b".")
        if json.loads(b64url(header)).get("alg") != "HS256":
            return None
        expected = hmac.new(SECRET.encode(), header + b"." + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, b64url(signature)):
            return None
        claims = json.loads(b64url(payload))
        sub = claims.get("sub")
        return sub if isinstance(sub, str) and USER.match(sub) and claims.get("exp", 0) > time.time() else None
    except (ValueError, TypeError, AttributeError):
        return None


class Bucket:
    """A token bucket per user for writes: 20 a second, bursts of 40."""

    RATE, BURST = 20.0, 40.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state: Dict[str, list] = {}

    def take(self, key: str) -> bool:
        with self.lock:
            if len(self.state) > 10_000:
                self.state.clear()
            tokens, at = self.state.get(key, [self.BURST, time.monotonic()])
            now = time.monotonic()
            tokens = min(self.BURST, tokens + (now - at) * self.RATE)
            ok = tokens >= 1
            self.state[key] = [tokens - 1 if ok else tokens, now]
            return ok


writes = Bucket()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 15  # a silent client is dropped; handler threads are not held forever

    def log_message(self, format: str, *args: Any) -> None:  # quiet: errors only
        pass

    # ---- plumbing ---------------------------------------------------------------------------

    def unread_body(self) -> bool:
        """True when the request has a body this handler did not read: the connection cannot carry another request."""
        return not self.body_read and self.headers.get("content-length", "0") not in ("", "0")

    def send_json(self, status: int, body: Any, headers: Optional[Dict[str, str]] = None) -> None:
        raw = json.dumps(body).encode()
        if self.unread_body():
            self.close_connection = True
            headers = {**(headers or {}), "connection": "close"}
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("cache-control", "no-store")
        self.send_header("content-length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def body(self) -> Dict[str, Any]:
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            raise DashboardError(400, "a bad content-length") from None
        if length < 0 or length > MAX_BODY_BYTES:
            raise DashboardError(413, f"body over {MAX_BODY_BYTES} bytes")
        self.body_read = True
        try:
            value = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            raise DashboardError(400, "the body must be JSON") from None
        if not isinstance(value, dict):
            raise DashboardError(400, "the body must be a JSON object")
        return value

    def user(self) -> str:
        auth = self.headers.get("authorization", "")
        user = verify(auth[7:]) if auth.startswith("Bearer ") else None
        if not user:
            raise DashboardError(401, "a valid token is required (Authorization: Bearer …)")
        return user

    def route(self, method: str) -> None:
        self.body_read = False
        url = urlsplit(self.path)
        try:
            if method != "GET" and url.path.startswith("/api/") and not writes.take(self.client_address[0]):
                raise DashboardError(429, "slow down")
            self.dispatch(method, url.path, parse_qs(url.query))
        except DashboardError as error:
            self.send_json(error.status, {"error": str(error)})
        except Exception:  # noqa: BLE001 - logged, answered 500
            log.exception("%s %s", method, url.path)
            self.send_json(500, {"error": "internal error"})

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def do_DELETE(self) -> None:
        self.route("DELETE")

    # ---- routes -----------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, query: Dict[str, list]) -> None:
        if (method, path) == ("GET", "/health"):
            return self.send_json(200, {"ok": True})
        if (method, path) == ("GET", "/api/config"):
            return self.send_json(200, CONFIG)
        if (method, path) == ("GET", "/api/dashboard"):
            return self.send_json(200, store.dashboard(self.user()))
        if (method, path) == ("POST", "/api/events"):
            body = self.body()
            return self.send_json(201, store.create(self.user(), body.get("target_url"), body.get("payload", {})))
        match = re.fullmatch(r"/api/events/([A-Za-z0-9_]+)(/retry)?", path)
        if match and method == "DELETE" and not match.group(2):
            store.delete(self.user(), match.group(1))
            return self.send_json(200, {"deleted": match.group(1)})
        if match and method == "POST" and match.group(2):
            return self.send_json(200, store.retry(self.user(), match.group(1)))
        if (method, path) == ("GET", "/api/stats"):
            user = self.user()
            return self.send_json(200, {"published": [p for p in publisher.published if p["account"] == user],
                                        "publish_failures": publisher.failed, "dropped": publisher.dropped})
        match = re.fullmatch(r"/sink/(\d{3})", path)
        if match and method == "POST":
            # A webhook receiver to try deliveries against: answers the status in its path.
            self.body()
            return self.send_json(int(match.group(1)), {"received": True})
        if (method, path) == ("GET", "/dev-login") and os.environ.get("DASHBOARD_DEV_LOGIN") == "1":
            user = (query.get("user") or ["demo"])[0]
            if not USER.match(user):
                raise DashboardError(400, "user: letters, digits, _ . -")
            token = create_token(user, ttl=8 * 3600, secret=SECRET)
            self.send_response(302)
            self.send_header("location", f"/?token={token}")
            self.send_header("content-length", "0")
            self.end_headers()
            return None
        if method == "GET" and not path.startswith("/api/"):
            return self.static(path)
        raise DashboardError(404, f"no route {method} {path}")

    def static(self, path: str) -> None:
        file = (DIST / path.lstrip("/")).resolve()
        if not file.is_relative_to(DIST) or not file.is_file():
            file = DIST / "index.html"
        if not file.is_file():
            raise DashboardError(404, "the frontend is not built: examples/run webhook-dashboard builds it")
        raw = file.read_bytes()
        self.send_response(200)
        self.send_header("content-type", mimetypes.guess_type(file.name)[0] or "application/octet-stream")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


class Server(ThreadingHTTPServer):
    """One thread per connection, at most MAX_CONNECTIONS at once; more are closed at once."""

    MAX_CONNECTIONS = 64
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.slots = threading.BoundedSemaphore(self.MAX_CONNECTIONS)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    store.start_workers()
    if publisher.herald is None:
        log.warning("HERALD_API_KEY is not set: changes are not published to Herald (the page polls)")
    server = Server(("127.0.0.1", PORT), Handler)
    hint = f"; sign in at http://127.0.0.1:{PORT}/dev-login?user=demo" if os.environ.get("DASHBOARD_DEV_LOGIN") == "1" else ""
    log.info("webhook-dashboard backend on http://127.0.0.1:%d (Herald %s)%s", PORT, HERALD_URL, hint)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
