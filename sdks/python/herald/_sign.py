"""RS256 and ES256 signatures from a PEM private key, in the standard library only.

The standard library has no RSA or ECDSA, and PyPI may not be reachable where this SDK runs, so
this module holds the little that signing a JWT needs: a DER reader for PKCS#8, PKCS#1 and SEC1
private keys, RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017), and ECDSA on P-256 with SHA-256 and a
deterministic nonce (RFC 6979), whose signature is written as JWS wants it (r || s, 32 bytes each).

It signs only (no verification, no key generation) and makes no claim to constant time: Python
integers leak timing. Use it for tokens minted on your own servers; where a side channel on the
signing host matters, sign with a vetted library (``cryptography``) instead.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import List, Optional, Tuple

_PEM = re.compile(rb"-----BEGIN ([A-Z ]+)-----\s*(.*?)\s*-----END \1-----", re.S)
_OID_RSA = "1.2.840.113549.1.1.1"
_OID_EC = "1.2.840.10045.2.1"
_OID_P256 = "1.2.840.10045.3.1.7"
# DigestInfo prefix of SHA-256 (RFC 8017, section 9.2, note 1)
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

# P-256 (FIPS 186-4, D.1.2.3)
_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
_A = _P - 3
_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
      0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


class KeyFormatError(ValueError):
    """The PEM text is not an unencrypted RSA or P-256 private key."""


class PrivateKey:
    """An RSA or P-256 private key read from PEM; ``algorithm`` is RS256 or ES256."""

    def __init__(self, algorithm: str, numbers: Tuple[int, ...]) -> None:
        self.algorithm = algorithm
        self._numbers = numbers

    def sign(self, message: bytes) -> bytes:
        if self.algorithm == "RS256":
            return _rsa_sign(self._numbers, message)
        return _ecdsa_sign(self._numbers[0], message)


def read_private_key(pem: bytes) -> PrivateKey:
    """Reads ``BEGIN PRIVATE KEY`` (PKCS#8), ``BEGIN RSA PRIVATE KEY`` (PKCS#1) or ``BEGIN EC
    PRIVATE KEY`` (SEC1, P-256 only). Encrypted keys are refused: decrypt them first."""
    m = _PEM.search(pem)
    if not m:
        raise KeyFormatError("not a PEM private key (no -----BEGIN ... PRIVATE KEY----- block)")
    label = m.group(1).decode()
    try:
        der = base64.b64decode(b"".join(m.group(2).split()), validate=True)
    except ValueError as e:
        raise KeyFormatError(f"the PEM block is not base64: {e}") from e
    try:
        if label == "RSA PRIVATE KEY":
            return _rsa_key(der)
        if label == "EC PRIVATE KEY":
            return _ec_key(der, None)
        if label == "PRIVATE KEY":
            return _pkcs8(der)
    except KeyFormatError:
        raise
    except (IndexError, ValueError) as e:
        raise KeyFormatError(f"the {label} is malformed: {e}") from e
    raise KeyFormatError(f"a {label} cannot sign tokens: give an unencrypted RSA or P-256 private key")


# ---- DER ---------------------------------------------------------------------------------------

def _tlv(der: bytes, at: int) -> Tuple[int, bytes, int]:
    """The tag, the contents and the offset after one DER element starting at ``at``."""
    tag = der[at]
    length = der[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4:
            raise ValueError("bad DER length")
        length = int.from_bytes(der[at:at + count], "big")
        at += count
    if at + length > len(der):
        raise ValueError("DER element runs past the end")
    return tag, der[at:at + length], at + length


def _children(der: bytes) -> List[Tuple[int, bytes]]:
    out = []
    at = 0
    while at < len(der):
        tag, body, at = _tlv(der, at)
        out.append((tag, body))
    return out


def _sequence(der: bytes) -> List[Tuple[int, bytes]]:
    tag, body, end = _tlv(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("expected one DER SEQUENCE")
    return _children(body)


def _int(element: Tuple[int, bytes]) -> int:
    if element[0] != 0x02:
        raise ValueError("expected a DER INTEGER")
    return int.from_bytes(element[1], "big", signed=True)


def _oid(element: Tuple[int, bytes]) -> str:
    if element[0] != 0x06:
        raise ValueError("expected a DER OBJECT IDENTIFIER")
    raw = element[1]
    parts = [raw[0] // 40, raw[0] % 40]
    value = 0
    for b in raw[1:]:
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(value)
            value = 0
    return ".".join(map(str, parts))


def _pkcs8(der: bytes) -> PrivateKey:
    fields = _sequence(der)
    if fields[1][0] != 0x30:
        raise ValueError("expected the AlgorithmIdentifier as a SEQUENCE")
    algorithm = _children(fields[1][1])
    if fields[2][0] != 0x04:
        raise ValueError("expected the key as an OCTET STRING")
    oid = _oid(algorithm[0])
    if oid == _OID_RSA:
        return _rsa_key(fields[2][1])
    if oid == _OID_EC:
        return _ec_key(fields[2][1], _oid(algorithm[1]) if len(algorithm) > 1 else None)
    raise KeyFormatError(f"a key of algorithm {oid} cannot sign tokens: give an RSA or P-256 key")


def _rsa_key(der: bytes) -> PrivateKey:
    f = _sequence(der)
    n, e, d, p, q, dp, dq, qinv = (_int(x) for x in f[1:9])
    if n.bit_length() < 2048:
        raise KeyFormatError(f"the RSA key has {n.bit_length()} bits; RS256 needs at least 2048")
    return PrivateKey("RS256", (n, e, d, p, q, dp, dq, qinv))


def _ec_key(der: bytes, curve: Optional[str]) -> PrivateKey:
    f = _sequence(der)
    if f[1][0] != 0x04:
        raise ValueError("expected the EC private key as an OCTET STRING")
    for tag, body in f[2:]:
        if tag == 0xA0:  # [0] parameters: the named curve
            curve = _oid(_children(body)[0])
    if curve != _OID_P256:
        raise KeyFormatError(f"the EC key is on curve {curve}; ES256 needs P-256 (prime256v1)")
    d = int.from_bytes(f[1][1], "big")
    if not 1 <= d < _N:
        raise KeyFormatError("the EC private key is out of range")
    return PrivateKey("ES256", (d,))


# ---- RSASSA-PKCS1-v1_5 with SHA-256 ------------------------------------------------------------

def _rsa_sign(key: Tuple[int, ...], message: bytes) -> bytes:
    n, _e, _d, p, q, dp, dq, qinv = key
    size = (n.bit_length() + 7) // 8
    t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    em = b"\x00\x01" + b"\xff" * (size - len(t) - 3) + b"\x00" + t
    m = int.from_bytes(em, "big")
    # the Chinese remainder theorem: two half-size exponentiations instead of one full one
    s1 = pow(m, dp, p)
    s2 = pow(m, dq, q)
    s = s2 + q * ((qinv * (s1 - s2)) % p)
    return s.to_bytes(size, "big")


# ---- ECDSA on P-256 with SHA-256 ---------------------------------------------------------------

_Point = Optional[Tuple[int, int]]


def _add(a: _Point, b: _Point) -> _Point:
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % _P == 0:
            return None
        slope = (3 * a[0] * a[0] + _A) * pow(2 * a[1], -1, _P) % _P
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, _P) % _P
    x = (slope * slope - a[0] - b[0]) % _P
    return x, (slope * (a[0] - x) - a[1]) % _P


def _multiply(k: int, point: _Point) -> _Point:
    """k × point by a Montgomery ladder (the same operations for every bit)."""
    r0: _Point = None
    r1 = point
    for i in reversed(range(256)):
        if (k >> i) & 1:
            r0, r1 = _add(r0, r1), _add(r1, r1)
        else:
            r0, r1 = _add(r0, r0), _add(r0, r1)
    return r0


def _nonce(d: int, digest: bytes) -> int:
    """RFC 6979, section 3.2, for P-256 and SHA-256: the k that this key and digest determine."""
    x = d.to_bytes(32, "big")
    h = (int.from_bytes(digest, "big") % _N).to_bytes(32, "big")
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        candidate = int.from_bytes(v, "big")
        if 1 <= candidate < _N:
            return candidate
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def _ecdsa_sign(d: int, message: bytes) -> bytes:
    digest = hashlib.sha256(message).digest()
    e = int.from_bytes(digest, "big")
    k = _nonce(d, digest)
    point = _multiply(k, _G)
    assert point is not None
    r = point[0] % _N
    s = pow(k, -1, _N) * (e + r * d) % _N
    if r == 0 or s == 0:  # probability about 2^-256
        raise ArithmeticError("ECDSA produced a zero signature part; sign a different token")
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")
