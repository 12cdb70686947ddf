"""`datacap model`: trained $Model NFTs, pay-per-use."""

from __future__ import annotations

import click

from orchestrator.actions import assets, fmt_cap, market
from orchestrator.commands.base import ADDRESS, AMOUNT, CID, App, json_option, pass_app, table, tx_line


@click.group("model")
def group() -> None:
    """Users: list models, pay to use one; owners: set a price.

    \b
    Example:
      datacap model use 1
    """


@group.command("list")
@json_option
@pass_app
def list_(app: App) -> None:
    """List models with price and evaluation score.

    \b
    Example:
      datacap model list
    """
    items = assets.list_models(app.chain(signed=False))
    app.emit(items, lambda: table("$Model", ["id", "owner", "portfolio", "rounds", "price", "evals", "avg score (1-5)"],
                                  [[m.model_id, m.owner, m.lineage.get("portfolioId"), m.lineage.get("rounds"),
                                    fmt_cap(m.price), m.evaluations, f"{m.average_score / 100:.2f}"] for m in items]))


@group.command("show")
@click.argument("model_id", type=int)
@json_option
@pass_app
def show(app: App, model_id) -> None:
    """Show a model's lineage, price and score.

    \b
    Example:
      datacap model show 1 --json
    """
    app.emit(assets.show_model(app.chain(signed=False), model_id))


@group.command("use")
@click.argument("model_id", type=int)
@click.option("--max-price", type=AMOUNT, default=None,
              help="Most you pay, in CAP (default: the price read just before paying); a higher price reverts.")
@json_option
@pass_app
def use(app: App, model_id, max_price) -> None:
    """Pay the model's price in CAP (approving it first); the fee is split trainer/data/curator/treasury.

    \b
    Example:
      datacap model use 1 --account dev3 --max-price 5
    """
    tx = market.use_model(app.chain(), model_id, max_price)
    app.emit({"model_id": model_id, "tx": tx.as_dict()}, lambda: f"used $Model #{model_id}\n" + tx_line(tx))


@group.command("price")
@click.argument("model_id", type=int)
@click.argument("price", type=AMOUNT)
@json_option
@pass_app
def price(app: App, model_id, price) -> None:
    """Set the price per use of a model you own (in CAP).

    \b
    Example:
      datacap model price 1 5
    """
    tx = market.set_price(app.chain(), model_id, price)
    app.emit({"model_id": model_id, "price": price, "tx": tx.as_dict()},
             lambda: f"$Model #{model_id} costs {fmt_cap(price)} per use\n" + tx_line(tx))


@group.command("mint")
@click.option("--trainer", type=ADDRESS, default=None, help="Who receives the model (default: you).")
@click.option("--portfolio", "portfolio_id", type=int, required=True, help="Portfolio it was trained on.")
@click.option("--job", "job_id", type=int, default=0, show_default=True, help="Training job id.")
@click.option("--rounds", type=int, default=1, show_default=True, help="Training rounds.")
@click.option("--weights-cid", type=CID, required=True, help="CID of the weights.")
@click.option("--metadata-cid", default="-", help="CID of the metadata JSON.")
@json_option
@pass_app
def mint(app: App, trainer, portfolio_id, job_id, rounds, weights_cid, metadata_cid) -> None:
    """Mint a $Model directly (needs MINTER_ROLE; normally JobMarket does it at finalize).

    \b
    Example:
      datacap model mint --portfolio 1 --weights-cid bafy... --account minter
    """
    chain = app.chain()
    mid, tx = assets.mint_model(chain, trainer or chain.signer.address, job_id=job_id, portfolio_id=portfolio_id,
                                rounds=rounds, weights_cid=weights_cid, metadata_cid=metadata_cid)
    app.emit({"model_id": mid, "tx": tx.as_dict()}, lambda: f"$Model #{mid}\n" + tx_line(tx))
