"""The `datacap` command line: thin wrappers around the orchestrator library.

Expected failures print one line, ``error: ...``, on stderr and exit non-zero.
"""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator.commands import (
    access,
    account,
    chain,
    dapp,
    data,
    demo,
    deploy,
    evals,
    ipfs,
    job,
    model,
    portfolio,
    referendum,
    rewards,
    runtime,
    stake,
)
from orchestrator.commands.base import App, DatacapGroup
from orchestrator.config import load_env_secrets


@click.group(cls=DatacapGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--rpc-url", envvar=None, default=None, help="JSON-RPC URL (default http://127.0.0.1:8545).")
@click.option("--chain-id", type=int, default=None, help="Expected chain id (refuse another chain).")
@click.option("--account", default=None, help="Keystore account that signs (DATACAP_ACCOUNT).")
@click.option("--key-source", type=click.Choice(["keystore", "env"]), default=None,
              help="keystore (default) or env (DATACAP_PRIVATE_KEY).")
@click.option("--data-dir", default=None, help="Orchestrator files (default ./.datacap).")
@click.option("--deployments-dir", default=None, help="Where deployments/<chainId>.json live.")
@click.option("--confirmations", type=int, default=None, help="Blocks to wait after inclusion.")
@click.option("--ipfs-backend", type=click.Choice(["local", "kubo"]), default=None, help="Data plane backend.")
@click.option("--ipfs-api", default=None, help="Kubo RPC API URL.")
@click.option("--redis-url", default=None, help="Redis URL (default: the embedded one).")
@click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False),
              help="datacap.toml to read (default ./datacap.toml).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")
@click.version_option(package_name="datacap", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, config_file, as_json, **overrides) -> None:
    """datacap: a data-capitalization marketplace on an EVM chain, IPFS and Celery workers.

    Everything defaults to one machine: Anvil from node_modules, a local IPFS blockstore, an
    embedded Redis. Settings: flags > DATACAP_* env > .env > datacap.toml > defaults.

    Passwords: the dev accounts dev0..dev19 (Anvil's public keys) need none; any other account is
    unlocked with DATACAP_PASSWORD (environment or .env) or a prompt. Writes say who signs.

    \b
    Example:
      datacap chain up && datacap deploy
      datacap data samples ./samples
      datacap data register ./samples/owner1.csv --account dev1 --price 1
    """
    load_env_secrets()
    ctx.obj = App(overrides, Path(config_file) if config_file else None, as_json)


cli.add_command(chain.group)
cli.add_command(deploy.command)
cli.add_command(account.group)
cli.add_command(data.group)
cli.add_command(portfolio.group)
cli.add_command(stake.group)
cli.add_command(job.group)
cli.add_command(model.group)
cli.add_command(evals.group)
cli.add_command(referendum.group)
cli.add_command(access.group)
cli.add_command(ipfs.group)
cli.add_command(rewards.group)
cli.add_command(runtime.listen)
cli.add_command(runtime.worker)
cli.add_command(demo.command)
cli.add_command(dapp.command)


def _set_account(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        app = ctx.find_object(App)
        app.overrides["account"] = value
        app._settings = None  # re-resolved with the account


def _accept_account_everywhere(group: click.Group) -> None:
    """``--account`` after the subcommand too (``datacap data register f.csv --account dev1``)."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            _accept_account_everywhere(command)
        elif not any(p.name == "account" for p in command.params):
            command.params.append(click.Option(["--account"], expose_value=False, callback=_set_account,
                                               help="Keystore account that signs (as the global --account)."))


_accept_account_everywhere(cli)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``datacap = orchestrator.cli:main``)."""
    cli.main(args=argv, prog_name="datacap")


if __name__ == "__main__":
    main()
