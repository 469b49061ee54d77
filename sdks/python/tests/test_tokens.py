"""RS256 and ES256 tokens from PEM private keys (PKCS#8, PKCS#1, SEC1) made by openssl, accepted
by the real server holding the public keys; bad keys refused at once."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
from typing import List

from herald import create_token
from herald import _sign

from .server import HeraldServer
from .websocket import WebSocket

OPENSSL = shutil.which("openssl")


def openssl(*args: str, stdin: bytes = b"") -> bytes:
    if OPENSSL is None:
        raise AssertionError("these tests need openssl (apt-get install openssl) to make keys")
    return subprocess.run([OPENSSL, *args], input=stdin, check=True, capture_output=True).stdout


def public_pem(private: bytes) -> str:
    return openssl("pkey", "-pubout", stdin=private).decode()


def indented(pem: str) -> str:
    return "".join("    " + line + "\n" for line in pem.strip().splitlines())


class TokenKeysTest(unittest.TestCase):
    server: HeraldServer
    keys: dict

    @classmethod
    def setUpClass(cls) -> None:
        rsa = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
        ec = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
        cls.keys = {
            "rsa-pkcs8": rsa,
            "rsa-pkcs1": openssl("pkey", "-traditional", stdin=rsa),
            "ec-pkcs8": ec,
            "ec-sec1": openssl("pkey", "-traditional", stdin=ec),
        }
        jwt = (f"jwt:\n  rsa_public_key: |\n{indented(public_pem(rsa))}"
               f"  ec_public_key: |\n{indented(public_pem(ec))}")
        cls.server = HeraldServer(extra_yaml=jwt)
        cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.close()

    def connect(self, token: str) -> List[dict]:
        """The frames the server sends before it closes or says connected."""
        ws = WebSocket("127.0.0.1", self.server.port, "/ws?token=" + urllib.parse.quote(token))
        frames = []
        try:
            while True:
                frame = ws.receive()
                if frame is None:
                    return frames
                frames.append(frame)
                if frame.get("type") in ("connected", "disconnect", "error"):
                    return frames
        finally:
            ws.close()

    def test_tokensSignedWithEachKeyFormatAreAcceptedByTheServer(self) -> None:
        for name, pem in self.keys.items():
            with self.subTest(key=name):
                token = create_token("k-" + name, channels=["feed:*"], secret=pem)
                header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
                self.assertEqual("RS256" if name.startswith("rsa") else "ES256", header["alg"])
                frames = self.connect(token)
                self.assertEqual("connected", frames[-1]["type"], frames)
                self.assertEqual("k-" + name, frames[-1]["user"])

    def test_aTokenWhoseSignatureWasAlteredIsRefusedByTheServer(self) -> None:
        for name in ("rsa-pkcs8", "ec-pkcs8"):
            with self.subTest(key=name):
                head, body, sig = create_token("x", secret=self.keys[name]).split(".")
                forged = json.loads(base64.urlsafe_b64decode(body + "=="))
                forged["sub"] = "admin"
                body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
                frames = self.connect(f"{head}.{body}.{sig}")
                self.assertEqual([("disconnect", 4003)], [(f["type"], f.get("code")) for f in frames], frames)

    def test_theRsaSignatureVerifiesWithOpenssl(self) -> None:
        token = create_token("v", secret=self.keys["rsa-pkcs1"])
        head, body, sig = token.split(".")
        with tempfile.TemporaryDirectory() as d:
            pub, data, signature = (os.path.join(d, n) for n in ("pub.pem", "data", "sig"))
            with open(pub, "w") as f:
                f.write(public_pem(self.keys["rsa-pkcs1"]))
            with open(data, "wb") as f:
                f.write(f"{head}.{body}".encode())
            with open(signature, "wb") as f:
                f.write(base64.urlsafe_b64decode(sig + "=="))
            self.assertIn(b"Verified OK", openssl("dgst", "-sha256", "-verify", pub, "-signature", signature, data))

    def test_es256MatchesTheRfc6979TestVectorForP256AndSha256(self) -> None:
        # RFC 6979, A.2.5: private key x, message "sample", SHA-256
        x = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
        self.assertEqual(0xA6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60,
                         _sign._nonce(x, hashlib.sha256(b"sample").digest()))
        self.assertEqual("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
                         "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
                         _sign._ecdsa_sign(x, b"sample").hex().upper())

    def test_keysThatCannotSignAreRefusedWithAClearError(self) -> None:
        bad = {
            "P-384": openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"),
            "RSA 1024": openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"),
            "Ed25519": openssl("genpkey", "-algorithm", "ED25519"),
            "encrypted": openssl("pkey", "-aes256", "-passout", "pass:pw", stdin=self.keys["rsa-pkcs8"]),
            "public key": public_pem(self.keys["ec-pkcs8"]).encode(),
            "not base64": b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "truncated": b"-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n",
        }
        for name, pem in bad.items():
            with self.subTest(key=name), self.assertRaises(ValueError):
                create_token("1", secret=pem)
        with self.assertRaisesRegex(ValueError, "does not match"):
            create_token("1", secret=self.keys["ec-pkcs8"], algorithm="RS256")
        with self.assertRaisesRegex(ValueError, "does not match"):
            create_token("1", secret="s" * 40, algorithm="ES256")
        with self.assertRaisesRegex(ValueError, "one of"):
            create_token("1", secret="s" * 40, algorithm="none")


if __name__ == "__main__":
    unittest.main()
