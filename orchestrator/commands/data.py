"""`datacap data`: commit, register and disclose datasets ($Data)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from orchestrator.actions import fmt_cap
from orchestrator import possession
from orchestrator.actions import assets
from orchestrator.commands.base import ADDRESS, AMOUNT, App, json_option, pass_app, table, tx_line
from orchestrator.errors import InvalidInput, NotFound


@click.group("data")
def group() -> None:
    """Data owners: commit a dataset locally, register it as a $Data NFT, disclose, list.

    \b
    Example:
      datacap data register ./wine.csv --name wine --price 2
    """


@group.command("commit")
@click.argument("path")
@json_option
@pass_app
def commit(app: App, path) -> None:
    """Print the Poseidon commitment of a dataset (a CSV, any file, or a directory). Nothing leaves this machine.

    \b
    Example:
      datacap data commit ./wine.csv
    """
    c = assets.commit_dataset(path, possession.LocalDatasets(app.settings.data_dir).trees)
    app.emit(c, f"{c.root}  ({c.records} records, {c.path})")


@group.command("samples")
@click.argument("directory", default="samples")
@click.option("--owners", type=click.IntRange(2, 16), default=2, show_default=True, help="Owner shards to write.")
@json_option
@pass_app
def samples(app: App, directory, owners) -> None:
    """Write small sample CSVs (scikit-learn's wine, label column `target`): owner1.csv .. ownerN.csv, non-IID
    shards to register, and test.csv, the trainer's held-out rows. Same files every time.

    \b
    Example:
      datacap data samples ./samples && datacap data register ./samples/owner1.csv --account dev1
    """
    import csv
    import tempfile

    from sklearn.datasets import load_wine

    from orchestrator.training.datasets import prepare

    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"{out} exists and is not a directory")
    wine = load_wine()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "wine.csv"
        with source.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow([n.replace(" ", "_").replace("/", "_") for n in wine.feature_names] + ["target"])
            w.writerows([*map(float, x), int(y)] for x, y in zip(wine.data, wine.target))
        prep = prepare(out, owners, dataset=str(source), label="target", alpha=100.0)
    files = [str(p) for p in prep.owner_files] + [prep.test_ref["path"]]
    app.emit({"files": files, "label": "target", "features": prep.features, "classes": prep.classes},
             lambda: "\n".join(files) + f"\n(label column `target`, {prep.features} features, {prep.classes} classes)")


@group.command("register")
@click.argument("path")
@click.option("--name", default=None, help="Dataset name (default: the file name).")
@click.option("--description", default="", help="One-paragraph description.")
@click.option("--price", type=AMOUNT, default="0", show_default=True, help="Price per use, in CAP.")
@json_option
@pass_app
def register(app: App, path, name, description, price) -> None:
    """Commit a dataset, put its metadata on IPFS and mint its $Data. The data itself stays here.

    \b
    Example:
      datacap data register ./wine.csv --name wine --price 2 --json
    """
    local = possession.LocalDatasets(app.settings.data_dir)
    assets.commit_dataset(path, local.trees)  # fail on a missing/malformed dataset before touching chain or IPFS
    chain = app.chain()
    with app.step("registering"):
        reg = assets.register_dataset(chain, app.storage(), path, name=name, description=description,
                                      price=price, cache_dir=local.trees)
    # remember where the records live, so possession challenges can be answered (the mint fixed the leaf count)
    local.remember(chain.chain_id, reg.token_id, path)
    app.emit(reg, lambda: f"$Data #{reg.token_id}  root {reg.commitment.root}  metadata ipfs://{reg.metadata_cid}\n"
             + tx_line(reg.tx))


def _load_json_file(path: str | None, what: str):
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no such file: {p}")
    try:
        return json.loads(p.read_text())
    except ValueError as exc:
        raise InvalidInput(f"{what} file {p} is not JSON ({exc})") from None


@group.command("disclose")
@click.argument("token_id", type=int)
@click.option("--abstract", default=None, help="A short abstract of the dataset.")
@click.option("--schema", "schema_file", default=None, help="JSON file describing the columns.")
@click.option("--samples", "samples_file", default=None, help="JSON file with a few sample records.")
@json_option
@pass_app
def disclose(app: App, token_id, abstract, schema_file, samples_file) -> None:
    """Publish disclosure metadata (abstract, schema, samples) for a $Data you own.

    \b
    Example:
      datacap data disclose 1 --abstract "wine chemistry, 178 rows" --schema schema.json
    """
    schema = _load_json_file(schema_file, "schema")
    samples = _load_json_file(samples_file, "samples")
    cid, tx = assets.disclose(app.chain(), app.storage(), token_id, abstract=abstract, schema=schema, samples=samples)
    app.emit({"token_id": token_id, "metadata_cid": cid, "tx": tx.as_dict()},
             lambda: f"$Data #{token_id} disclosure -> ipfs://{cid}\n" + tx_line(tx))


@group.command("list")
@click.option("--owner", type=ADDRESS, default=None, help="Only datasets of this address.")
@json_option
@pass_app
def list_(app: App, owner) -> None:
    """List registered datasets.

    \b
    Example:
      datacap data list --json
    """
    items = assets.list_data(app.chain(signed=False), owner)
    app.emit(items, lambda: table("$Data", ["id", "owner", "commitment", "metadata", "price/use"],
                                  [[d.token_id, d.owner, d.commitment[:18] + "…", d.metadata_cid,
                                    fmt_cap(d.price_per_use)] for d in items]))


@group.command("show")
@click.argument("token_id", type=int)
@json_option
@pass_app
def show(app: App, token_id) -> None:
    """Show one $Data.

    \b
    Example:
      datacap data show 1
    """
    d = assets.show_data(app.chain(signed=False), token_id)
    app.emit(d)


@group.command("challenge")
@click.argument("token_id", type=int)
@json_option
@pass_app
def challenge(app: App, token_id) -> None:
    """Challenge the owner of a $Data to prove possession (posts the challenge deposit).

    Leaf indices come from a block two blocks later; an unanswered challenge slashes the data mortgage.

    \b
    Example:
      datacap data challenge 3
    """
    challenge_id, tx = possession.open_challenge(app.chain(), token_id)
    app.emit({"challenge_id": challenge_id, "tx": tx.as_dict()}, f"challenge #{challenge_id} on $Data #{token_id}\n"
             + tx_line(tx))


@group.command("answer")
@click.argument("challenge_id", type=int)
@click.option("--path", "dataset", default=None, help="The dataset (default: where `data register` saw it).")
@json_option
@pass_app
def answer(app: App, challenge_id, dataset) -> None:
    """Answer a possession challenge with a zero-knowledge proof: no record leaves this machine.

    `datacap listen` does this by itself for this machine's datasets.

    \b
    Example:
      datacap data answer 1
    """
    chain = app.chain()
    local = possession.LocalDatasets(app.settings.data_dir)
    if dataset is None:
        data_id = chain.call("PossessionChallenges.challengeOf", challenge_id)["dataId"]
        dataset = possession.local_dataset_for(chain, local, data_id)
    with app.step("proving"):
        ans = possession.answer_challenge(chain, challenge_id, dataset, local.trees)
    app.emit(ans, lambda: f"answered challenge #{challenge_id} (leaves {ans.indices})\n" + tx_line(ans.tx))


@group.command("slash-unanswered")
@click.argument("challenge_id", type=int)
@json_option
@pass_app
def slash_unanswered(app: App, challenge_id) -> None:
    """After its deadline, slash the data mortgage behind an unanswered challenge.

    \b
    Example:
      datacap data slash-unanswered 1
    """
    tx = possession.slash_unanswered(app.chain(), challenge_id)
    app.emit(tx, tx_line(tx))
