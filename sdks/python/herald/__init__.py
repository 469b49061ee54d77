"""Herald server SDK for Python: publish to a Herald server and sign connection tokens.

Standard library only; Python 3.9+.
"""
from __future__ import annotations

from .client import Herald
from .errors import HeraldConnectionError, HeraldError
from .outbox import insert_outbox
from .token import create_token

__all__ = ["Herald", "HeraldError", "HeraldConnectionError", "create_token", "insert_outbox"]
__version__ = "0.1.0"
