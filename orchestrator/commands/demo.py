"""`datacap demo`: the whole story on one machine, services started and stopped around it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Group

from orchestrator.commands.base import App, json_option, pass_app, table
from orchestrator.demo import DemoOptions, run_demo


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


@click.command("demo")
@click.option("--dataset", default=None, type=click.Path(dir_okay=False), help="A CSV (default: scikit-learn digits).")
@click.option("--label", default="label", show_default=True, help="The CSV's label column.")
@click.option("--owners", type=int, default=4, show_default=True, help="Data owners (>= 2).")
@click.option("--rounds", type=int, default=5, show_default=True)
@click.option("--epochs", type=int, default=10, show_default=True, help="Local epochs per round.")
@click.option("--mode", type=click.Choice(["fedavg", "encrypted-model", "stats"]), default="fedavg", show_default=True)
@click.option("--scheme", type=click.Choice(["ckks", "bfv-packed"]), default="ckks", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--work-dir", default=None, help="Keep the demo's files here (default: a temp dir, removed).")
@json_option
@pass_app
def command(app: App, dataset, label, owners, rounds, epochs, mode, scheme, seed, work_dir) -> None:
    """Run the demo: Anvil, Redis and a Celery worker up -> deploy -> owners register non-IID shards ->
    portfolio -> stakes -> encrypted FedAvg job -> $Model -> payouts -> use, evaluate, rate -> all down.

    Needs nothing configured: it runs in a fresh temp data dir on free ports with Anvil's dev keys.

    \b
    Example:
      datacap demo
      datacap demo --dataset wine.csv --label target --owners 3 --rounds 4 --json
    """
    opts = DemoOptions(dataset=dataset, label=label, owners=owners, rounds=rounds, epochs=epochs, mode=mode,
                       scheme=scheme, seed=seed, work_dir=Path(work_dir) if work_dir else None)
    with app.step("demo") as update:
        report = run_demo(opts, progress=update)

    def human():
        acc = report.accuracy
        summary = table(f"datacap demo: {report.dataset}, {report.owners} owners, {report.rounds} rounds, "
                        f"{report.mode}/{report.scheme}", ["what", "value"], [
                            ["accuracy, encrypted FedAvg (on chain)", _pct(acc.get("encrypted_federated"))],
                            ["accuracy, plaintext FedAvg", _pct(acc.get("plaintext_federated"))],
                            ["accuracy, centralized", _pct(acc.get("centralized"))],
                            ["$Model", f"#{report.model_token_id} owned by {report.model_owner}"],
                            ["gas", f"{report.gas_used:,}"],
                            ["seconds", f"{report.seconds:.1f}"]])
        phases = table("phases", ["phase", "seconds", "gas"],
                       [[p["name"], f"{p['seconds']:.2f}", f"{p['gas']:,}"] for p in report.phases])
        rounds_t = table("rounds", ["round", "accuracy", "loss"],
                         [[r["round"], _pct(r["accuracy"]), f"{r['loss']:.4f}"] for r in report.per_round])
        return Group(summary, rounds_t, phases)

    app.emit(report, human)
