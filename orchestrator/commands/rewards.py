"""`datacap rewards`: what an account earned, and claiming it."""

from __future__ import annotations

import click

from orchestrator.actions import fmt_cap, market
from orchestrator.commands.base import ADDRESS, App, json_option, pass_app, tx_line
from orchestrator.errors import InvalidInput


@click.group("rewards")
def group() -> None:
    """Staking rewards, per-use bonuses, market payouts and data-owner shares.

    \b
    Example:
      datacap rewards show && datacap rewards claim --data-share 1:2
    """


@group.command("show")
@click.argument("address", type=ADDRESS, required=False)
@json_option
@pass_app
def show(app: App, address) -> None:
    """Show what ADDRESS (default: you) can claim.

    \b
    Example:
      datacap rewards show 0x7099...
    """
    e = market.earnings(app.chain(signed=address is None), address)
    app.emit(e, lambda: f"{e.account}: staking {fmt_cap(e.staking_rewards)}, bonus {fmt_cap(e.bonus)}, "
             f"market {fmt_cap(e.market_owed)}; balance {fmt_cap(e.cap_balance)}")


@group.command("claim")
@click.option("--data-share", "shares", multiple=True, help="PORTFOLIO:DATA share to claim (repeatable).")
@json_option
@pass_app
def claim(app: App, shares) -> None:
    """Claim everything claimable.

    \b
    Example:
      datacap rewards claim --data-share 1:1 --data-share 1:2
    """
    try:
        pairs = [tuple(int(x) for x in s.split(":")) for s in shares]
    except ValueError:
        raise InvalidInput("--data-share takes PORTFOLIO:DATA, e.g. 1:2") from None
    chain = app.chain()
    me = chain.address_of_signer()
    before = chain.call("CapToken.balanceOf", me)
    txs = market.claim_all(chain, pairs)
    claimed = chain.call("CapToken.balanceOf", me) - before
    app.emit({"claimed": claimed, "txs": [t.as_dict() for t in txs]},
             lambda: "\n".join([f"claimed {fmt_cap(claimed)}"] + [f"{t.label}\n{tx_line(t)}" for t in txs])
             if txs else "nothing to claim")
