"""Deploy the contract suite in dependency order, wire its roles, write deployments/<chainId>.json.

Constructor arguments are read from each contract's ABI: an address parameter whose type is
``contract IDataNFT`` (or whose name is ``data``, ``token``, ``staking`` ...) receives that
contract's address, ``admin``/``owner`` the deployer, ``treasury`` the treasury; numeric parameters
take :data:`PARAMS`. Contracts missing from abi/ are skipped with the wiring that needs them, so the
suite grows as the contract branches land.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from eth_utils import function_abi_to_4byte_selector, to_checksum_address

from orchestrator.chain import Chain, ContractRecord, Deployment
from orchestrator.config import LOCAL_CHAIN_ID
from orchestrator.errors import DeploymentError

#: every deployable contract, in a stable order (dependencies first where it matters)
SUITE = [
    "CapToken",
    "DataNFT",
    "PortfolioNFT",
    "ModelNFT",
    "Staking",
    "Rewards",
    "Regulator",
    "Governance",
    "AccessRegistry",
    "ModelMarket",
    "Evaluations",
    "JobMarket",
    "SecureAggregation",
    "PossessionVerifier",
    "PossessionChallenges",
]

ADMIN = "<admin>"
TREASURY = "<treasury>"

#: parameter names (lower-cased, underscores dropped) -> what they receive
NAME_ALIASES = {
    "admin": ADMIN, "owner": ADMIN, "initialowner": ADMIN, "defaultadmin": ADMIN,
    "treasury": TREASURY, "feerecipient": TREASURY,
    "token": "CapToken", "cap": "CapToken", "captoken": "CapToken", "stakingtoken": "CapToken",
    "rewardtoken": "CapToken", "paymenttoken": "CapToken", "asset": "CapToken",
    "data": "DataNFT", "datanft": "DataNFT", "datasets": "DataNFT",
    "portfolio": "PortfolioNFT", "portfolios": "PortfolioNFT", "portfolionft": "PortfolioNFT",
    "model": "ModelNFT", "models": "ModelNFT", "modelnft": "ModelNFT",
    "staking": "Staking", "stakes": "Staking",
    "rewards": "Rewards", "usagehook": "Rewards", "hook": "Rewards",
    "governance": "Governance", "governor": "Governance",
    "regulator": "Regulator", "regulatorregistry": "Regulator", "freezeregistry": "Regulator",
    "market": "ModelMarket", "modelmarket": "ModelMarket",
    "jobs": "JobMarket", "jobmarket": "JobMarket",
    "evaluations": "Evaluations", "access": "AccessRegistry", "accessregistry": "AccessRegistry",
    "challenges": "PossessionChallenges", "possessionchallenges": "PossessionChallenges",
}

DAY = 86_400
#: numeric / non-address constructor parameters, by contract then parameter name (lower-cased)
PARAMS: dict[str, dict[str, Any]] = {}

#: (contract, role constant, grantee contract): granted after deployment by the deployer (admin)
ROLE_GRANTS: list[tuple[str, str, str]] = [
    ("ModelNFT", "MINTER_ROLE", "JobMarket"),
    ("PortfolioNFT", "FREEZER_ROLE", "JobMarket"),
    ("PortfolioNFT", "FREEZER_ROLE", "ModelMarket"),
    ("Staking", "SLASHER_ROLE", "Governance"),
    ("Staking", "SLASHER_ROLE", "JobMarket"),
    ("Staking", "SLASHER_ROLE", "PossessionChallenges"),
    ("Rewards", "MODEL_MARKET_ROLE", "ModelMarket"),
    ("Rewards", "TRAINING_CREDITOR_ROLE", "JobMarket"),
    ("Regulator", "GOVERNOR_ROLE", "Governance"),
    ("JobMarket", "ARBITER_ROLE", "Governance"),
    ("JobMarket", "PENALIZER_ROLE", "SecureAggregation"),
]

#: (contract, function, argument contracts): dependency setters run after the role grants
SETTERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("ModelMarket", "setUsageHook", ("Rewards",)),
    ("Staking", "setRewards", ("Rewards",)),
    ("Staking", "setFreezeRegistry", ("Regulator",)),
    ("Staking", "setGovernance", ("Governance",)),
    ("JobMarket", "setDependencies", ("Rewards", "Regulator", TREASURY)),
]

#: (contract, function): the (target, selector) pairs a ParamChange referendum may call, seeded into
#: Governance's allowlist (Governance's own setParams / setCallAllowed are allowed by its constructor)
GOVERNED_CALLS: list[tuple[str, str]] = [
    ("Staking", "setThawingPeriod"), ("Staking", "setMinStake"),
    ("Rewards", "setRewardsDuration"), ("Rewards", "setUsageBonusBps"), ("Rewards", "setVestingDuration"),
    ("Regulator", "setFreezeDuration"), ("Regulator", "freezeByReferendum"), ("Regulator", "unfreeze"),
    ("ModelMarket", "setFeeSplit"),
    ("JobMarket", "setParams"), ("JobMarket", "resolveDispute"),
    ("PossessionChallenges", "setParams"),
]

#: parameter roles of every contract, also handed to Governance (ParamChange referenda reach them).
#: The deployer keeps its admin roles on the local chain; `renounce_admin` hands them over too.
GOVERNANCE_ROLES = ("PARAMS_ROLE",)

#: CAP minted to each of Anvil's dev accounts on the local chain so the demo can stake and pay
LOCAL_FAUCET_CAP = 1_000_000 * 10**18


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


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def _constructor(chain: Chain, name: str) -> list[dict]:
    for entry in chain.registry.abi(name):
        if entry.get("type") == "constructor":
            return entry.get("inputs", [])
    return []


def _target_of(param: dict, available: set[str]) -> str | None:
    """What an address parameter points at: by its interface type first, then by its name."""
    internal = param.get("internalType", "")
    m = re.match(r"contract (\w+)", internal)
    if m:
        iface = m.group(1)
        for cand in (iface, iface[1:] if iface.startswith("I") and iface[1:2].isupper() else None):
            if cand in available or cand in SUITE:
                return cand
    return NAME_ALIASES.get(_norm(param.get("name", "")))


def dependencies(chain: Chain, name: str, available: set[str]) -> list[str]:
    deps = []
    for p in _constructor(chain, name):
        if p["type"] == "address":
            t = _target_of(p, available)
            if t and t not in (ADMIN, TREASURY):
                deps.append(t)
    return deps


def plan(chain: Chain, only: list[str] | None = None) -> list[str]:
    """Contracts present in abi/, in dependency order (constructor address parameters first)."""
    available = [n for n in SUITE if n in chain.registry.artifacts and (only is None or n in only)]
    extra = [n for n in sorted(chain.registry.artifacts) if n not in SUITE and only and n in only]
    names = available + extra
    order: list[str] = []
    visiting: set[str] = set()

    def visit(n: str) -> None:
        if n in order:
            return
        if n in visiting:
            raise DeploymentError(f"constructor dependency cycle through {n}")
        visiting.add(n)
        for d in dependencies(chain, n, set(names)):
            if d not in names:
                raise DeploymentError(f"{n} needs {d}, which has no ABI in {chain.registry.abi_dir}")
            visit(d)
        visiting.discard(n)
        order.append(n)

    for n in names:
        visit(n)
    return order


def constructor_args(chain: Chain, name: str, addresses: dict[str, str], treasury: str) -> list[Any]:
    args = []
    overrides = {_norm(k): v for k, v in PARAMS.get(name, {}).items()}
    for p in _constructor(chain, name):
        key = _norm(p.get("name", ""))
        if key in overrides:
            v = overrides[key]
            args.append(v(addresses) if callable(v) else v)
            continue
        if p["type"] == "address":
            t = _target_of(p, set(addresses))
            if t == ADMIN:
                args.append(chain.signer.address)
            elif t == TREASURY:
                args.append(treasury)
            elif t in addresses:
                args.append(addresses[t])
            else:
                raise DeploymentError(f"{name}: no value for constructor parameter {p.get('name')} ({p['type']})")
        else:
            raise DeploymentError(
                f"{name}: no value for constructor parameter {p.get('name')} ({p['type']}); add it to deploy.PARAMS"
            )
    return args


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


def _function_abi(chain: Chain, contract: str, fn: str) -> dict | None:
    return next((e for e in chain.registry.abi(contract) if e.get("type") == "function" and e.get("name") == fn), None)


def _has_function(chain: Chain, contract: str, fn: str) -> bool:
    return _function_abi(chain, contract, fn) is not None


def deploy_suite(
    chain: Chain,
    *,
    force: bool = False,
    only: list[str] | None = None,
    treasury: str | None = None,
    faucet: bool | None = None,
    faucet_accounts: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DeployReport:
    """Deploy every contract in abi/ (or ``only``), wire roles, save deployments/<chainId>.json.

    Refuses when a live deployment exists (file present and code at its addresses) unless ``force``.
    ``faucet`` (default: on the local chain) mints CAP to Anvil's dev accounts for the demo.
    """
    step = progress or (lambda _msg: None)
    path = chain.settings.deployment_file(chain.chain_id)
    if not force and live_deployment(chain) is not None:
        raise DeploymentError(f"a live deployment exists for chain {chain.chain_id} ({path}); use --force to replace it")
    treasury = treasury or chain.address_of_signer()
    order = plan(chain, only)
    if not order:
        raise DeploymentError(f"nothing to deploy: no contract ABIs in {chain.registry.abi_dir} (run `make abi`)")
    start_block = chain.block_number() + 1
    dep = Deployment(chain.chain_id, start_block, {})
    chain.use_deployment(dep)
    report = DeployReport(dep, str(path))
    addresses: dict[str, str] = {}
    for name in order:
        step(f"deploy {name}")
        res = chain.deploy_contract(name, *constructor_args(chain, name, addresses, treasury))
        addresses[name] = res.contract_address
        dep.contracts[name] = ContractRecord(res.contract_address, res.tx_hash)
        report.gas[name] = res.gas_used
    _wire(chain, dep, report, step, treasury)
    if faucet is None:
        faucet = chain.chain_id == LOCAL_CHAIN_ID
    if faucet and "CapToken" in dep.contracts:
        _faucet(chain, report, faucet_accounts, step)
    dep.save(path)
    return report


def _grant(chain: Chain, contract: str, role: str, grantee_address: str, label: str, report: DeployReport) -> None:
    role_id = chain.call(f"{contract}.{role}")
    if chain.call(f"{contract}.hasRole", role_id, grantee_address):
        return
    chain.transact(f"{contract}.grantRole", role_id, grantee_address, label=f"grant {label}")
    report.wiring.append(label)


def _wire(chain: Chain, dep: Deployment, report: DeployReport, step: Callable[[str], None], treasury: str) -> None:
    present = dep.contracts
    for contract, role, grantee in ROLE_GRANTS:
        label = f"{contract}.{role} -> {grantee}"
        if contract not in present or grantee not in present or not _has_function(chain, contract, role):
            report.skipped.append(label)
            continue
        step(f"grant {label}")
        _grant(chain, contract, role, present[grantee].address, label, report)
    for contract, fn, arg_names in SETTERS:
        label = f"{contract}.{fn}({', '.join(arg_names)})"
        missing = [a for a in arg_names if a not in present and a != TREASURY]
        if contract not in present or missing or not _has_function(chain, contract, fn):
            report.skipped.append(label)
            continue
        step(label)
        args = [treasury if a == TREASURY else present[a].address for a in arg_names]
        chain.transact(f"{contract}.{fn}", *args, label=label)
        report.wiring.append(label)
    if "Governance" in present and _has_function(chain, "Governance", "setCallAllowed"):
        for contract, fn in GOVERNED_CALLS:
            label = f"Governance allows {contract}.{fn}"
            entry = _function_abi(chain, contract, fn) if contract in present else None
            if entry is None:
                report.skipped.append(label)
                continue
            step(label)
            chain.transact("Governance.setCallAllowed", present[contract].address,
                           function_abi_to_4byte_selector(entry), True, label=label)
            report.wiring.append(label)
    if "Governance" in present:
        for contract in present:
            for role in GOVERNANCE_ROLES:
                if contract != "Governance" and _has_function(chain, contract, role):
                    label = f"{contract}.{role} -> Governance"
                    step(f"grant {label}")
                    _grant(chain, contract, role, present["Governance"].address, label, report)


def _faucet(chain: Chain, report: DeployReport, accounts: list[str] | None, step: Callable[[str], None]) -> None:
    if accounts is None:
        accounts = [to_checksum_address(a) for a in chain.rpc("eth_accounts")]
    if not accounts or not _has_function(chain, "CapToken", "MINTER_ROLE"):
        return
    step(f"mint {LOCAL_FAUCET_CAP // 10**18:,} CAP to {len(accounts)} dev accounts")
    _grant(chain, "CapToken", "MINTER_ROLE", chain.signer.address, "CapToken.MINTER_ROLE -> deployer (faucet)", report)
    for a in accounts:
        chain.transact("CapToken.mint", a, LOCAL_FAUCET_CAP, label="faucet CapToken.mint")
    report.wiring.append(f"faucet: {len(accounts)} accounts x {LOCAL_FAUCET_CAP // 10**18:,} CAP")
