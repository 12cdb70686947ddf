"""Model users and data consumers: pay per use, evaluate, rate, request data access; claim earnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from orchestrator.actions import ensure_allowance, fmt_cap
from orchestrator.chain import Chain, TxResult
from orchestrator.errors import InvalidInput


@dataclass(frozen=True)
class Earnings:
    account: str
    staking_rewards: int
    bonus: int
    market_owed: int
    cap_balance: int

    def as_dict(self) -> dict:
        return asdict(self)


def set_price(chain: Chain, model_id: int, price: int) -> TxResult:
    return chain.transact("ModelMarket.setPrice", model_id, price)


def use_model(chain: Chain, model_id: int, max_price: int | None = None) -> TxResult:
    """Pay the model's price (approving CAP first if needed); the fee is split in O(1).

    ``max_price`` (default: the price just read) is passed on chain, so a price raised between the
    quote and the transaction reverts with ``PriceAboveMax`` instead of charging more.
    """
    price = chain.call("ModelMarket.priceOf", model_id)
    if max_price is None:
        max_price = price
    elif price > max_price:
        raise InvalidInput(f"$Model #{model_id} costs {fmt_cap(price)}, above --max-price {fmt_cap(max_price)}")
    ensure_allowance(chain, "ModelMarket", price)
    return chain.transact("ModelMarket.useModel", model_id, max_price)


def post_evaluation(chain: Chain, model_id: int, example_cid: str, score: int) -> tuple[int, TxResult]:
    tx = chain.transact("Evaluations.postEvaluation", model_id, example_cid, score)
    return tx.event("EvaluationPosted").args["evaluationId"], tx


def rate_evaluation(chain: Chain, evaluation_id: int, up: bool) -> TxResult:
    return chain.transact("Evaluations.rate", evaluation_id, up)


def show_evaluation(chain: Chain, evaluation_id: int) -> dict:
    return chain.call("Evaluations.evaluation", evaluation_id)


# --- access (seed 002) ---------------------------------------------------------------------------


def request_access(chain: Chain, data_id: int, purpose_cid: str) -> tuple[int, TxResult]:
    tx = chain.transact("AccessRegistry.requestAccess", data_id, purpose_cid)
    return tx.event("AccessRequested").args["requestId"], tx


def approve_access(chain: Chain, request_id: int, duration: int) -> tuple[int, TxResult]:
    tx = chain.transact("AccessRegistry.approve", request_id, duration)
    ev = next(e for e in tx.events if e.contract == "AccessRegistry" and "credentialId" in e.args)
    return ev.args["credentialId"], tx


def deny_access(chain: Chain, request_id: int, reason_cid: str) -> TxResult:
    return chain.transact("AccessRegistry.deny", request_id, reason_cid)


def revoke_access(chain: Chain, credential_id: int) -> TxResult:
    return chain.transact("AccessRegistry.revoke", credential_id)


def access_status(chain: Chain, data_id: int, user: str) -> dict:
    from eth_utils import to_checksum_address

    user = to_checksum_address(user)
    cred = chain.call("AccessRegistry.credentialOf", data_id, user)
    return {"data_id": data_id, "user": user, "has_access": chain.call("AccessRegistry.hasAccess", data_id, user),
            "credential_id": cred, "credential": chain.call("AccessRegistry.credential", cred) if cred else None}


# --- earnings ------------------------------------------------------------------------------------


def earnings(chain: Chain, account: str | None = None) -> Earnings:
    account = account or chain.address_of_signer()
    deployed = chain.deployment.contracts
    return Earnings(
        account,
        chain.call("Rewards.earned", account) if "Rewards" in deployed else 0,
        chain.call("Rewards.bonusOf", account) if "Rewards" in deployed else 0,
        chain.call("ModelMarket.owedOf", account) if "ModelMarket" in deployed else 0,
        chain.call("CapToken.balanceOf", account),
    )


def claim_all(chain: Chain, data_shares: list[tuple[int, int]] = ()) -> list[TxResult]:
    """Claim staking rewards + bonuses, data-owner shares (portfolio, data) and market payouts."""
    me = chain.address_of_signer()
    out = []
    for portfolio_id, data_id in data_shares:
        if chain.call("ModelMarket.claimable", portfolio_id, data_id):
            out.append(chain.transact("ModelMarket.claimDataShare", portfolio_id, data_id))
    if chain.call("Rewards.earned", me) or chain.call("Rewards.bonusOf", me):
        out.append(chain.transact("Rewards.claim"))
    if chain.call("ModelMarket.owedOf", me):
        out.append(chain.transact("ModelMarket.withdraw"))
    return out
