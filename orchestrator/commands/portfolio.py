"""`datacap portfolio`: curators bundle $Data into weighted $Portfolio NFTs."""

from __future__ import annotations

import click

from orchestrator.actions import assets
from orchestrator.commands.base import ADDRESS, IDS, WEIGHTS, App, json_option, pass_app, table, tx_line
from orchestrator.errors import InvalidInput


@click.group("portfolio")
def group() -> None:
    """Curators: bundle datasets into a weighted portfolio (weights in bps, sum 10,000).

    \b
    Example:
      datacap portfolio create 1,2,3,4 --weights 4000,3000,2000,1000
    """


@group.command("create")
@click.argument("data_ids", type=IDS)
@click.option("--weights", type=WEIGHTS, default=None, help="Comma-separated bps weights summing to 10000 (default: equal).")
@click.option("--name", default="", help="Portfolio name.")
@click.option("--description", default="", help="Description.")
@json_option
@pass_app
def create(app: App, data_ids, weights, name, description) -> None:
    """Create a portfolio of DATA_IDS (comma-separated $Data ids); you become its curator.

    \b
    Example:
      datacap portfolio create 1,2 --weights 6000,4000 --name "wine+digits"
    """
    ids = data_ids
    if weights is not None and len(weights) != len(ids):
        raise InvalidInput(f"{len(weights)} weights for {len(ids)} datasets")
    pid, cid, tx = assets.create_portfolio(app.chain(), app.storage(), ids, weights,
                                           name=name, description=description)
    app.emit({"portfolio_id": pid, "metadata_cid": cid, "tx": tx.as_dict()},
             lambda: f"$Portfolio #{pid} of {ids}  metadata ipfs://{cid}\n" + tx_line(tx))


@group.command("list")
@click.option("--curator", type=ADDRESS, default=None, help="Only portfolios of this address.")
@json_option
@pass_app
def list_(app: App, curator) -> None:
    """List portfolios.

    \b
    Example:
      datacap portfolio list
    """
    items = assets.list_portfolios(app.chain(signed=False), curator)
    app.emit(items, lambda: table("$Portfolio", ["id", "curator", "datasets", "weights", "frozen"],
                                  [[p.portfolio_id, p.curator, p.data_ids, p.weights_bps, p.frozen] for p in items]))


@group.command("show")
@click.argument("portfolio_id", type=int)
@json_option
@pass_app
def show(app: App, portfolio_id) -> None:
    """Show one portfolio.

    \b
    Example:
      datacap portfolio show 1 --json
    """
    app.emit(assets.show_portfolio(app.chain(signed=False), portfolio_id))
