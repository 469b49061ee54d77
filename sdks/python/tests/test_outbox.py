"""insert_outbox against a real PostgreSQL: rows exist exactly when the caller's transaction
commits, and a Herald node reading that outbox delivers exactly the committed ones, in order."""
from __future__ import annotations

import unittest
import urllib.parse

from herald import create_token
from herald.outbox import insert_outbox
from tests import postgres

from .server import SECRET, HeraldServer, herald_command
from .websocket import WebSocket


class OutboxInsertTest(unittest.TestCase):
    def setUp(self) -> None:
        self.table = postgres.unique_table()
        self.conn = postgres.connect()
        with self.conn.cursor() as c:
            c.execute(f"CREATE TABLE {self.table} (id bigserial primary key, channel text, type text, data jsonb,"
                      " idempotency_key text null, created_at timestamptz default now())")
        self.conn.commit()

    def tearDown(self) -> None:
        self.conn.rollback()
        with self.conn.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.conn.commit()
        self.conn.close()

    def rows(self):
        other = postgres.connect()  # another session: sees only what was committed
        try:
            with other.cursor() as c:
                c.execute(f"SELECT id, channel, type, data, idempotency_key FROM {self.table} ORDER BY id")
                return c.fetchall()
        finally:
            other.close()

    def test_a_committed_insert_is_visible_with_its_data_and_key(self) -> None:
        first = insert_outbox(self.conn, "orders:7", "order_paid", {"total": 12.5, "items": ["a"]}, table=self.table)
        second = insert_outbox(self.conn, "orders:7", "order_sent", None, "order-7-sent", table=self.table)
        self.assertEqual(self.rows(), [], "nothing is visible before the commit")
        self.conn.commit()
        self.assertGreater(second, first)
        self.assertEqual(self.rows(), [(first, "orders:7", "order_paid", {"total": 12.5, "items": ["a"]}, None),
                                       (second, "orders:7", "order_sent", None, "order-7-sent")])

    def test_a_rolled_back_insert_never_appears(self) -> None:
        insert_outbox(self.conn, "orders:8", "order_paid", {"total": 1}, table=self.table)
        self.conn.rollback()
        kept = insert_outbox(self.conn, "orders:8", "order_paid", {"total": 2}, table=self.table)
        self.conn.commit()
        self.assertEqual([r[0] for r in self.rows()], [kept])

    def test_bad_input_is_refused_before_anything_is_written(self) -> None:
        bad = [
            dict(channel="orders:1", type="t", data={}, table="x; DROP TABLE y"),
            dict(channel="", type="t", data={}),
            dict(channel="orders:1", type="", data={}),
            dict(channel="orders:1", type="t", data={}, idempotency_key=""),
            dict(channel="orders:1", type="t", data={}, idempotency_key="k" * 257),
            dict(channel="orders:1", type="t", data={"x": float("nan")}),
            dict(channel="orders:1", type="t", data={"x": object()}),
        ]
        for args in bad:
            args.setdefault("table", self.table)
            with self.subTest(args=args), self.assertRaises(ValueError):
                insert_outbox(self.conn, **args)
        self.conn.commit()
        self.assertEqual(self.rows(), [])


class OutboxDeliveryTest(unittest.TestCase):
    def test_committedRowsReachASubscriberOnceInOrderAndRolledBackOnesNever(self) -> None:
        table = postgres.unique_table()
        conn = postgres.connect()
        self.addCleanup(conn.close)
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute(herald_command("outbox-ddl", "--table", table))
        self.addCleanup(self.drop, conn, table)
        conn.autocommit = False
        server = HeraldServer(env={"HERALD_OUTBOX_URL": "postgresql://postgres@127.0.0.1:5432/test",
                                   "HERALD_OUTBOX_TABLE": table, "HERALD_OUTBOX_POLL_INTERVAL": "30s"})
        server.start()
        self.addCleanup(server.close)
        ws = WebSocket("127.0.0.1", server.port, "/ws?token=" + urllib.parse.quote(
            create_token("o1", channels=["feed:*"], secret=SECRET)))
        self.addCleanup(ws.close)
        ws.receive_until("connected")
        ws.send({"type": "subscribe", "id": 1, "channel": "feed:orders"})
        ws.receive_until("subscribed")

        expected = []
        for n in range(30):
            insert_outbox(conn, "feed:orders", "order_paid", {"n": n}, table=table)
            if n % 3 == 2:
                conn.rollback()  # this one never happened
            else:
                conn.commit()  # NOTIFY wakes the reader: the 30 s poll interval would fail the test
                expected.append(n)
        insert_outbox(conn, "feed:orders", "order_sent", {"n": "last"}, table=table)
        conn.commit()
        pushes = []  # every publication up to the last row: nothing more, nothing twice
        while not pushes or pushes[-1]["type"] != "order_sent":
            pushes.append(ws.receive_until("order_paid" if len(pushes) < len(expected) else "order_sent", within=10))
        self.assertEqual(expected, [p["data"]["n"] for p in pushes[:-1]])
        self.assertEqual(list(range(1, len(expected) + 2)), [p["offset"] for p in pushes],
                         "a rolled-back row was delivered, or a committed one twice")

    @staticmethod
    def drop(conn, table: str) -> None:
        conn.rollback()
        conn.autocommit = True
        with conn.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {table}, {table}_dead CASCADE")
            c.execute(f"DROP FUNCTION IF EXISTS {table}_notify()")


if __name__ == "__main__":
    unittest.main()
