"""Connection tokens (JWT) for Herald clients."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Iterable, Mapping, Optional, Union

from ._sign import read_private_key

MIN_SECRET_BYTES = 32
ALGORITHMS = ("HS256", "RS256", "ES256")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def create_token(user: str, channels: Iterable[str] = (), publish: Iterable[str] = (),
                 subscribe: Iterable[str] = (), info: Optional[Mapping[str, Any]] = None,
                 ttl: int = 3600, *, secret: Union[str, bytes], algorithm: Optional[str] = None) -> str:
    """A connection token for ``user`` ("" = anonymous), valid for ``ttl`` seconds.

    ``channels``: patterns the user may subscribe to; ``publish``: patterns the user may publish to
    from the client; ``subscribe``: channels joined at connect; ``info``: shown in presence.
    ``secret`` is either the server's ``jwt.hmac_secret`` (at least 32 bytes; HS256) or an
    unencrypted RSA (2048 bits or more; RS256) or P-256 (ES256) private key in PEM, whose public
    key the server has as ``jwt.rsa_public_key`` / ``jwt.ec_public_key``. The algorithm follows
    from the key; ``algorithm``, when given, must match it. Raises ValueError for a bad key.
    """
    if algorithm is not None and algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    private = read_private_key(key) if key.lstrip().startswith(b"-----BEGIN") else None
    chosen = private.algorithm if private else "HS256"
    if algorithm is not None and algorithm != chosen:
        what = f"a PEM private key for {private.algorithm}" if private else "a shared secret (HS256)"
        raise ValueError(f"algorithm {algorithm} does not match the key: it is {what}")
    if private is None and len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the HS256 secret must be at least {MIN_SECRET_BYTES} bytes (the server refuses shorter ones)")
    if ttl <= 0:
        raise ValueError("ttl must be > 0 seconds")
    now = int(time.time())
    claims: dict = {"sub": str(user), "iat": now, "exp": now + int(ttl)}
    for name, values in (("channels", channels), ("publish", publish), ("subscribe", subscribe)):
        listed = [values] if isinstance(values, str) else list(values)
        if listed:
            claims[name] = listed
    if info is not None:
        claims["info"] = dict(info)
    header = _b64(json.dumps({"alg": chosen, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    raw = private.sign(signing_input) if private else hmac.new(key, signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(raw)}"
