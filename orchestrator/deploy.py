"""Deploy the contract suite described by orchestrator/suite.json, wire it, write deployments/<chainId>.json.

suite.json is the one description of the suite: which contracts, their constructor arguments, the
roles granted between them, the dependency setters, Governance's ParamChange allowlist and the roles
handed to Governance. The forge tests' setup (test/utils/Suite.sol) runs the same file, step for step;
tests/orchestrator/test_deploy.py checks that both produce the same wiring. Deployment needs only the
committed abi/ (bytecode and ABIs), no compiler.

By default the deployer gives up every role it holds and Governance's allowlist setup, so only
referenda govern the suite; ``keep_admin`` (``datacap deploy --keep-admin``) keeps them for local
development.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from eth_utils import function_abi_to_4byte_selector, to_checksum_address

from orchestrator.chain import Chain, ContractRecord, Deployment
from orchestrator.config import LOCAL_CHAIN_ID
from orchestrator.errors import DeploymentError

#: the suite description shared with the forge tests
SUITE_FILE = Path(__file__).with_name("suite.json")

ADMIN = "<admin>"
TREASURY = "<treasury>"

#: CAP minted to each of Anvil's dev accounts on the local chain so the demo can stake and pay
LOCAL_FAUCET_CAP = 1_000_000 * 10**18


@dataclass(frozen=True)
class Suite:
    """suite.json, parsed: ``contracts`` is [(name, args)], the other lists as in the file."""

    contracts: list[tuple[str, list[str]]]
    roles: list[tuple[str, str, str]]
    calls: list[tuple[str, str, list[str]]]
    governed: list[tuple[str, str]]
    governance_roles: list[str]

    @classmethod
    def load(cls, path: Path = SUITE_FILE) -> "Suite":
        raw = json.loads(Path(path).read_text())
        return cls([(c[0], list(c[1:])) for c in raw["contracts"]], [tuple(r) for r in raw["roles"]],
                   [(c[0], c[1], list(c[2:])) for c in raw["calls"]], [tuple(g) for g in raw["governed"]],
                   list(raw["governanceRoles"]))

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.contracts]


@dataclass
class DeployReport:
    deployment: Deployment
    path: str
    gas: dict[str, int] = field(default_factory=dict)
    wiring: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**self.deployment.as_dict(), "path": self.path, "gas": self.gas, "wiring": self.wiring,
                "skipped": self.skipped}


def plan(suite: Suite, only: list[str] | None = None) -> list[str]:
    """The contracts to deploy, in suite order; every constructor reference must come earlier."""
    unknown = sorted(set(only or ()) - set(suite.names))
    if unknown:
        raise DeploymentError(f"not in the suite: {', '.join(unknown)} (one of {', '.join(suite.names)})")
    order: list[str] = []
    for name, args in suite.contracts:
        if only is not None and name not in only:
            continue
        for a in args:
            if a in suite.names and a not in order:
                raise DeploymentError(f"{name} needs {a}, which is not deployed before it")
        order.append(name)
    return order


def _value(arg: str, addresses: dict[str, str], deployer: str, treasury: str) -> Any:
    if arg == ADMIN:
        return deployer
    if arg == TREASURY:
        return treasury
    if arg in addresses:
        return addresses[arg]
    if arg.isdigit():
        return int(arg)
    raise DeploymentError(f"suite.json: cannot resolve argument {arg!r}")


def _function(chain: Chain, contract: str, name: str) -> dict:
    """The ABI entry of ``contract.name`` (suite.json names functions without overloads)."""
    matches = [e for e in chain.registry.abi(contract) if e.get("type") == "function" and e.get("name") == name]
    if len(matches) != 1:
        raise DeploymentError(f"suite.json names {contract}.{name}: {len(matches)} such functions in abi/{contract}.json")
    return matches[0]


def role_constants(chain: Chain, contract: str) -> list[str]:
    """The role getters (``*_ROLE()``) a contract's ABI defines."""
    return [e["name"] for e in chain.registry.abi(contract)
            if e.get("type") == "function" and e.get("name", "").endswith("_ROLE") and not e.get("inputs")]


def live_deployment(chain: Chain) -> Deployment | None:
    """The recorded deployment for this chain if every address in it holds code, else None."""
    path = chain.settings.deployment_file(chain.chain_id)
    if not path.is_file():
        return None
    try:
        dep = Deployment.load(path)
    except DeploymentError:
        return None
    if dep.contracts and all(chain.code_at(c.address) for c in dep.contracts.values()):
        return dep
    return None


def deploy_suite(
    chain: Chain,
    *,
    force: bool = False,
    only: list[str] | None = None,
    treasury: str | None = None,
    faucet: bool | None = None,
    faucet_accounts: list[str] | None = None,
    keep_admin: bool = False,
    suite: Suite | None = None,
    progress: Callable[[str], None] | None = None,
) -> DeployReport:
    """Deploy the suite (or ``only`` those contracts), wire it, save deployments/<chainId>.json.

    Refuses when a live deployment exists (file present and code at its addresses) unless ``force``.
    ``faucet`` (default: on the local chain) mints CAP to Anvil's dev accounts for the demo. Wiring
    steps that name a contract left out by ``only`` are listed in ``report.skipped``.
    """
    suite = suite or Suite.load()
    step = progress or (lambda _msg: None)
    path = chain.settings.deployment_file(chain.chain_id)
    if not force and live_deployment(chain) is not None:
        raise DeploymentError(f"a live deployment exists for chain {chain.chain_id} ({path}); use --force to replace it")
    deployer = chain.address_of_signer()
    treasury = treasury or deployer
    order = plan(suite, only)
    args_of = dict(suite.contracts)
    start_block = chain.block_number() + 1
    dep = Deployment(chain.chain_id, start_block, {})
    chain.use_deployment(dep)
    report = DeployReport(dep, str(path))
    addresses: dict[str, str] = {}
    for name in order:
        step(f"deploy {name}")
        res = chain.deploy_contract(name, *[_value(a, addresses, deployer, treasury) for a in args_of[name]])
        addresses[name] = res.contract_address
        dep.contracts[name] = ContractRecord(res.contract_address, res.tx_hash)
        report.gas[name] = res.gas_used
    _wire(chain, suite, addresses, report, step, deployer, treasury)
    if faucet is None:
        faucet = chain.chain_id == LOCAL_CHAIN_ID
    if faucet and "CapToken" in addresses:
        _faucet(chain, report, faucet_accounts, step)
    if not keep_admin:
        _renounce(chain, addresses, report, step, deployer)
    dep.save(path)
    return report


def _present(report: DeployReport, addresses: dict[str, str], label: str, *names: str) -> bool:
    if all(n in addresses for n in names if n not in (ADMIN, TREASURY) and not n.isdigit()):
        return True
    report.skipped.append(label)
    return False


def _grant(chain: Chain, contract: str, role: str, grantee: str, label: str, report: DeployReport) -> None:
    role_id = chain.call(f"{contract}.{role}")
    if chain.call(f"{contract}.hasRole", role_id, grantee):
        return
    chain.transact(f"{contract}.grantRole", role_id, grantee, label=f"grant {label}")
    report.wiring.append(label)


def _wire(chain: Chain, suite: Suite, addresses: dict[str, str], report: DeployReport,
          step: Callable[[str], None], deployer: str, treasury: str) -> None:
    for contract, role, grantee in suite.roles:
        label = f"{contract}.{role} -> {grantee}"
        if _present(report, addresses, label, contract, grantee):
            step(f"grant {label}")
            _grant(chain, contract, role, addresses[grantee], label, report)
    for contract, fn, args in suite.calls:
        label = f"{contract}.{fn}({', '.join(args)})"
        if _present(report, addresses, label, contract, *args):
            _function(chain, contract, fn)
            step(label)
            chain.transact(f"{contract}.{fn}", *[_value(a, addresses, deployer, treasury) for a in args], label=label)
            report.wiring.append(label)
    for contract, fn in suite.governed:
        label = f"Governance allows {contract}.{fn}"
        if _present(report, addresses, label, "Governance", contract):
            selector = function_abi_to_4byte_selector(_function(chain, contract, fn))
            step(label)
            chain.transact("Governance.setCallAllowed", addresses[contract], selector, True, label=label)
            report.wiring.append(label)
    if "Governance" in addresses:
        for contract in addresses:
            for role in role_constants(chain, contract):
                if role in suite.governance_roles:
                    label = f"{contract}.{role} -> Governance"
                    step(f"grant {label}")
                    _grant(chain, contract, role, addresses["Governance"], label, report)


def _renounce(chain: Chain, addresses: dict[str, str], report: DeployReport, step: Callable[[str], None],
              deployer: str) -> None:
    """The deployer gives up every role it holds, and Governance's allowlist setup."""
    for contract in addresses:
        for role in role_constants(chain, contract):
            role_id = chain.call(f"{contract}.{role}")
            if chain.call(f"{contract}.hasRole", role_id, deployer):
                label = f"deployer renounces {contract}.{role}"
                step(label)
                chain.transact(f"{contract}.renounceRole", role_id, deployer, label=label)
                report.wiring.append(label)
    if "Governance" in addresses and chain.call("Governance.setupAdmin") == deployer:
        step("deployer renounces Governance setup")
        chain.transact("Governance.renounceSetup", label="Governance.renounceSetup")
        report.wiring.append("deployer renounces Governance setup")


def _faucet(chain: Chain, report: DeployReport, accounts: list[str] | None, step: Callable[[str], None]) -> None:
    if accounts is None:
        accounts = [to_checksum_address(a) for a in chain.rpc("eth_accounts")]
    if not accounts:
        return
    step(f"mint {LOCAL_FAUCET_CAP // 10**18:,} CAP to {len(accounts)} dev accounts")
    _grant(chain, "CapToken", "MINTER_ROLE", chain.signer.address, "CapToken.MINTER_ROLE -> deployer (faucet)", report)
    for a in accounts:
        chain.transact("CapToken.mint", a, LOCAL_FAUCET_CAP, label="faucet CapToken.mint")
    report.wiring.append(f"faucet: {len(accounts)} accounts x {LOCAL_FAUCET_CAP // 10**18:,} CAP")


def wiring_digest(chain: Chain, addresses: dict[str, str], start_block: int, names: dict[str, str]) -> list[str]:
    """Every event the suite's contracts emitted since ``start_block``, with addresses named.

    ``names`` maps further addresses (deployer, treasury) to labels. The forge side
    (test/deploy/SuiteWiring.t.sol) prints the same digest for its deployment; equal digests mean
    equal wiring.
    """
    label = {a.lower()[2:]: n for n, a in {**addresses, **names}.items()}

    def words(data: bytes) -> list[str]:
        out = []
        for i in range(0, len(data), 32):
            w = data[i:i + 32].hex()
            out.append(label.get(w[24:], w) if w.startswith("0" * 24) and w[24:] in label else w)
        return out

    by_address = {a.lower(): n for n, a in addresses.items()}
    lines = []
    logs = chain.w3.eth.get_logs({"fromBlock": start_block, "toBlock": "latest",
                                  "address": [to_checksum_address(a) for a in addresses.values()]})
    for log in logs:
        topics = [bytes(t) for t in log["topics"]]
        lines.append(" ".join([by_address[log["address"].lower()], *words(b"".join(topics)), *words(bytes(log["data"]))]))
    return sorted(lines)

