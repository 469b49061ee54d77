"""Retries against a real server: 429 answers (a low API rate limit) and 504 unknown_outcome
answers (the engine's Redis frozen with SIGSTOP) are retried under the same idempotency key, so
every publish lands once, in order."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request
from typing import List

from herald import Herald

from .server import API_KEY, HeraldServer, free_port
from . import test_restart

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def metric(server: HeraldServer, name: str, labels: str) -> float:
    """The value of one sample of ``/metrics`` (0 when absent)."""
    req = urllib.request.Request(server.url + "/metrics", headers={"Authorization": f"apikey {API_KEY}"})
    with urllib.request.urlopen(req, timeout=5) as r:
        text = r.read().decode()
    m = re.search(r"^" + re.escape(name) + r"\{[^}]*" + re.escape(labels) + r"[^}]*\} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


class RedisProcess:
    """A redis-server of the test's own on a spare port, which the test can freeze and thaw."""

    def __init__(self) -> None:
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="herald-py-redis-")
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", self._dir.name],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self) -> None:
        self.thaw()
        self.process.kill()
        self.process.wait()
        self._dir.cleanup()


class RetriesTest(unittest.TestCase):
    def test_publishesRefusedWith429AreRetriedAfterRetryAfterAndEachLandsOnceInOrder(self) -> None:
        server = HeraldServer(extra_yaml="limits: {api_rate: 4}\n")  # 4/s, burst 8
        server.start()
        self.addCleanup(server.close)
        herald = Herald(server.url, API_KEY, timeout=5.0, retry_deadline=30.0)
        self.addCleanup(herald.close)
        answers = [herald.publish("feed:limited", "n", {"n": n}) for n in range(14)]

        self.assertGreater(metric(server, "herald_rate_limited_total", 'limit="api"'), 0,
                           "the server never answered 429, so nothing was retried")
        history = test_restart.RestartTest.read_history(herald, "feed:limited", answers[0]["epoch"])
        self.assertEqual(list(range(14)), [p["data"]["n"] for p in history])
        self.assertEqual([a["offset"] for a in answers], [p["offset"] for p in history])

    def test_aPublishAnswered504UnknownOutcomeIsRetriedWithItsKeyAndStoredOnce(self) -> None:
        if not os.access(REDIS_SERVER, os.X_OK):
            self.fail(f"this test needs {REDIS_SERVER} (apt-get install redis-server)")
        redis = RedisProcess()
        self.addCleanup(redis.close)
        server = HeraldServer(redis=True, redis_url=redis.url, extra_yaml="redis: {timeout: 1s}\n")
        server.start()
        self.addCleanup(server.close)
        herald = Herald(server.url, API_KEY, timeout=5.0, retry_deadline=30.0)
        self.addCleanup(herald.close)
        first = herald.publish("feed:frozen", "n", {"n": 0})

        redis.freeze()
        thaw = threading.Timer(3.0, redis.thaw)  # the engine's 1 s timeout passes at least twice
        thaw.start()
        self.addCleanup(thaw.cancel)
        answer = herald.publish("feed:frozen", "n", {"n": 1})
        thaw.join()

        # the API counts no error metric, so the node's log says what it answered
        self.assertGreaterEqual(server.logs().count("the command may have been applied"), 1,
                                "the server never answered 504 unknown_outcome, so nothing was retried")
        history: List[dict] = test_restart.RestartTest.read_history(herald, "feed:frozen", first["epoch"])
        self.assertEqual([0, 1], [p["data"]["n"] for p in history], "the retried publish is stored twice or not at all")
        self.assertEqual(answer["offset"], history[1]["offset"])


if __name__ == "__main__":
    unittest.main()
