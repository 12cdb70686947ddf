"""`datacap eval`: evaluations of models by paying users, and ratings of evaluations."""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator.actions import market
from orchestrator.commands.base import CID, App, json_option, pass_app, tx_line
from orchestrator.errors import InvalidInput, NotFound


@click.group("eval")
def group() -> None:
    """Post an evaluation (example input/output + score 1-5) of a model you paid for; rate others'.

    \b
    Example:
      datacap eval post 1 --example ./example.json --score 4
    """


@group.command("post")
@click.argument("model_id", type=int)
@click.option("--example", "example", default=None, help="File with the input/output example (put on IPFS).")
@click.option("--cid", type=CID, default=None, help="CID of an example already on IPFS.")
@click.option("--score", type=click.IntRange(1, 5), required=True, help="Score, 1 to 5.")
@json_option
@pass_app
def post(app: App, model_id, example, cid, score) -> None:
    """Post an evaluation of MODEL_ID.

    \b
    Example:
      datacap eval post 1 --example ./example.json --score 4
    """
    if bool(example) == bool(cid):
        raise InvalidInput("give exactly one of --example FILE or --cid CID")
    if example:
        if not Path(example).is_file():
            raise NotFound(f"no such file: {example}")
        chain = app.chain()
        cid = app.storage().add_file(example)
    else:
        chain = app.chain()
    eid, tx = market.post_evaluation(chain, model_id, cid, score)
    app.emit({"evaluation_id": eid, "example_cid": cid, "tx": tx.as_dict()},
             lambda: f"evaluation #{eid} of $Model #{model_id} (score {score}, ipfs://{cid})\n" + tx_line(tx))


@group.command("rate")
@click.argument("evaluation_id", type=int)
@click.option("--up/--down", default=True, help="Up- or down-vote (default up).")
@json_option
@pass_app
def rate(app: App, evaluation_id, up) -> None:
    """Rate another user's evaluation (you must have paid for the model).

    \b
    Example:
      datacap eval rate 1 --up
    """
    tx = market.rate_evaluation(app.chain(), evaluation_id, up)
    app.emit({"evaluation_id": evaluation_id, "up": up, "tx": tx.as_dict()},
             lambda: f"rated evaluation #{evaluation_id} {'up' if up else 'down'}\n" + tx_line(tx))


@group.command("show")
@click.argument("evaluation_id", type=int)
@json_option
@pass_app
def show(app: App, evaluation_id) -> None:
    """Show an evaluation.

    \b
    Example:
      datacap eval show 1 --json
    """
    app.emit(market.show_evaluation(app.chain(signed=False), evaluation_id))
