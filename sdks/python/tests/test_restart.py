"""A server stopped (SIGTERM) during a burst of publishes and restarted loses and duplicates nothing."""
from __future__ import annotations

import socket
import threading
import time
import unittest
from typing import List, Tuple

from herald import Herald, HeraldError

from .server import API_KEY, HeraldServer

BURST = 200


def require_redis() -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as e:
        raise AssertionError(f"this test needs Redis on 127.0.0.1:6379 (start redis-server): {e}") from e


class RestartTest(unittest.TestCase):
    def test_everySuccessfulPublishIsInHistoryExactlyOnceInOrderAcrossARestart(self) -> None:
        require_redis()
        server = HeraldServer(redis=True)
        server.start()
        self.addCleanup(server.close)
        herald = Herald(server.url, API_KEY, timeout=5.0, retry_deadline=30.0)
        self.addCleanup(herald.close)
        channel = "feed:burst"
        succeeded: List[Tuple[int, dict]] = []
        failed: List[HeraldError] = []
        progress = threading.Condition()

        def burst() -> None:
            for n in range(BURST):
                try:
                    answer = herald.publish(channel, "tick", {"n": n})
                except HeraldError as e:
                    failed.append(e)
                    continue
                with progress:
                    succeeded.append((n, answer))
                    progress.notify_all()

        publisher = threading.Thread(target=burst, daemon=True)
        publisher.start()
        with progress:
            self.assertTrue(progress.wait_for(lambda: len(succeeded) >= 50, timeout=30), "the burst did not start")
        server.stop()  # SIGTERM mid-burst, waits for the exit
        stopped_at = len(succeeded)
        server.start()
        publisher.join(timeout=60)
        self.assertFalse(publisher.is_alive(), "the burst did not finish")

        self.assertLess(stopped_at, BURST, "the server must stop mid-burst for this test to mean anything")
        self.assertEqual([], [str(e) for e in failed], "every publish should succeed within the retry deadline")
        self.assertEqual(list(range(BURST)), [n for n, _ in succeeded])

        history = self.read_history(herald, channel, succeeded[0][1]["epoch"])
        data = [p["data"]["n"] for p in history]
        self.assertEqual(sorted(set(data)), data, "history has a duplicate or is out of order")
        offsets = {p["offset"]: p["data"]["n"] for p in history}
        for n, answer in succeeded:
            self.assertEqual(n, offsets.get(answer["offset"]), f"publish {n} is not at its offset {answer['offset']}")
        self.assertEqual(BURST, len(history))
        self.assertEqual({succeeded[0][1]["epoch"]}, {a["epoch"] for _, a in succeeded}, "the epoch changed")

    @staticmethod
    def read_history(herald: Herald, channel: str, epoch: str) -> List[dict]:
        publications: List[dict] = []
        since = 0
        while True:
            page = herald.history(channel, since=since, epoch=epoch, limit=100)
            publications.extend(page["publications"])
            if not page["publications"]:
                return publications
            since = page["publications"][-1]["offset"]


if __name__ == "__main__":
    unittest.main()
