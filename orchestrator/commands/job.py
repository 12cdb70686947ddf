"""`datacap job`: training jobs: post, join, run this party's agents, verify a round, cancel."""

from __future__ import annotations

import click

from orchestrator.actions import jobs
from orchestrator.commands.base import ADDRESS, AMOUNT, DURATION, App, json_option, pass_app, tx_line
from orchestrator.errors import InvalidInput
from orchestrator.training.spec import MODES


@click.group("job")
def group() -> None:
    """Post a training job on a portfolio (escrowing its budget), join it with your $Data, follow it.

    \b
    Example:
      datacap job create 1 --budget 500 --rounds 3 --min-participants 4
    """


@group.command("create")
@click.argument("portfolio_id", type=int)
@click.option("--budget", type=AMOUNT, required=True, help="Budget in CAP, escrowed.")
@click.option("--rounds", type=int, default=1, show_default=True)
@click.option("--min-participants", type=int, default=None,
              help="Participants needed to open; at least (and by default) JobMarket.MIN_AGGREGATE, so every "
                   "aggregate sums two or more owners' updates.")
@click.option("--join-window", type=DURATION, default=86_400, show_default=True,
              help="Time to join (seconds, or 90m, 12h, 1d).")
@click.option("--round-duration", type=DURATION, default=86_400, show_default=True,
              help="Time per round (seconds, or 90m, 12h, 1d).")
@click.option("--aggregator-fee-bps", type=int, default=500, show_default=True)
@click.option("--model-spec-cid", default="-", help="CID of the model spec.")
@click.option("--he-context-cid", default="-", help="CID of the trainer's public HE context.")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help="Encrypted training mode: generates HE keys here and publishes the spec and public context.")
@click.option("--scheme", type=click.Choice(["ckks", "bfv-packed"]), default="ckks", show_default=True)
@click.option("--model", "model_kind", type=click.Choice(["mlp", "logistic"]), default="mlp", show_default=True)
@click.option("--hidden", type=int, default=32, show_default=True)
@click.option("--features", type=int, default=None, help="Input features (with --mode).")
@click.option("--classes", type=int, default=None, help="Classes (with --mode).")
@click.option("--epochs", type=int, default=10, show_default=True, help="Local epochs per round.")
@click.option("--lr", type=float, default=0.05, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--columns", default=None, help="stats: comma-separated column names (default: all, needs --features).")
@click.option("--bins", default=None, help="stats: comma-separated histogram bin edges shared by the columns.")
@click.option("--positive", type=int, default=1, show_default=True,
              help="encrypted-model: the class index that is label 1 (binary logistic regression).")
@json_option
@pass_app
def create(app: App, portfolio_id, budget, rounds, min_participants, join_window, round_duration,
           aggregator_fee_bps, model_spec_cid, he_context_cid, mode, scheme, model_kind, hidden, features, classes,
           epochs, lr, seed, columns, bins, positive) -> None:
    """Post a job on PORTFOLIO_ID.

    \b
    Example:
      datacap job create 1 --budget 500 --rounds 3
      datacap job create 1 --budget 500 --rounds 5 --mode fedavg --scheme ckks --features 64 --classes 10
      datacap job create 1 --budget 500 --rounds 5 --mode encrypted-model --features 30 --lr 0.1
      datacap job create 1 --budget 500 --mode stats --columns alcohol,proline --bins 0,500,1000,2000
    """
    terms = jobs.JobTerms(portfolio_id, budget, rounds, min_participants, join_window, round_duration,
                          aggregator_fee_bps, model_spec_cid, he_context_cid)
    if mode is None:
        jid, tx = jobs.create_job(app.chain(), terms)
        app.emit({"job_id": jid, "tx": tx.as_dict()}, lambda: f"job #{jid} on portfolio #{portfolio_id}\n" + tx_line(tx))
        return
    from orchestrator.training.keys import KeyStore
    from orchestrator.training.spec import JobSpec
    from orchestrator.training.trainer import post_job

    from orchestrator.commands.demo import parse_list

    cols, edges = parse_list(columns, "--columns"), parse_list(bins, "--bins", float)
    if mode != "stats" and (cols is not None or edges is not None):
        raise InvalidInput("--columns and --bins go with --mode stats")
    extra: dict = {}
    if mode == "fedavg":
        if not features or not classes:
            raise InvalidInput("--mode fedavg needs --features and --classes")
        model = {"kind": model_kind, "features": features, "classes": classes, "hidden": [hidden]}
    elif mode == "encrypted-model":
        if not features:
            raise InvalidInput("--mode encrypted-model needs --features")
        model, extra["positive"] = {"features": features}, positive
    else:
        if cols is None and not features:
            raise InvalidInput("--mode stats needs --columns (or --features for every column)")
        if edges is not None and (len(edges) < 2 or edges != sorted(edges)):
            raise InvalidInput("--bins needs at least two increasing edges")
        model = {"features": len(cols) if cols is not None else features}
        extra.update(columns=cols, bins=edges)
    spec = JobSpec(mode=mode, scheme=scheme, model=model, epochs=epochs, lr=lr, seed=seed, **extra)
    jid = post_job(app.chain(), app.storage(), KeyStore(app.settings.data_dir / "trainer-keys"), portfolio_id, spec,
                   terms)
    scheme = scheme if mode == "fedavg" else "ckks"
    app.emit({"job_id": jid, "mode": mode, "scheme": scheme}, f"job #{jid} on portfolio #{portfolio_id} ({mode}, {scheme})")


@group.command("approve")
@click.argument("job_id", type=int)
@json_option
@pass_app
def approve(app: App, job_id) -> None:
    """As the portfolio's curator, approve JOB_ID (freezes the portfolio's composition until it is cancelled).

    \b
    Example:
      datacap job approve 1 --account dev1
    """
    tx = jobs.approve_job(app.chain(), job_id)
    app.emit({"job_id": job_id, "tx": tx.as_dict()}, lambda: f"approved job #{job_id}\n" + tx_line(tx))


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


@group.command("volunteer")
@click.argument("job_id", type=int)
@json_option
@pass_app
def volunteer(app: App, job_id) -> None:
    """Volunteer as the aggregator of JOB_ID you joined (posts the aggregator bond).

    \b
    Example:
      datacap job volunteer 1 --account dev1
    """
    tx = jobs.volunteer(app.chain(), job_id)
    app.emit({"job_id": job_id, "tx": tx.as_dict()}, lambda: f"volunteered to aggregate job #{job_id}\n" + tx_line(tx))


@group.command("select-aggregator")
@click.argument("job_id", type=int)
@click.argument("participant", type=ADDRESS)
@json_option
@pass_app
def select_aggregator(app: App, job_id, participant) -> None:
    """Trainer: pick PARTICIPANT, a volunteer, as the aggregator of JOB_ID (opens the job when it is full).

    \b
    Example:
      datacap job select-aggregator 1 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --account dev7
    """
    tx = jobs.select_aggregator(app.chain(), job_id, participant)
    app.emit({"job_id": job_id, "aggregator": participant, "tx": tx.as_dict()},
             lambda: f"job #{job_id}: aggregator {participant}\n" + tx_line(tx))


@group.command("timeout")
@click.argument("job_id", type=int)
@json_option
@pass_app
def timeout(app: App, job_id) -> None:
    """End a stalled job whose deadline passed (anyone may): cancelled or settled, bonds penalized per the rules.

    `job run` calls it by itself when a deadline passes.

    \b
    Example:
      datacap job timeout 1
    """
    tx = jobs.timeout_job(app.chain(), job_id)
    status = jobs.job_status(app.chain(signed=False), job_id)["status"]
    app.emit({"job_id": job_id, "status": status, "tx": tx.as_dict()},
             lambda: f"job #{job_id} timed out: now {status}\n" + tx_line(tx))


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


def _refs(data: tuple[str, ...], label: str) -> dict[int, dict]:
    out = {}
    for item in data:
        ident, _, path = item.partition("=")
        if not ident.isdigit() or not path:
            raise InvalidInput(f"--data takes DATA_ID=PATH.csv, not {item!r}")
        out[int(ident)] = {"kind": "csv", "path": path, "label": label}
    return out


@group.command("run")
@click.argument("job_id", type=int)
@click.option("--role", "roles", multiple=True, type=click.Choice(["trainer", "owner", "aggregator"]),
              help="Roles to play (default: every role this account has in the job).")
@click.option("--data", multiple=True, metavar="DATA_ID=PATH.csv", help="Data owner: where each $Data lives.")
@click.option("--test", "test_path", default=None, help="Trainer: held-out CSV for evaluation.")
@click.option("--label", default="label", show_default=True, help="Label column of the CSVs.")
@click.option("--fast-forward", is_flag=True, help="Local chain only: advance time past challenge windows.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between polls.")
@json_option
@pass_app
def run(app: App, job_id, roles, data, test_path, label, fast_forward, interval) -> None:
    """Run this party's agents for JOB_ID until the job ends (Celery workers on the configured Redis).

    Each --data file is checked first against its $Data's on-chain commitment and the job's model spec.
    Prints one line per round and phase; calls JobMarket.timeout when a deadline passes; warns once about a
    task without a result after DATACAP_LATE_TASK_SECONDS (30); a permanent failure (Redis down or going
    away mid-run, a chain node silent for DATACAP_CHAIN_UNREACHABLE_SECONDS (60), a closed round, data that
    does not fit) ends it with one `error:` line, and running the same command again resumes.

    \b
    Example:
      datacap job run 1 --account dev1 --data 1=./owner1.csv --label target
      datacap job run 1 --account dev7 --test ./test.csv --label target --fast-forward
    """
    from orchestrator.services import require_redis
    from orchestrator.training import session

    chain = app.chain()
    roles = list(roles) or session.roles_of(chain, job_id)
    if not roles:
        raise InvalidInput(f"{chain.address_of_signer()} has no role in job #{job_id}")
    refs = _refs(data, label)
    storage = app.storage()
    session.check_local_data(chain, storage, job_id, refs)  # the right files, fit for the model, before any work
    require_redis(app.settings.effective_redis_url)  # else Celery retries silently forever
    test_ref = {"kind": "csv", "path": test_path, "label": label} if test_path else None
    agents = session.build_agents(chain, storage, job_id, roles, data_refs=refs, test_ref=test_ref,
                                  fast_forward=fast_forward, strict=True)
    progress = None if app.as_json else (lambda line: app.out.print(line, highlight=False))
    status = session.run_job(chain, agents, job_id, interval=interval, progress=progress)
    app.emit({"job_id": job_id, "roles": roles, "status": status}, f"job #{job_id} {status} ({', '.join(roles)})")


@group.command("verify")
@click.argument("job_id", type=int)
@click.argument("round_", metavar="ROUND", type=int)
@json_option
@pass_app
def verify(app: App, job_id, round_) -> None:
    """Recompute ROUND's aggregate of JOB_ID from the committed ciphertexts and compare it with the chain.

    Exits 1 with one line on a mismatch.

    \b
    Example:
      datacap job verify 1 3
    """
    from orchestrator.training.verify import verify_round

    verdict = verify_round(app.chain(signed=False), app.storage(), job_id, round_)
    if not verdict.ok:
        raise VerificationFailed(f"job #{job_id} round {round_}: {verdict.reason}")
    app.emit(verdict, f"job #{job_id} round {round_}: ok, aggregate {verdict.aggregate_hash} recomputed from "
                      f"{len(verdict.included)} committed update(s)")


class VerificationFailed(InvalidInput):
    """A round's aggregate does not match its recomputation."""
