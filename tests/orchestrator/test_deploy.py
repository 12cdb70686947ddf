"""`datacap deploy`'s default: Governance holds every admin role; the wiring equals the forge tests' setup."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from orchestrator import deploy as deploy_lib
from orchestrator import services
from orchestrator.chain import Chain
from orchestrator.config import load_settings
from orchestrator.keystore import dev_key

ROOT = Path(__file__).resolve().parents[2]
#: the forge test's <treasury> (test/deploy/SuiteWiring.t.sol); any address with no role of its own
TREASURY = to_checksum_address("0x" + "00" * 18 + "07ea")
ROLE_GRANTED = keccak(text="RoleGranted(bytes32,address,address)")


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A fresh Anvil with the suite deployed the default way (no --keep-admin)."""
    root = tmp_path_factory.mktemp("deploy")
    port = services.free_port()
    settings = load_settings({"rpc_url": f"http://127.0.0.1:{port}", "data_dir": str(root / "data"),
                              "deployments_dir": str(root / "deployments")})
    services.start_anvil(settings, port=port)
    try:
        chain = Chain(settings, Account.from_key(dev_key(0)))
        report = deploy_lib.deploy_suite(chain, treasury=TREASURY, faucet=False)
        yield chain, report
    finally:
        services.stop_anvil(settings)


def test_default_deploy_leaves_no_eoa_with_an_admin_role(fresh):
    chain, report = fresh
    addresses = {n: c.address for n, c in report.deployment.contracts.items()}
    logs = chain.w3.eth.get_logs({"fromBlock": report.deployment.start_block, "toBlock": "latest",
                                  "address": list(addresses.values()), "topics": ["0x" + ROLE_GRANTED.hex()]})
    by_address = {a.lower(): n for n, a in addresses.items()}
    held = 0
    for log in logs:
        contract = by_address[log["address"].lower()]
        role, account = bytes(log["topics"][1]), to_checksum_address(bytes(log["topics"][2])[12:])
        if chain.call(f"{contract}.hasRole", role, account):
            assert chain.code_at(account), f"{contract}: {account} (no code) holds {chain.registry.roles.get(role)}"
            held += 1
    assert held > 10
    deployer = chain.address_of_signer()
    for contract in addresses:
        roles = deploy_lib.role_constants(chain, contract)
        for role in roles:
            assert not chain.call(f"{contract}.hasRole", chain.call(f"{contract}.{role}"), deployer), (contract, role)
        for role in set(roles) & {"DEFAULT_ADMIN_ROLE", "PARAMS_ROLE"}:
            assert chain.call(f"{contract}.hasRole", chain.call(f"{contract}.{role}"), addresses["Governance"])
    assert int(chain.call("Governance.setupAdmin"), 16) == 0
    assert "deployer renounces Governance setup" in report.wiring and not report.skipped


@pytest.mark.skipif(shutil.which("forge") is None, reason="needs forge (the Solidity side of the comparison)")
def test_deploy_wiring_equals_the_forge_setup(fresh):
    chain, report = fresh
    out = subprocess.run(["forge", "test", "--match-test", "test_printSuiteWiring", "--json", "-vv"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    results = [r for suite in json.loads(out).values() for r in suite["test_results"].values()]
    assert len(results) == 1 and results[0]["status"] == "Success"
    forge_digest = sorted(results[0]["decoded_logs"])
    addresses = {n: c.address for n, c in report.deployment.contracts.items()}
    ours = deploy_lib.wiring_digest(chain, addresses, report.deployment.start_block,
                                    {"<admin>": chain.address_of_signer(), "<treasury>": TREASURY})
    assert ours == forge_digest
