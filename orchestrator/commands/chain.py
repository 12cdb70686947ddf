"""`datacap chain`: the embedded Anvil (and Redis) on this machine."""

from __future__ import annotations

import click

from orchestrator import services
from orchestrator.commands.base import DURATION, App, fmt_time, json_option, pass_app, table
from orchestrator.keystore import DEV_PASSWORD, Keystore


@click.group("chain")
def group() -> None:
    """Start, stop and inspect the local chain (Anvil from node_modules, chain id 31337).

    \b
    Example:
      datacap chain up && datacap deploy && datacap chain status
    """


@group.command("up")
@click.option("--port", type=int, default=None, help="RPC port (default: from --rpc-url, 8545).")
@click.option("--accounts", type=int, default=services.ANVIL_ACCOUNTS, show_default=True, help="Funded dev accounts.")
@click.option("--balance", type=int, default=services.ANVIL_BALANCE_ETH, show_default=True, help="ETH per account.")
@click.option("--block-time", type=float, default=None, help="Seconds per block (default: mine on demand).")
@click.option("--dev-accounts", type=int, default=20, show_default=True,
              help="Import this many of Anvil's well-known dev keys into the keystore as dev0, dev1, ...")
@click.option("--redis/--no-redis", default=False, help="Also start the embedded Redis (execution plane).")
@json_option
@pass_app
def up(app: App, port, accounts, balance, block_time, dev_accounts, redis) -> None:
    """Start Anvil (hardfork shanghai) and wait until its RPC answers; state lives while it runs.

    \b
    Example:
      datacap chain up --redis
    """
    with app.step("starting anvil"):
        st = services.start_anvil(app.settings, port=port, accounts=accounts, balance=balance, block_time=block_time)
    out = {"anvil": st.as_dict()}
    if redis:
        out["redis"] = services.start_redis(app.settings).as_dict()
    if dev_accounts:
        ks = Keystore(app.settings.keystore_path)
        missing = [i for i in range(dev_accounts) if not ks.exists(f"dev{i}")]
        if missing:
            ks.import_dev(dev_accounts, DEV_PASSWORD)  # public keys: the built-in dev password, no setup
        out["dev_accounts"] = [a.as_dict() for a in ks.list() if a.name.startswith("dev")]
    app.emit(out, lambda: f"anvil up at {st.url} (chain {st.detail.get('chain_id')}, pid {st.pid}, log {st.log})"
             + (f"\nredis up at {out['redis']['url']}" if redis else "")
             + (f"\n{len(out.get('dev_accounts', []))} dev accounts in the keystore (dev0 deploys)" if dev_accounts else ""))


@group.command("down")
@json_option
@pass_app
def down(app: App) -> None:
    """Stop the Anvil and Redis this data dir started (their state is discarded).

    \b
    Example:
      datacap chain down
    """
    out = {"anvil": services.stop_anvil(app.settings), "redis": services.stop_redis(app.settings)}
    app.emit(out, lambda: "\n".join(f"{k}: {'stopped' if v else 'was not running'}" for k, v in out.items()))


@group.command("status")
@json_option
@pass_app
def status(app: App) -> None:
    """Show whether the chain and Redis answer, the block height and the deployment.

    \b
    Example:
      datacap chain status --json
    """
    s = app.settings
    anvil = services.anvil_status(s)
    redis = services.redis_status(s)
    out = {"anvil": anvil.as_dict(), "redis": redis.as_dict(), "deployment": None}
    if anvil.running:
        path = s.deployment_file(anvil.detail["chain_id"])
        out["deployment"] = str(path) if path.exists() else None
    name = services.node_name(anvil.detail.get("client")) if anvil.running else "chain"
    out["node"] = name if anvil.running else None
    rows = [[name, "up" if anvil.running else "down", anvil.url, anvil.pid or "-",
             f"chain {anvil.detail.get('chain_id')} block {anvil.detail.get('block')}" if anvil.running else ""],
            ["redis", "up" if redis.running else "down", redis.url, redis.pid or "-", ""]]
    app.emit(out, lambda: table("services", ["service", "state", "url", "pid", "detail"], rows))


@group.command("advance")
@click.option("--time", "seconds", type=DURATION, default=None, help="Move the clock this far (s/m/h/d/w).")
@click.option("--blocks", type=click.IntRange(1, 100_000), default=None, help="Mine this many blocks.")
@json_option
@pass_app
def advance(app: App, seconds, blocks) -> None:
    """Local dev chains only (Anvil, Ganache, Hardhat): move time forward and/or mine blocks.

    Thawing stakes (14 days), referenda (1 + 5 + 2 days) and possession challenges (mined blocks) wait on
    these; a public chain refuses.

    \b
    Example:
      datacap chain advance --time 14d
      datacap chain advance --blocks 3
    """
    from orchestrator.errors import ContractRevert, InvalidInput

    if seconds is None and blocks is None:
        raise InvalidInput("give --time and/or --blocks")
    chain = app.chain(signed=False)
    try:
        if seconds:
            chain.increase_time(seconds)
        if blocks:
            chain.mine(blocks)
    except ContractRevert as exc:
        raise ContractRevert(f"{services.node_name(chain.client_version())} at {app.settings.rpc_url} is not a "
                             f"local dev chain ({exc})") from None
    head = chain.w3.eth.get_block("latest")
    out = {"block": head["number"], "timestamp": head["timestamp"]}
    app.emit(out, lambda: f"block {head['number']}, time {fmt_time(head['timestamp'])}")
