"""The one parser per kind of user input: amounts, addresses, weights, durations, CIDs, URLs, id lists.

Every command (CLI, demo, dApp) validates here, before any transaction or store write; each parser
returns the value the contracts take or raises :class:`InvalidInput` with one line naming the input.
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from urllib.parse import urlparse

from eth_utils import is_address, to_checksum_address

from orchestrator.errors import InvalidInput

CAP = 10**18
CAP_DECIMALS = 18
#: the contracts keep prices, bonds, deposits and votes in uint128 wei
MAX_AMOUNT_WEI = 2**128 - 1
BPS = 10_000
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: the contracts keep times in uint64 seconds
MAX_DURATION = 2**64 - 1
URL_SCHEMES = ("http", "https", "ws", "wss")


def fmt_cap(wei: int) -> str:
    """Wei -> ``"1.5 CAP"``."""
    text = f"{Decimal(wei) / CAP:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} CAP"


def parse_cap(amount: str | int | Decimal, what: str = "amount") -> int:
    """``"1.5"`` CAP -> wei (``"123wei"`` is wei). Finite, >= 0, at most 18 decimals, fits in uint128."""
    text = str(amount).strip()
    try:
        value = Decimal(text[:-3]) if text.endswith("wei") else Decimal(text) * CAP
    except InvalidOperation:
        raise InvalidInput(f"{what} {text!r} is not a number of CAP (e.g. 1.5, or 10wei)") from None
    if not value.is_finite():
        raise InvalidInput(f"{what} {text!r} is not a finite number of CAP")
    if value < 0:
        raise InvalidInput(f"{what} {text!r} is negative")
    if value != value.to_integral_value():
        raise InvalidInput(f"{what} {text!r} has more than {CAP_DECIMALS} decimals (1 wei = 1e-18 CAP)")
    if value > MAX_AMOUNT_WEI:
        raise InvalidInput(f"{what} {text!r} is too large (at most {fmt_cap(MAX_AMOUNT_WEI)})")
    return int(value)


def parse_address(text: str, what: str = "address") -> str:
    """A 0x-prefixed 20-byte hex address (a mixed-case one must carry a valid checksum) -> checksummed."""
    t = str(text).strip()
    if not is_address(t) or not t.startswith("0x"):
        raise InvalidInput(f"{what} {text!r} is not an address (0x and 40 hex digits)")
    return to_checksum_address(t)


def parse_ids(text: str, what: str = "ids") -> list[int]:
    """``"1,2,3"`` -> ``[1, 2, 3]``: positive integers, no repeats."""
    try:
        ids = [int(x) for x in str(text).replace(" ", "").split(",") if x]
    except ValueError:
        raise InvalidInput(f"{what} must be comma-separated integers, not {text!r}") from None
    if not ids or min(ids) < 1 or ids[0] >= 2**256:
        raise InvalidInput(f"{what} must be positive integers, not {text!r}")
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"{what} {text!r} repeats an id")
    return ids


def parse_weights(text: str, count: int | None = None) -> list[int]:
    """``"6000,4000"`` -> basis points: integers in 0..10000 that sum to 10000 (one per item when counted)."""
    try:
        weights = [int(x) for x in str(text).replace(" ", "").split(",") if x]
    except ValueError:
        raise InvalidInput(f"weights must be comma-separated integers (basis points), not {text!r}") from None
    if not weights or any(w < 0 or w > BPS for w in weights) or sum(weights) != BPS:
        raise InvalidInput(f"weights {text!r} must be basis points between 0 and {BPS} that sum to {BPS}")
    if count is not None and len(weights) != count:
        raise InvalidInput(f"{len(weights)} weights for {count} datasets")
    return weights


def parse_duration(text: str | int, what: str = "duration") -> int:
    """``3600``, ``90m``, ``12h``, ``30d``, ``2w`` -> seconds (> 0)."""
    t = str(text).strip().lower()
    unit = DURATION_UNITS.get(t[-1:], None)
    digits = t[:-1] if unit else t
    if not digits.isdigit():
        raise InvalidInput(f"{what} {text!r} is not a positive duration (e.g. 3600, 90m, 12h, 30d)")
    seconds = int(digits) * (unit or 1)
    if not 0 < seconds <= MAX_DURATION:
        raise InvalidInput(f"{what} {text!r} must be more than 0 seconds and fit in 64 bits")
    return seconds


def parse_cid(text: str, what: str = "CID") -> str:
    """A base32 CIDv1 (``bafy...``, ``bafk...``; any codec, a multihash whose length matches) -> itself."""
    t = str(text).strip()
    bad = InvalidInput(f"{what} {text!r} is not a CIDv1 (base32, e.g. bafkrei...)")
    if len(t) < 8 or t[0] != "b" or t != t.lower():
        raise bad
    try:
        raw = base64.b32decode(t[1:].upper() + "=" * (-len(t[1:]) % 8))
        version, pos = _uvarint(raw, 0)
        _codec, pos = _uvarint(raw, pos)
        _hash, pos = _uvarint(raw, pos)
        length, pos = _uvarint(raw, pos)
    except (ValueError, IndexError):
        raise bad from None
    if version != 1 or length == 0 or len(raw) - pos != length:
        raise bad
    return t


def _uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = buf[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def parse_url(text: str, what: str = "URL") -> str:
    """An http(s)/ws(s) URL with a host."""
    t = str(text).strip()
    parsed = urlparse(t)
    try:
        _ = parsed.port
    except ValueError:
        raise InvalidInput(f"{what} {text!r} has a bad port") from None
    if parsed.scheme not in URL_SCHEMES or not parsed.hostname:
        raise InvalidInput(f"{what} {text!r} is not a URL (e.g. http://127.0.0.1:8545)")
    return t
