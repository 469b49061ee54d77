"""Connection tokens (JWT) for Herald clients."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Iterable, Mapping, Optional, Union

MIN_SECRET_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def create_token(user: str, channels: Iterable[str] = (), publish: Iterable[str] = (),
                 subscribe: Iterable[str] = (), info: Optional[Mapping[str, Any]] = None,
                 ttl: int = 3600, *, secret: Union[str, bytes], algorithm: str = "HS256") -> str:
    """A connection token for ``user`` ("" = anonymous), valid for ``ttl`` seconds.

    ``channels``: patterns the user may subscribe to; ``publish``: patterns the user may publish to
    from the client; ``subscribe``: channels joined at connect; ``info``: shown in presence.
    ``secret`` is the server's ``jwt.hmac_secret`` (at least 32 bytes). Only HS256 is supported:
    RS256 and ES256 need RSA/ECDSA signing, which the Python standard library does not have, so
    they raise NotImplementedError (sign with a library such as PyJWT + cryptography instead).
    """
    if algorithm != "HS256":
        raise NotImplementedError(
            f"{algorithm} tokens need RSA/ECDSA signing, which the Python standard library does not"
            " provide; this SDK signs HS256 only (use PyJWT with cryptography for RS256/ES256)")
    key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
    if key.lstrip().startswith(b"-----BEGIN"):
        raise NotImplementedError(
            "a PEM key means RS256/ES256, which needs RSA/ECDSA signing that the Python standard"
            " library does not provide; this SDK signs HS256 with a shared secret only")
    if len(key) < MIN_SECRET_BYTES:
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
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = _b64(hmac.new(key, signing_input, hashlib.sha256).digest())
    return f"{header}.{payload}.{signature}"
