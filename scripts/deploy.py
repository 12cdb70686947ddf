"""Deploy the datacap suite: `python scripts/deploy.py [--force] [--keep-admin]` or `brownie run scripts/deploy.py --network datacap-anvil`.

Under brownie (its own environment; see brownie-config.yaml) ``main()`` deploys with brownie's
``accounts[0]`` and project-less contract containers built from abi/; otherwise it runs the
orchestrator's deployer (web3.py), which also wires roles and writes deployments/<chainId>.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _under_brownie() -> bool:
    return "brownie" in sys.modules and sys.modules["brownie"].network.is_connected()


def _brownie_main(force: bool = False, keep_admin: bool = False) -> dict:
    """Deploy with brownie's accounts, reusing the orchestrator's plan (order, constructor args, wiring)."""
    from brownie import accounts, config, network, web3  # type: ignore[import-not-found]

    from orchestrator import deploy as deploy_lib
    from orchestrator.chain import Chain
    from orchestrator.config import load_settings

    settings = load_settings({"rpc_url": web3.provider.endpoint_uri, "deployments_dir": str(ROOT / "deployments")})
    from eth_account import Account

    from orchestrator.keystore import dev_key

    # brownie's configured account: `wallets.from_key` in brownie-config.yaml, else accounts[0] (a local
    # account carries its key; a node's unlocked dev account is one of Anvil's public dev keys)
    from_key = (config.get("wallets") or {}).get("from_key")
    deployer = accounts.add(from_key) if from_key else accounts[0]
    key = getattr(deployer, "private_key", None)
    dev = next((k for k in (dev_key(i) for i in range(20)) if Account.from_key(k).address == deployer.address), None)
    if not key and dev is None:
        raise SystemExit(f"brownie's account {deployer.address} has no local key: set wallets.from_key in "
                         "brownie-config.yaml, or use `datacap deploy --account NAME`")
    chain = Chain(settings, Account.from_key(key or dev))
    report = deploy_lib.deploy_suite(chain, force=force, keep_admin=keep_admin)
    print(f"deployed on {network.show_active()}: {report.path}")
    return report.as_dict()


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    force = "--force" in argv
    if _under_brownie():
        return _brownie_main(force, "--keep-admin" in argv)
    from orchestrator.cli import main as cli_main

    cli_main(["deploy", *argv])
    return {}


if __name__ == "__main__":
    main()
