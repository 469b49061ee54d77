"""The webhook-delivery service behind the dashboard: events stored in SQLite, delivered to their
target URLs by a small worker pool, and every change told to the account's dashboard through
Herald (the seed's API Gateway WebSocket and its hand-written broadcast code are gone).

Each account has a change counter, ``seq``: every change bumps it, is written with it, and is
published with it, so the page can tell a stale REST answer from a newer event and a missed
event from a repeated one.
"""
from __future__ import annotations

import json
import logging
import queue
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Tuple

from herald import Herald, HeraldError

log = logging.getLogger("dashboard")

MAX_PAYLOAD_BYTES = 16 * 1024
MAX_URL_CHARS = 2048
DELIVERY_TIMEOUT_S = 5.0
MAX_RESPONSE_BYTES = 64 * 1024
DELIVERY_ATTEMPTS = 2
DELIVERY_WORKERS = 4
MAX_QUEUED = 1000
EVENTS_SHOWN = 50

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    target_url TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    delivery_latency_ms INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_account ON events (account, id);
CREATE TABLE IF NOT EXISTS accounts (account TEXT PRIMARY KEY, seq INTEGER NOT NULL);
"""


class DashboardError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"


def channel_of(account: str) -> str:
    """The account's dashboard channel, user-limited to it: only a token with sub=account may subscribe."""
    return f"dashboard#{account}"


class Publisher:
    """Publishes the accounts' changes to Herald in the order they were made, from one thread.

    A write enqueues its events while it holds the store's lock, so the queue is in ``seq``
    order. Each publish is retried by the SDK while Herald is away (same idempotency key, up to
    its retry deadline); one that still fails is logged and dropped: the page then notices the
    gap (a new epoch, or a jump in ``seq``) and refetches.
    """

    def __init__(self, herald: Optional[Herald]) -> None:
        self.herald = herald
        self.queue: "queue.Queue[Tuple[str, str, Dict[str, Any]]]" = queue.Queue(maxsize=10_000)
        self.published: List[Dict[str, Any]] = []
        self.failed = 0
        self.dropped = 0
        threading.Thread(target=self._run, name="herald-publisher", daemon=True).start()

    def send(self, account: str, type: str, data: Dict[str, Any]) -> None:
        try:
            self.queue.put_nowait((account, type, data))
        except queue.Full:
            self.dropped += 1
            log.warning("publish queue full: %s seq %s dropped (the page refetches on the gap)", type, data.get("seq"))

    def _run(self) -> None:
        while True:
            account, type, data = self.queue.get()
            if self.herald is None:
                continue
            try:
                result = self.herald.publish(channel_of(account), type, data, idempotency_key=f"{account}-{data['seq']}")
                self.published.append({"account": account, "seq": data["seq"], "type": type, "offset": result["offset"], "epoch": result["epoch"]})
                del self.published[:-5000]
            except HeraldError as error:
                self.failed += 1
                log.warning("publish of %s seq %s failed: %s", type, data["seq"], error)


class Store:
    """The events of every account, in SQLite, behind one lock (one writer at a time)."""

    def __init__(self, path: str, publisher: Publisher) -> None:
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()
        self.publisher = publisher
        self.deliveries: "queue.Queue[int]" = queue.Queue(maxsize=MAX_QUEUED)

    # ---- reads ------------------------------------------------------------------------------

    def _seq(self, account: str) -> int:
        row = self.db.execute("SELECT seq FROM accounts WHERE account = ?", (account,)).fetchone()
        return row["seq"] if row else 0

    def _metrics(self, account: str) -> Dict[str, int]:
        row = self.db.execute(
            "SELECT count(*) AS total, sum(status = 'pending') AS pending, sum(status = 'delivered') AS delivered,"
            " sum(status = 'failed') AS failed FROM events WHERE account = ?", (account,)).fetchone()
        return {"total_events": row["total"], "pending_events": row["pending"] or 0,
                "delivered_events": row["delivered"] or 0, "failed_events": row["failed"] or 0}

    @staticmethod
    def _event(row: sqlite3.Row) -> Dict[str, Any]:
        return {"id": f"evt_{row['id']}", "target_url": row["target_url"], "status": row["status"],
                "attempts": row["attempts"], "response_status": row["response_status"],
                "delivery_latency_ms": row["delivery_latency_ms"], "created_at": row["created_at"], "updated_at": row["updated_at"]}

    def dashboard(self, account: str) -> Dict[str, Any]:
        """What the page loads: metrics, the latest events and the seq they are current at."""
        with self.lock:
            rows = self.db.execute("SELECT * FROM events WHERE account = ? ORDER BY id DESC LIMIT ?", (account, EVENTS_SHOWN)).fetchall()
            return {"seq": self._seq(account), "channel": channel_of(account), "metrics": self._metrics(account),
                    "events": [self._event(r) for r in rows]}

    # ---- writes: each bumps seq, and publishes the change and the new metrics -----------------

    def _changed(self, account: str, type: str, data: Dict[str, Any]) -> None:
        """Called with the lock held, inside the write's transaction."""
        seq = self._seq(account)
        self.db.execute("INSERT INTO accounts (account, seq) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET seq = ?",
                        (account, seq + 2, seq + 2))
        self.publisher.send(account, type, {"seq": seq + 1, **data})
        self.publisher.send(account, "metrics_update", {"seq": seq + 2, "metrics": self._metrics(account)})

    def create(self, account: str, target_url: str, payload: Any) -> Dict[str, Any]:
        check_target(target_url)
        body = json.dumps(payload)
        if len(body.encode()) > MAX_PAYLOAD_BYTES:
            raise DashboardError(413, f"payload over {MAX_PAYLOAD_BYTES} bytes")
        with self.lock:
            if self.deliveries.full():
                raise DashboardError(429, "too many deliveries waiting; try again shortly")
            stamp = now_iso()
            self.db.execute("BEGIN")
            cursor = self.db.execute(
                "INSERT INTO events (account, target_url, payload, status, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                (account, target_url, body, stamp, stamp))
            event = self._event(self.db.execute("SELECT * FROM events WHERE id = ?", (cursor.lastrowid,)).fetchone())
            self._changed(account, "event_created", {"event": event})
            self.db.execute("COMMIT")
            self.deliveries.put_nowait(int(cursor.lastrowid))
        return event

    def delete(self, account: str, event_id: str) -> None:
        with self.lock:
            self.db.execute("BEGIN")
            deleted = self.db.execute("DELETE FROM events WHERE id = ? AND account = ?", (parse_id(event_id), account)).rowcount
            if deleted:
                self._changed(account, "event_deleted", {"id": event_id})
            self.db.execute("COMMIT")
        if not deleted:
            raise DashboardError(404, f"no event {event_id}")

    def retry(self, account: str, event_id: str) -> Dict[str, Any]:
        with self.lock:
            row = self.db.execute("SELECT * FROM events WHERE id = ? AND account = ?", (parse_id(event_id), account)).fetchone()
            if not row:
                raise DashboardError(404, f"no event {event_id}")
            if row["status"] != "failed":
                raise DashboardError(409, f"{event_id} is {row['status']}")
            if self.deliveries.full():
                raise DashboardError(429, "too many deliveries waiting; try again shortly")
            event = self._update(row["id"], status="pending", response_status=None, delivery_latency_ms=None)
            self.deliveries.put_nowait(row["id"])
        return event

    def _update(self, row_id: int, **fields: Any) -> Dict[str, Any]:
        """Called with the lock held."""
        self.db.execute("BEGIN")
        sets = ", ".join(f"{name} = ?" for name in fields)
        self.db.execute(f"UPDATE events SET {sets}, updated_at = ? WHERE id = ?", (*fields.values(), now_iso(), row_id))
        row = self.db.execute("SELECT * FROM events WHERE id = ?", (row_id,)).fetchone()
        event = self._event(row)
        self._changed(row["account"], "event_update", {"event": event})
        self.db.execute("COMMIT")
        return event

    # ---- delivery ---------------------------------------------------------------------------

    def start_workers(self) -> None:
        for n in range(DELIVERY_WORKERS):
            threading.Thread(target=self._deliver_forever, name=f"delivery-{n}", daemon=True).start()

    def _deliver_forever(self) -> None:
        while True:
            row_id = self.deliveries.get()
            with self.lock:
                row = self.db.execute("SELECT target_url, payload FROM events WHERE id = ?", (row_id,)).fetchone()
            if row is None:
                continue  # deleted before its turn
            status, latency, attempts = deliver(row["target_url"], row["payload"].encode(), f"evt_{row_id}")
            with self.lock:
                if self.db.execute("SELECT 1 FROM events WHERE id = ?", (row_id,)).fetchone():
                    self._update(row_id, status="delivered" if status and 200 <= status < 300 else "failed",
                                 attempts=attempts, response_status=status, delivery_latency_ms=latency)


def parse_id(event_id: str) -> int:
    if not event_id.startswith("evt_") or not event_id[4:].isdigit():
        raise DashboardError(404, f"no event {event_id}")
    return int(event_id[4:])


ALLOWED_HOSTS: List[str] = ["127.0.0.1", "localhost"]


def check_target(url: str) -> None:
    """Webhook targets: http(s) URLs on the allowed hosts only (no reaching into the network by proxy)."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        raise DashboardError(400, "target_url: a URL of at most 2048 characters")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in ALLOWED_HOSTS:
        raise DashboardError(400, f"target_url: http(s) on {', '.join(ALLOWED_HOSTS)} only")


def deliver(url: str, body: bytes, event_id: str) -> Tuple[Optional[int], int, int]:
    """POSTs the payload, retrying once on a failure; (last status or None, latency of the last try in ms, attempts)."""
    status: Optional[int] = None
    latency = 0
    for attempt in range(1, DELIVERY_ATTEMPTS + 1):
        started = time.monotonic()
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"content-type": "application/json", "x-webhook-id": event_id})
        try:
            with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_S) as answer:
                answer.read(MAX_RESPONSE_BYTES)
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        except (OSError, ValueError):
            status = None
        latency = int((time.monotonic() - started) * 1000)
        if status is not None and 200 <= status < 300:
            return status, latency, attempt
        if attempt < DELIVERY_ATTEMPTS:
            time.sleep(0.2)
    return status, latency, DELIVERY_ATTEMPTS
