"""`datacap deploy`: the whole contract suite, wired, recorded in deployments/<chainId>.json."""

from __future__ import annotations

import click

from orchestrator import deploy as deploy_lib
from orchestrator.commands.base import ADDRESS, App, json_option, pass_app, table


@click.command("deploy")
@click.option("--force", is_flag=True, help="Replace a live deployment recorded for this chain.")
@click.option("--faucet/--no-faucet", default=None,
              help="Mint CAP to the node's dev accounts (default: on the local chain only).")
@click.option("--only", multiple=True, help="Deploy only these contracts (repeatable).")
@click.option("--treasury", type=ADDRESS, default=None, help="Treasury address (default: the deployer).")
@json_option
@pass_app
def command(app: App, force, faucet, only, treasury) -> None:
    """Deploy every contract in abi/ in dependency order and wire roles and hooks.

    Refuses to overwrite a live deployment (file present and code at its addresses) unless --force.

    \b
    Example:
      datacap chain up && datacap deploy --account dev0
    """
    chain = app.chain()
    with app.step("deploying") as update:
        report = deploy_lib.deploy_suite(chain, force=force, only=list(only) or None, treasury=treasury,
                                         faucet=faucet, progress=update)
    rows = [[n, c.address, f"{report.gas.get(n, 0):,}"] for n, c in report.deployment.contracts.items()]
    app.emit(report, lambda: table(f"deployed on chain {report.deployment.chain_id} -> {report.path}",
                                   ["contract", "address", "gas"], rows))
