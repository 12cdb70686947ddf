"""What each party does on chain, as plain functions over a :class:`~orchestrator.chain.Chain`.

The CLI and the demo call these; they return data classes, never print, never exit.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from orchestrator.errors import InvalidInput

CAP = 10**18


def parse_cap(amount: str | int | Decimal) -> int:
    """``"1.5"`` CAP -> wei. Integers given as ``123wei`` are taken as wei."""
    text = str(amount).strip()
    try:
        if text.endswith("wei"):
            value = int(text[:-3])
        else:
            value = int(Decimal(text) * CAP)
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"not an amount of CAP: {amount!r}") from None
    if value < 0:
        raise InvalidInput(f"negative amount: {amount!r}")
    return value


def fmt_cap(wei: int) -> str:
    text = f"{Decimal(wei) / CAP:f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} CAP"


def ensure_allowance(chain, spender_contract: str, amount: int) -> None:
    """Approve ``spender_contract`` for ``amount`` CAP when the current allowance is short."""
    spender = chain.address(spender_contract)
    owner = chain.address_of_signer()
    if amount and chain.call("CapToken.allowance", owner, spender) < amount:
        chain.transact("CapToken.approve", spender, amount, label=f"CapToken.approve({spender_contract})")
