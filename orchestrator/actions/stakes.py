"""Stakes ("mortgages") and referenda: deposit, thaw, withdraw; propose, vote, execute."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from eth_abi import decode as abi_decode

from orchestrator.actions import ensure_allowance
from orchestrator.chain import Chain, TxResult
from orchestrator.errors import InvalidInput, NotFound

#: IStaking.Role, in enum order
ROLES = ("data-owner", "compute", "curator", "trainer", "aggregator", "model")
#: IGovernance.Kind / State, in enum order
KINDS = ("slash", "param-change", "set-regulator")
STATES = ("none", "pending", "active", "defeated", "succeeded", "executed", "expired")


def role_index(role: str | int) -> int:
    if isinstance(role, int) or str(role).isdigit():
        idx = int(role)
        if 0 <= idx < len(ROLES):
            return idx
    elif str(role) in ROLES:
        return ROLES.index(str(role))
    raise InvalidInput(f"unknown stake role {role!r}: one of {', '.join(ROLES)}")


@dataclass(frozen=True)
class StakeStatus:
    account: str
    role: str
    asset_id: int
    active: int
    thawing: int
    thaw_end: int
    held_until: int
    voting_stake: int
    total_stake: int

    def as_dict(self) -> dict:
        return asdict(self)


def deposit(chain: Chain, role: str | int, asset_id: int, amount: int) -> TxResult:
    ensure_allowance(chain, "Staking", amount)
    return chain.transact("Staking.stake", role_index(role), asset_id, amount)


def request_unstake(chain: Chain, role: str | int, asset_id: int, amount: int) -> TxResult:
    return chain.transact("Staking.requestUnstake", role_index(role), asset_id, amount)


def withdraw(chain: Chain, role: str | int, asset_id: int) -> TxResult:
    return chain.transact("Staking.withdraw", role_index(role), asset_id)


def stake_status(chain: Chain, role: str | int, asset_id: int, account: str | None = None) -> StakeStatus:
    account = account or chain.address_of_signer()
    idx = role_index(role)
    pos = chain.call("Staking.positionOf", account, idx, asset_id)
    return StakeStatus(account, ROLES[idx], asset_id, pos["active"], pos["thawing"], pos["thawEnd"],
                       pos["heldUntil"], chain.call("Staking.stakeOf", account), chain.call("Staking.totalStake"))


# --- referenda -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Referendum:
    id: int
    kind: str
    state: str
    proposer: str
    for_votes: int
    against_votes: int
    total_stake_at_snapshot: int
    vote_start: int
    vote_end: int
    ready_at: int
    action: dict

    def as_dict(self) -> dict:
        return asdict(self)


def _deposit_allowance(chain: Chain) -> None:
    ensure_allowance(chain, "Governance", chain.call("Governance.proposalDeposit"))


def propose_slash(chain: Chain, party: str, role: str | int, asset_id: int, amount: int, evidence_cid: str,
                  fault_time: int | None = None) -> tuple[int, TxResult]:
    _deposit_allowance(chain)
    if fault_time is None:
        fault_time = chain.w3.eth.get_block("latest")["timestamp"]
    tx = chain.transact("Governance.proposeSlash", party, role_index(role), asset_id, amount, evidence_cid,
                        fault_time)
    return tx.event("ProposalCreated").args["id"], tx


def propose_param_change(chain: Chain, target: str, signature: str, args: list, description_cid: str
                         ) -> tuple[int, TxResult]:
    """``target`` a deployed contract name; ``signature`` e.g. ``setMinStake`` (resolved in its ABI)."""
    contract = chain.contract(target)
    data = contract.encode_abi(signature, args=args)
    _deposit_allowance(chain)
    tx = chain.transact("Governance.proposeParamChange", contract.address, bytes.fromhex(data[2:]), description_cid)
    return tx.event("ProposalCreated").args["id"], tx


def propose_regulator(chain: Chain, regulator: str, description_cid: str) -> tuple[int, TxResult]:
    _deposit_allowance(chain)
    tx = chain.transact("Governance.proposeSetRegulator", regulator, description_cid)
    return tx.event("ProposalCreated").args["id"], tx


def vote(chain: Chain, referendum_id: int, support: bool) -> TxResult:
    return chain.transact("Governance.castVote", referendum_id, support)


def execute(chain: Chain, referendum_id: int) -> TxResult:
    return chain.transact("Governance.execute", referendum_id)


def _action(kind: str, raw: bytes) -> dict:
    try:
        if kind == "slash":
            party, role, asset, amount = abi_decode(["address", "uint8", "uint256", "uint256"], raw)
            return {"party": party, "role": ROLES[role], "asset_id": asset, "amount": amount}
        if kind == "param-change":
            target, data = abi_decode(["address", "bytes"], raw)
            return {"target": target, "data": "0x" + data.hex()}
        (reg,) = abi_decode(["address"], raw)
        return {"regulator": reg}
    except Exception:  # noqa: BLE001 - show what cannot be decoded raw
        return {"raw": "0x" + raw.hex()}


def show_referendum(chain: Chain, referendum_id: int) -> Referendum:
    count = chain.call("Governance.proposalCount")
    if not 1 <= referendum_id <= count:
        raise NotFound(f"no referendum #{referendum_id} (Governance has {count} proposal(s))")
    p = chain.call("Governance.proposalOf", referendum_id)
    state = chain.call("Governance.state", referendum_id)
    kind = KINDS[p["kind"]]
    return Referendum(referendum_id, kind, STATES[state], p["proposer"], p["forVotes"], p["againstVotes"],
                      p["totalStakeAtSnapshot"], p["voteStart"], p["voteEnd"], p["readyAt"], _action(kind, p["action"]))


def list_referenda(chain: Chain) -> list[Referendum]:
    return [show_referendum(chain, i) for i in range(1, chain.call("Governance.proposalCount") + 1)]


def now(chain: Chain) -> int:
    return int(chain.w3.eth.get_block("latest")["timestamp"]) if chain else int(time.time())
