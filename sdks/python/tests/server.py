"""Starts the real Herald server (server/target/herald.jar) for the tests, on a free port."""
from __future__ import annotations

import glob
import os
import secrets
import socket
import subprocess
import tempfile
import time
import urllib.request
from typing import Dict, List, Optional

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
JAR = os.path.join(ROOT, "server", "target", "herald.jar")
API_KEY = "python-sdk-test-api-key"
SECRET = "python-sdk-test-secret-at-least-32-bytes"


def java() -> str:
    """JAVA_HOME's java, else the newest JDK under /usr/lib/jvm (what the herald launcher finds)."""
    homes: List[str] = []
    if os.environ.get("JAVA_HOME"):
        homes.append(os.environ["JAVA_HOME"])
    homes.append("/usr/lib/jvm/temurin-25-jdk-amd64")
    homes.extend(sorted(glob.glob("/usr/lib/jvm/*"), reverse=True))
    for home in homes:
        candidate = os.path.join(home, "bin", "java")
        if os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("no JDK found: set JAVA_HOME")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HeraldServer:
    """One server process; ``stop()`` sends SIGTERM, ``start()`` starts it again on the same port.

    With ``redis=True`` it runs the Redis engine (``redis_url``, by default 127.0.0.1:6379) under a
    prefix of its own, so history and offsets survive a restart. ``extra_yaml`` is appended to its
    configuration file, ``env`` added to its environment.
    """

    def __init__(self, redis: bool = False, redis_url: str = "redis://127.0.0.1:6379", extra_yaml: str = "",
                 env: Optional[Dict[str, str]] = None) -> None:
        if not os.path.exists(JAR):
            raise RuntimeError(f"{JAR} is missing: build it with ./mvnw -B -q -DskipTests package")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._dir = tempfile.TemporaryDirectory(prefix="herald-py-")
        config = os.path.join(self._dir.name, "herald.yaml")
        with open(config, "w") as f:
            f.write("namespaces: {feed: {history_size: 1000, history_ttl: 10m}, room: {presence: true}}\n" + extra_yaml)
        self.env: Dict[str, str] = dict(os.environ, HERALD_API_KEY=API_KEY, HERALD_JWT_HMAC_SECRET=SECRET,
                                        HERALD_CONFIG=config)
        self.env.update(env or {})
        if redis:
            self.env.update(HERALD_ENGINE="redis", HERALD_REDIS_URL=redis_url,
                            HERALD_REDIS_PREFIX=f"pysdk-{secrets.token_hex(4)}")
        # keys are deleted after the test only from the shared Redis; a Redis of the test's own goes away whole
        self.prefix = self.env.get("HERALD_REDIS_PREFIX") if redis and redis_url.endswith(":6379") else None
        self.log = os.path.join(self._dir.name, "server.log")
        self.process: Optional[subprocess.Popen] = None

    def start(self, wait: bool = True) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [java(), "-jar", JAR, "serve", "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=self._dir.name)
        if wait:
            self.wait_healthy()

    def wait_healthy(self, within: float = 60.0) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"herald exited with {self.process.returncode}:\n{self.logs()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"herald not healthy within {within} s:\n{self.logs()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()
        if self.prefix:
            delete_redis_keys(self.prefix + ":*")

    def logs(self) -> str:
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


def _resp(sock: socket.socket, reader, *args: str) -> object:
    """Sends one Redis command (RESP) and reads its answer: an int, a str, None or a list."""
    sock.sendall(("*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)).encode())
    return _read(reader)


def _read(reader) -> object:
    line = reader.readline().decode().rstrip("\r\n")
    kind, rest = line[0], line[1:]
    if kind == "-":
        raise RuntimeError("redis: " + rest)
    if kind == ":":
        return int(rest)
    if kind == "+":
        return rest
    if kind == "$":
        return None if rest == "-1" else reader.read(int(rest) + 2)[:-2].decode()
    return [_read(reader) for _ in range(int(rest))]


def delete_redis_keys(pattern: str) -> None:
    """Deletes the test's keys from the Redis on 127.0.0.1:6379 (SCAN + DEL)."""
    with socket.create_connection(("127.0.0.1", 6379), timeout=5) as sock, sock.makefile("rb") as reader:
        cursor = "0"
        while True:
            cursor, keys = _resp(sock, reader, "SCAN", cursor, "MATCH", pattern, "COUNT", "1000")  # type: ignore[misc]
            if keys:
                _resp(sock, reader, "DEL", *keys)
            if cursor == "0":
                return


def herald_command(*args: str) -> str:
    """The output of ``herald.jar`` run with ``args`` (for example ``outbox-ddl``)."""
    return subprocess.run([java(), "-jar", JAR, *args], check=True, capture_output=True, text=True).stdout
