"""`datacap demo`: the whole story on one machine, services started and stopped around it."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Group

from orchestrator.commands.base import App, json_option, pass_app, table
from orchestrator.demo import DemoOptions, run_demo
from orchestrator.errors import InvalidInput
from orchestrator.training.spec import MODES
from orchestrator.keystore import normalize_key


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def parse_list(text: str | None, option: str, kind=str) -> list | None:
    """``a,b,c`` -> a list (None when not given); one-line error on a bad item."""
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise InvalidInput(f"{option} needs at least one value")
    try:
        return [kind(t) for t in items]
    except ValueError:
        raise InvalidInput(f"{option} takes comma-separated numbers, not {text!r}") from None


def _human_stats(report):
    rows = [[c, f"{s['count']}", f"{s['mean']:.6g}", f"{s['var']:.6g}",
             f"{report.pooled[c]['mean']:.6g}" if report.pooled else "-"] for c, s in (report.statistics or {}).items()]
    summary = table(f"datacap demo: joint statistics of {report.dataset}, {report.owners} owners (stats/ckks)",
                    ["column", "count", "mean", "variance", "pooled mean (numpy)"], rows)
    facts = table("result", ["what", "value"], [
        ["max abs error vs pooled numpy", "-" if report.max_abs_error is None else f"{report.max_abs_error:.3g}"],
        ["max rel error vs pooled numpy", "-" if report.max_rel_error is None else f"{report.max_rel_error:.3g}"],
        ["$Model (statistics JSON)", f"#{report.model_token_id} owned by {report.model_owner}"],
        ["gas", f"{report.gas_used:,}"], ["seconds", f"{report.seconds:.1f}"]])
    phases = table("phases", ["phase", "seconds", "gas"],
                   [[p["name"], f"{p['seconds']:.2f}", f"{p['gas']:,}"] for p in report.phases])
    return Group(summary, facts, phases)


@click.command("demo")
@click.option("--dataset", default=None, type=click.Path(dir_okay=False), help="A CSV (default: scikit-learn digits).")
@click.option("--label", default="label", show_default=True, help="The CSV's label column.")
@click.option("--owners", type=int, default=4, show_default=True, help="Data owners (>= 2).")
@click.option("--rounds", type=int, default=None, help="Rounds (default: fedavg 5, encrypted-model 5, stats 1).")
@click.option("--epochs", type=int, default=10, show_default=True, help="Local epochs per round.")
@click.option("--mode", type=click.Choice(MODES), default="fedavg", show_default=True)
@click.option("--scheme", type=click.Choice(["ckks", "bfv-packed"]), default="ckks", show_default=True)
@click.option("--columns", default=None, help="stats: comma-separated columns (default: every feature column).")
@click.option("--bins", default=None, help="stats: comma-separated histogram bin edges shared by the columns.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--keys-file", default=None, type=click.Path(dir_okay=False, exists=True),
              help="With --rpc-url: funded private keys, one per line (owners + 5); default Anvil's dev keys.")
@click.option("--work-dir", default=None, help="Keep the demo's files here (default: a temp dir, removed).")
@json_option
@pass_app
def command(app: App, dataset, label, owners, rounds, epochs, mode, scheme, columns, bins, seed, keys_file,
            work_dir) -> None:
    """Run the demo: Anvil, Redis and a Celery worker up -> deploy -> owners register non-IID shards ->
    portfolio -> stakes -> encrypted FedAvg job -> $Model -> payouts -> use, evaluate, rate -> all down.

    Needs nothing configured: it runs in a fresh temp data dir on free ports with Anvil's dev keys. With the
    global --rpc-url it runs on that (dev) chain instead, e.g. Ganache, signing with --keys-file's keys.

    --mode encrypted-model trains a binary logistic regression with the model encrypted (default data:
    scikit-learn breast_cancer; a multiclass CSV becomes its most frequent class vs the rest); --mode stats
    computes joint count/mean/variance (and histograms with --bins) of --columns in one round (default data:
    scikit-learn wine, raw values).

    \b
    Example:
      datacap demo
      datacap demo --dataset wine.csv --label target --owners 3 --rounds 4 --json
      datacap demo --mode encrypted-model --json
      datacap demo --mode stats --columns alcohol,magnesium,proline --bins 0,100,500,1000,2000
      datacap --rpc-url http://127.0.0.1:8545 demo --keys-file keys.txt --owners 2
    """
    rpc_url = app.overrides.get("rpc_url")  # only an explicit --rpc-url: else the demo's own Anvil
    keys = tuple(normalize_key(line) for line in Path(keys_file).read_text().splitlines()
                 if line.strip()) if keys_file else ()
    if keys and not rpc_url:
        raise InvalidInput("--keys-file goes with --rpc-url (an external chain)")
    opts = DemoOptions(dataset=dataset, label=label, owners=owners, rounds=rounds, epochs=epochs, mode=mode,
                       scheme=scheme, seed=seed, work_dir=Path(work_dir) if work_dir else None,
                       rpc_url=rpc_url, keys=keys,
                       columns=parse_list(columns, "--columns"), bins=parse_list(bins, "--bins", float))
    with app.step("demo") as update:
        report = run_demo(opts, progress=update)

    def human():
        acc = report.accuracy
        if report.mode == "stats":
            return _human_stats(report)
        what = "encrypted FedAvg" if report.mode == "fedavg" else "encrypted-model LR"
        summary = table(f"datacap demo: {report.dataset}, {report.owners} owners, {report.rounds} rounds, "
                        f"{report.mode}/{report.scheme}", ["what", "value"], [
                            [f"accuracy, {what} (on chain)", _pct(acc.get("encrypted_federated"))],
                            [f"accuracy, {what} in plaintext", _pct(acc.get("plaintext_federated"))],
                            ["accuracy, centralized", _pct(acc.get("centralized"))],
                            *([["accuracy, centralized exact-sigmoid LR", _pct(acc["centralized_exact_sigmoid"])]]
                              if "centralized_exact_sigmoid" in acc else []),
                            ["$Model", f"#{report.model_token_id} owned by {report.model_owner}"],
                            ["gas", f"{report.gas_used:,}"],
                            ["seconds", f"{report.seconds:.1f}"]])
        phases = table("phases", ["phase", "seconds", "gas"],
                       [[p["name"], f"{p['seconds']:.2f}", f"{p['gas']:,}"] for p in report.phases])
        rounds_t = table("rounds", ["round", "accuracy", "loss"],
                         [[r["round"], _pct(r["accuracy"]), "-" if r["loss"] is None else f"{r['loss']:.4f}"]
                          for r in report.per_round])
        return Group(summary, rounds_t, phases)

    app.emit(report, human)
