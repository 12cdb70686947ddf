"""`datacap demo`: the whole story on one machine, services started and stopped around it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from orchestrator.commands.base import App, json_option, pass_app
from orchestrator.demo import run_demo


@click.command("demo")
@click.option("--work-dir", default=None, help="Where the demo's datasets go (default: a temp dir).")
@json_option
@pass_app
def command(app: App, work_dir) -> None:
    """Run the demo: Anvil up -> deploy -> 4 owners register data -> portfolio -> stakes -> Anvil down.

    Uses Anvil's dev accounts dev0..dev5 (imported into the keystore with DATACAP_PASSWORD).

    \b
    Example:
      DATACAP_PASSWORD=demo datacap demo
    """
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="datacap-demo-"))
    with app.step("demo") as update:
        report = run_demo(app.settings, app.password(), storage=app.storage(), work_dir=work, progress=update)
    lines = [f"deployment: {report.deployment}"]
    lines += [f"{d['owner']}: $Data #{d['token_id']} <- {d['file']}" for d in report.datasets]
    lines += [f"curator: $Portfolio #{report.portfolio_id}",
              f"stakes: {len(report.stakes)} positions"]
    lines += [f"pending: {p}" for p in report.pending]
    app.emit(report, "\n".join(lines))
