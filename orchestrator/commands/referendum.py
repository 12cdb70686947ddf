"""`datacap referendum`: stake-weighted referenda (slash, parameter change, regulator)."""

from __future__ import annotations

import json

import click
from web3.exceptions import Web3Exception

from orchestrator.actions import fmt_cap, stakes
from orchestrator.commands.base import ADDRESS, AMOUNT, App, json_option, pass_app, table, tx_line
from orchestrator.errors import InvalidInput


@click.group("referendum")
def group() -> None:
    """Propose, vote and execute referenda; votes weigh the stake at the proposal's snapshot.

    \b
    Example:
      datacap referendum propose slash --party 0xabc... --role aggregator --amount 50 --evidence ./log.json
    """


@group.group("propose")
def propose() -> None:
    """Open a referendum (the proposal deposit is taken in CAP)."""


def _cid(app: App, evidence: str) -> str:
    from pathlib import Path

    p = Path(evidence)
    if p.is_file():
        return app.storage().add_file(p)
    return app.storage().add_bytes(json.dumps({"text": evidence}).encode())


@propose.command("slash")
@click.option("--party", type=ADDRESS, required=True, help="Address to slash.")
@click.option("--role", type=click.Choice(stakes.ROLES), required=True, help="The stake's role.")
@click.option("--asset", "asset_id", type=int, default=0, show_default=True, help="The stake's asset id.")
@click.option("--amount", type=AMOUNT, required=True, help="CAP to slash.")
@click.option("--evidence", required=True, help="Evidence: a file (put on IPFS) or a text.")
@click.option("--fault-time", type=int, default=None, help="Unix time of the fault (default: now).")
@json_option
@pass_app
def propose_slash(app: App, party, role, asset_id, amount, evidence, fault_time) -> None:
    """Propose to slash a party's stake, with evidence.

    \b
    Example:
      datacap referendum propose slash --party 0x709... --role data-owner --asset 1 --amount 10 --evidence "no answer"
    """
    chain = app.chain()
    rid, tx = stakes.propose_slash(chain, party, role, asset_id, amount,
                                   _cid(app, evidence), fault_time)
    app.emit({"referendum_id": rid, "tx": tx.as_dict()}, lambda: f"referendum #{rid} (slash)\n" + tx_line(tx))


@propose.command("param")
@click.option("--target", required=True, help="Contract name, e.g. Staking.")
@click.option("--function", "function", required=True, help="Setter name, e.g. setMinStake.")
@click.option("--arg", "args", multiple=True, help="Argument (repeatable; integers are parsed).")
@click.option("--description", default="", help="Why.")
@json_option
@pass_app
def propose_param(app: App, target, function, args, description) -> None:
    """Propose a parameter change (Governance calls TARGET.FUNCTION(ARGS) when executed).

    \b
    Example:
      datacap referendum propose param --target Staking --function setMinStake --arg 2000000000000000000
    """
    parsed = [int(a) if a.lstrip("-").isdigit() else a for a in args]
    chain = app.chain()
    try:  # before the deposit approval and the IPFS write: a wrong name or argument list leaves nothing behind
        chain.contract(target).encode_abi(function, args=parsed)
    except (Web3Exception, AttributeError, TypeError, ValueError, OverflowError) as exc:
        raise InvalidInput(f"{target}.{function}({', '.join(args)}) cannot be encoded: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    rid, tx = stakes.propose_param_change(chain, target, function, parsed, _cid(app, description or function))
    app.emit({"referendum_id": rid, "tx": tx.as_dict()}, lambda: f"referendum #{rid} (param change)\n" + tx_line(tx))


@propose.command("regulator")
@click.argument("address", type=ADDRESS)
@click.option("--description", default="", help="Why.")
@json_option
@pass_app
def propose_regulator(app: App, address, description) -> None:
    """Propose to appoint ADDRESS as the regulator.

    \b
    Example:
      datacap referendum propose regulator 0x3C44... --description "appoint the data-protection office"
    """
    chain = app.chain()
    rid, tx = stakes.propose_regulator(chain, address, _cid(app, description or "regulator"))
    app.emit({"referendum_id": rid, "tx": tx.as_dict()}, lambda: f"referendum #{rid} (regulator)\n" + tx_line(tx))


@group.command("vote")
@click.argument("referendum_id", type=int)
@click.argument("choice", type=click.Choice(["yes", "no"]))
@json_option
@pass_app
def vote(app: App, referendum_id, choice) -> None:
    """Vote yes or no with your stake at the referendum's snapshot.

    \b
    Example:
      datacap referendum vote 1 yes
    """
    tx = stakes.vote(app.chain(), referendum_id, choice == "yes")
    app.emit({"referendum_id": referendum_id, "support": choice == "yes", "tx": tx.as_dict()},
             lambda: f"voted {choice} on referendum #{referendum_id}\n" + tx_line(tx))


@group.command("execute")
@click.argument("referendum_id", type=int)
@json_option
@pass_app
def execute(app: App, referendum_id) -> None:
    """Execute a referendum that succeeded, after its timelock (anyone may).

    \b
    Example:
      datacap referendum execute 1
    """
    tx = stakes.execute(app.chain(), referendum_id)
    app.emit({"referendum_id": referendum_id, "tx": tx.as_dict()},
             lambda: f"referendum #{referendum_id} executed\n" + tx_line(tx))


@group.command("list")
@json_option
@pass_app
def list_(app: App) -> None:
    """List referenda and where they stand.

    \b
    Example:
      datacap referendum list --json
    """
    items = stakes.list_referenda(app.chain(signed=False))
    app.emit(items, lambda: table("referenda", ["id", "kind", "state", "for", "against", "action"],
                                  [[r.id, r.kind, r.state, fmt_cap(r.for_votes), fmt_cap(r.against_votes),
                                    r.action] for r in items]))


@group.command("show")
@click.argument("referendum_id", type=int)
@json_option
@pass_app
def show(app: App, referendum_id) -> None:
    """Show one referendum.

    \b
    Example:
      datacap referendum show 1
    """
    app.emit(stakes.show_referendum(app.chain(signed=False), referendum_id))
