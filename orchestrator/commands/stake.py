"""`datacap stake`: stakes ("mortgages") per role and asset."""

from __future__ import annotations

import click

from orchestrator.actions import fmt_cap, stakes
from orchestrator.commands.base import ADDRESS, AMOUNT, App, fmt_time, json_option, pass_app, tx_line

ROLE = click.Choice(stakes.ROLES)


@click.group("stake")
def group() -> None:
    """Stake CAP behind a role (and an asset), thaw it, withdraw it; stakes vote in referenda.

    \b
    Example:
      datacap stake deposit data-owner 100 --asset 1
    """


@group.command("deposit")
@click.argument("role", type=ROLE)
@click.argument("amount", type=AMOUNT)
@click.option("--asset", "asset_id", type=int, default=0, show_default=True, help="Backed asset id (0: none).")
@json_option
@pass_app
def deposit(app: App, role, amount, asset_id) -> None:
    """Stake AMOUNT CAP as ROLE (approving Staking first if needed).

    \b
    Example:
      datacap stake deposit curator 50 --asset 1
    """
    tx = stakes.deposit(app.chain(), role, asset_id, amount)
    app.emit({"role": role, "asset_id": asset_id, "amount": amount, "tx": tx.as_dict()},
             lambda: f"staked {fmt_cap(amount)} as {role} (asset {asset_id})\n" + tx_line(tx))


@group.command("withdraw")
@click.argument("role", type=ROLE)
@click.option("--asset", "asset_id", type=int, default=0, show_default=True, help="Backed asset id.")
@click.option("--amount", type=AMOUNT, default=None, help="Start thawing this much; without it, withdraw what has thawed.")
@json_option
@pass_app
def withdraw(app: App, role, asset_id, amount) -> None:
    """Start thawing a stake (--amount) or withdraw a thawed one.

    \b
    Example:
      datacap stake withdraw data-owner --asset 1 --amount 10   # starts the thawing period
      datacap stake withdraw data-owner --asset 1               # after it: takes the CAP back
    """
    chain = app.chain()
    if amount is not None:
        tx = stakes.request_unstake(chain, role, asset_id, amount)
        what = f"thawing {fmt_cap(amount)}"
    else:
        tx = stakes.withdraw(chain, role, asset_id)
        what = "withdrew the thawed stake"
    app.emit({"role": role, "asset_id": asset_id, "amount": amount, "tx": tx.as_dict()},
             lambda: f"{what} ({role}, asset {asset_id})\n" + tx_line(tx))


@group.command("status")
@click.argument("role", type=ROLE)
@click.option("--asset", "asset_id", type=int, default=0, show_default=True, help="Backed asset id.")
@click.option("--address", type=ADDRESS, default=None, help="Whose stake (default: yours).")
@json_option
@pass_app
def status(app: App, role, asset_id, address) -> None:
    """Show a stake position, your voting stake and the total stake.

    \b
    Example:
      datacap stake status data-owner --asset 1 --json
    """
    chain = app.chain(signed=address is None)
    st = stakes.stake_status(chain, role, asset_id, address)
    app.emit(st, lambda: f"{st.account} {st.role} asset {st.asset_id}: active {fmt_cap(st.active)}, "
             f"thawing {fmt_cap(st.thawing)} (until {fmt_time(st.thaw_end) if st.thaw_end else '-'}); "
             f"voting {fmt_cap(st.voting_stake)} "
             f"of {fmt_cap(st.total_stake)}")
