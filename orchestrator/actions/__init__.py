"""What each party does on chain, as plain functions over a :class:`~orchestrator.chain.Chain`.

The CLI and the demo call these; they return data classes, never print, never exit.
"""

from __future__ import annotations

from orchestrator.params import CAP, fmt_cap, parse_cap

__all__ = ["CAP", "ensure_allowance", "fmt_cap", "parse_cap"]


def ensure_allowance(chain, spender_contract: str, amount: int) -> None:
    """When the allowance of ``spender_contract`` is short of ``amount`` CAP, approve it with the next
    transaction, once a simulation of that transaction shows the allowance is all it lacks."""
    spender = chain.address(spender_contract)
    owner = chain.address_of_signer()
    if amount and chain.call("CapToken.allowance", owner, spender) < amount:
        chain.approve_before_next(spender_contract, amount)
