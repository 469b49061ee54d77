"""The SDK against the real Herald server (memory engine), driven by a real WebSocket subscriber."""
from __future__ import annotations

import os
import re
import time
import unittest
import urllib.parse

from herald import Herald, HeraldError, create_token

from .server import API_KEY, SECRET, HeraldServer
from .websocket import WebSocket

SERVER: HeraldServer


def setUpModule() -> None:
    global SERVER
    SERVER = HeraldServer()
    SERVER.start()


def tearDownModule() -> None:
    SERVER.close()


def connect(token: str) -> WebSocket:
    ws = WebSocket("127.0.0.1", SERVER.port, "/ws?token=" + urllib.parse.quote(token))
    return ws


class PublishTest(unittest.TestCase):
    def setUp(self) -> None:
        self.herald = Herald(SERVER.url, API_KEY)

    def tearDown(self) -> None:
        self.herald.close()

    def test_publishReachesAWebSocketSubscriberInTheSeedFormat(self) -> None:
        token = create_token("42", channels=["feed:*"], secret=SECRET)
        ws = connect(token)
        try:
            connected = ws.receive_until("connected")
            self.assertEqual("42", connected["user"])
            ws.send({"type": "subscribe", "id": 1, "channel": "feed:seed"})
            ws.receive_until("subscribed")
            answer = self.herald.publish("feed:seed", "score_update", {"home": 1, "away": 0})
            self.assertEqual({"offset", "epoch", "idempotency_key"}, set(answer))
            push = ws.receive_until("score_update")
            self.assertEqual({"type", "channel", "data", "offset", "epoch", "timestamp"}, set(push))
            self.assertEqual("feed:seed", push["channel"])
            self.assertEqual({"home": 1, "away": 0}, push["data"])
            self.assertEqual(answer["offset"], push["offset"])
            self.assertEqual(answer["epoch"], push["epoch"])
            self.assertRegex(push["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        finally:
            ws.close()

    def test_aTokenFromCreateTokenWithServerSideSubscriptionsIsAccepted(self) -> None:
        token = create_token("7", channels=["feed:*"], subscribe=["feed:joined"], info={"name": "Ann"}, secret=SECRET)
        ws = connect(token)
        try:
            connected = ws.receive_until("connected")
            self.assertEqual("7", connected["user"])
            self.assertEqual(["feed:joined"], [s["channel"] for s in connected["subscriptions"]])
        finally:
            ws.close()

    def test_theSameIdempotencyKeyPublishesOnce(self) -> None:
        first = self.herald.publish("feed:once", "e", {"n": 1}, idempotency_key="k-once")
        again = self.herald.publish("feed:once", "e", {"n": 1}, idempotency_key="k-once")
        self.assertEqual(first, again)
        self.assertEqual("k-once", first["idempotency_key"])
        self.assertEqual(1, len(self.herald.history("feed:once")["publications"]))

    def test_aGeneratedKeyIsReturned(self) -> None:
        a = self.herald.publish("feed:keys", "e", 1)
        b = self.herald.publish("feed:keys", "e", 2)
        self.assertNotEqual(a["idempotency_key"], b["idempotency_key"])
        self.assertEqual(b["offset"], a["offset"] + 1)

    def test_aBadChannelNameRaisesAtOnceWithTheCode(self) -> None:
        slow = Herald(SERVER.url, API_KEY, retry_deadline=30.0)
        started = time.monotonic()
        with self.assertRaises(HeraldError) as caught:
            slow.publish("bad channel!", "e", {})
        slow.close()
        self.assertLess(time.monotonic() - started, 5.0, "a 400 must not be retried")
        self.assertEqual(400, caught.exception.status)
        self.assertEqual("bad_request", caught.exception.code)

    def test_aWrongApiKeyRaisesUnauthorized(self) -> None:
        with Herald(SERVER.url, "wrong-key") as h, self.assertRaises(HeraldError) as caught:
            h.info()
        self.assertEqual((401, "unauthorized"), (caught.exception.status, caught.exception.code))

    def test_broadcastPublishesToEveryChannelOnceUnderOneKey(self) -> None:
        first = self.herald.broadcast(["feed:b1", "feed:b2"], "e", {"x": 1}, idempotency_key="k-b")
        again = self.herald.broadcast(["feed:b1", "feed:b2"], "e", {"x": 1}, idempotency_key="k-b")
        self.assertEqual(["feed:b1", "feed:b2"], [r["channel"] for r in first["results"]])
        self.assertEqual(first["results"], again["results"])
        self.assertEqual(1, len(self.herald.history("feed:b2")["publications"]))

    def test_historyPresenceChannelsAndInfo(self) -> None:
        for n in range(3):
            self.herald.publish("feed:h", "e", {"n": n})
        latest = self.herald.history("feed:h", limit=2)
        self.assertEqual([{"n": 1}, {"n": 2}], [p["data"] for p in latest["publications"]])
        after = self.herald.history("feed:h", since=1, epoch=latest["epoch"])
        self.assertTrue(after["recovered"])
        self.assertEqual([2, 3], [p["offset"] for p in after["publications"]])
        info = self.herald.info()
        self.assertIn("node", info)
        self.assertIn("nodes", info)
        ws = connect(create_token("p1", channels=["room:*"], subscribe=["room:1"], info={"n": "Ann"}, secret=SECRET))
        try:
            ws.receive_until("connected")
            presence = self.herald.presence("room:1")
            self.assertEqual(1, presence["users"])
            self.assertEqual(["p1"], [c["user"] for c in presence["clients"]])
            self.assertEqual(["room:1"], [c["channel"] for c in self.herald.channels(pattern="room:*")["channels"]])
        finally:
            ws.close()

    def test_subscribeUnsubscribeAndDisconnectAUser(self) -> None:
        ws = connect(create_token("u1", channels=["feed:*"], secret=SECRET))
        try:
            ws.receive_until("connected")
            self.assertEqual({"subscribed": 1}, self.herald.subscribe("feed:ctl", user="u1"))
            ws.receive_until("subscribed")
            self.assertEqual(1, self.herald.channels(pattern="feed:ctl")["channels"][0]["subscribers"])
            self.assertEqual({"unsubscribed": 1}, self.herald.unsubscribe("feed:ctl", user="u1"))
            ws.receive_until("unsubscribed")
            self.assertEqual({"disconnected": 1}, self.herald.disconnect(user="u1", reconnect=True, reason="bye"))
            push = ws.receive_until("disconnect")
            self.assertEqual((4010, True, "bye"), (push["code"], push["reconnect"], push["reason"]))
        finally:
            ws.close()


class ReadmeTest(unittest.TestCase):
    def test_theReadmeQuickStartRuns(self) -> None:
        readme = os.path.join(os.path.dirname(__file__), "..", "README.md")
        with open(readme) as f:
            text = f.read()
        blocks = re.findall(r"```python\n(.*?)```", text, re.S)
        self.assertTrue(blocks, "README.md has no ```python block")
        env = {"HERALD_URL": SERVER.url, "HERALD_API_KEY": API_KEY, "HERALD_JWT_HMAC_SECRET": SECRET}
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            exec(compile(blocks[0], "README.md quick start", "exec"), {"__name__": "readme"})
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


if __name__ == "__main__":
    unittest.main()
