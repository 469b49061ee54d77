"""insert_outbox against a real PostgreSQL: rows exist exactly when the caller's transaction commits."""
from __future__ import annotations

import unittest

from herald.outbox import insert_outbox
from tests import postgres


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


if __name__ == "__main__":
    unittest.main()
