"""`datacap job`: training jobs (the encrypted-training engineer adds `run` / `verify`)."""

from __future__ import annotations

import click

from orchestrator.actions import jobs, parse_cap
from orchestrator.commands.base import App, json_option, pass_app, tx_line


@click.group("job")
def group() -> None:
    """Post a training job on a portfolio (escrowing its budget), join it with your $Data, follow it.

    \b
    Example:
      datacap job create 1 --budget 500 --rounds 3 --min-participants 4
    """


@group.command("create")
@click.argument("portfolio_id", type=int)
@click.option("--budget", required=True, help="Budget in CAP, escrowed.")
@click.option("--rounds", type=int, default=1, show_default=True)
@click.option("--min-participants", type=int, default=1, show_default=True)
@click.option("--join-window", type=int, default=86_400, show_default=True, help="Seconds to join.")
@click.option("--round-duration", type=int, default=86_400, show_default=True, help="Seconds per round.")
@click.option("--aggregator-fee-bps", type=int, default=500, show_default=True)
@click.option("--model-spec-cid", default="-", help="CID of the model spec.")
@click.option("--he-context-cid", default="-", help="CID of the trainer's public HE context.")
@json_option
@pass_app
def create(app: App, portfolio_id, budget, rounds, min_participants, join_window, round_duration,
           aggregator_fee_bps, model_spec_cid, he_context_cid) -> None:
    """Post a job on PORTFOLIO_ID.

    \b
    Example:
      datacap job create 1 --budget 500 --rounds 3
    """
    terms = jobs.JobTerms(portfolio_id, parse_cap(budget), rounds, min_participants, join_window, round_duration,
                          aggregator_fee_bps, model_spec_cid, he_context_cid)
    jid, tx = jobs.create_job(app.chain(), terms)
    app.emit({"job_id": jid, "tx": tx.as_dict()}, lambda: f"job #{jid} on portfolio #{portfolio_id}\n" + tx_line(tx))


@group.command("join")
@click.argument("job_id", type=int)
@click.argument("data_id", type=int)
@json_option
@pass_app
def join(app: App, job_id, data_id) -> None:
    """Join JOB_ID with your DATA_ID (posts the participant bond).

    \b
    Example:
      datacap job join 1 2 --account dev2
    """
    tx = jobs.join_job(app.chain(), job_id, data_id)
    app.emit({"job_id": job_id, "data_id": data_id, "tx": tx.as_dict()},
             lambda: f"joined job #{job_id} with $Data #{data_id}\n" + tx_line(tx))


@group.command("status")
@click.argument("job_id", type=int)
@json_option
@pass_app
def status(app: App, job_id) -> None:
    """Show a job.

    \b
    Example:
      datacap job status 1 --json
    """
    app.emit(jobs.job_status(app.chain(signed=False), job_id))


@group.command("cancel")
@click.argument("job_id", type=int)
@json_option
@pass_app
def cancel(app: App, job_id) -> None:
    """Cancel a job that has not started (refunds escrow, releases bonds).

    \b
    Example:
      datacap job cancel 1
    """
    tx = jobs.cancel_job(app.chain(), job_id)
    app.emit({"job_id": job_id, "tx": tx.as_dict()}, lambda: f"job #{job_id} cancelled\n" + tx_line(tx))
