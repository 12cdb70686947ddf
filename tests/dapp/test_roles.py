"""Stakes, referenda, paying for a model, evaluations, rewards and access in the page; the chain checked after each."""

from __future__ import annotations

import contextlib

import pytest
from eth_account import Account
from dapp_support import click_tx, open_connected, shot, switch_account

from orchestrator.errors import ContractRevert
from orchestrator.keystore import dev_key

CAP = 10**18
DAY = 86_400
COMPUTE = 1  # IStaking.Role.Compute


def _position(admin, who, role, asset):
    return admin.call("Staking.positionOf", who, role, asset)


def test_pay_for_a_model_with_fee_breakdown_and_max_price(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(5))
    open_connected(page, dapp_server.url, wallet, f"model/{world.model_id}")
    page.get_by_test_id("max-price").fill("9")
    shown = click_tx(page, "pay-model")
    assert "above" in shown and wallet.sent == []  # refused before anything is sent
    assert admin.call("ModelMarket.usesOf", wallet.address, world.model_id) == 0
    page.get_by_test_id("max-price").fill("10")
    balance = admin.call("CapToken.balanceOf", wallet.address)
    assert click_tx(page, "pay-model") == "Confirmed."
    assert admin.call("ModelMarket.usesOf", wallet.address, world.model_id) == 1
    assert balance - admin.call("CapToken.balanceOf", wallet.address) == 10 * CAP
    page.get_by_text("You have paid for 1 use(s)").wait_for()  # the view refreshed after confirmation
    shot(page, "pay-model")


def test_a_price_raised_after_the_page_read_it_reverts_with_price_above_max(page, dapp_server, wallet_for, world,
                                                                          admin, env):
    wallet = wallet_for(page, dev_key(5))
    open_connected(page, dapp_server.url, wallet, f"model/{world.model_id}")
    page.get_by_test_id("price").get_by_text("10 CAP").wait_for()
    uses = admin.call("ModelMarket.usesOf", wallet.address, world.model_id)
    env.ok("model", "price", str(world.model_id), "12", account="dev4")  # the page still shows 10
    try:
        shown = click_tx(page, "pay-model")
        assert shown == f"ModelMarket.PriceAboveMax(price={12 * CAP}, maxPrice={10 * CAP})"
        with pytest.raises(ContractRevert) as cli:  # the orchestrator's decoder gives the same text
            admin.call("ModelMarket.useModel", world.model_id, 10 * CAP)
        assert str(cli.value).endswith(f"reverted: {shown}")
        assert admin.call("ModelMarket.usesOf", wallet.address, world.model_id) == uses
        shot(page, "pay-price-above-max")
    finally:
        env.ok("model", "price", str(world.model_id), "10", account="dev4")


def test_evaluate_and_rate(page, dapp_server, wallet_for, world, admin):
    author = wallet_for(page, dev_key(5))  # paid in the test above
    open_connected(page, dapp_server.url, author, f"model/{world.model_id}")
    if admin.call("ModelMarket.usesOf", author.address, world.model_id) == 0:
        page.get_by_test_id("max-price").fill("10")
        assert click_tx(page, "pay-model") == "Confirmed."
    page.get_by_test_id("eval-score").fill("4")
    page.get_by_test_id("eval-example").fill("input: digit image #17 -> output: 7 (correct)")
    before = admin.call("Evaluations.totalEvaluations")
    assert click_tx(page, "post-eval") == "Confirmed."
    eid = admin.call("Evaluations.totalEvaluations")
    assert eid == before + 1
    ev = admin.call("Evaluations.evaluation", eid)
    assert ev["author"] == author.address and ev["score"] == 4 and ev["modelId"] == world.model_id

    rater = dev_key(6)
    switch_account(page, author, rater)
    page.get_by_test_id("max-price").fill("10")
    assert click_tx(page, "pay-model") == "Confirmed."  # only paying users rate
    assert click_tx(page, f"rate-up-{eid}") == "Confirmed."
    assert admin.call("Evaluations.evaluation", eid)["upVotes"] == 1
    assert admin.call("Evaluations.hasRated", author.address, eid) is True
    page.get_by_test_id(f"evaluation-{eid}").get_by_text("rated").wait_for()
    shot(page, "evaluations")


def test_claim_rewards_as_data_owner_and_trainer(page, dapp_server, wallet_for, world, admin):
    owner = wallet_for(page, dev_key(1))  # owns $Data #1 of the world's portfolio
    pid, did = world.portfolio_id, world.data_ids[0]
    if admin.call("ModelMarket.claimable", pid, did) == 0:
        user = wallet_for(page, dev_key(5))
        open_connected(page, dapp_server.url, user, f"model/{world.model_id}")
        assert click_tx(page, "pay-model") == "Confirmed."
    claimable = admin.call("ModelMarket.claimable", pid, did)
    assert claimable > 0
    open_connected(page, dapp_server.url, owner, "rewards")
    before = admin.call("CapToken.balanceOf", owner.address)
    shot(page, "rewards")
    assert click_tx(page, f"claim-share-{pid}-{did}") == "Confirmed."
    assert admin.call("ModelMarket.claimable", pid, did) == 0
    assert admin.call("CapToken.balanceOf", owner.address) - before == claimable

    trainer = dev_key(4)
    switch_account(page, owner, trainer)
    owed = admin.call("ModelMarket.owedOf", owner.address)
    assert owed > 0
    assert click_tx(page, "withdraw-owed") == "Confirmed."
    assert admin.call("ModelMarket.owedOf", owner.address) == 0


def test_request_and_approve_access_then_revoke(page, dapp_server, wallet_for, world, admin):
    did = world.data_ids[0]
    wallet = wallet_for(page, dev_key(3))
    requester = wallet.address
    open_connected(page, dapp_server.url, wallet, "access")
    page.get_by_test_id("access-data").fill(str(did))
    page.get_by_test_id("access-purpose").fill("a study of resting pulse by age")
    assert click_tx(page, "request-access") == "Confirmed."
    rid = max(e["args"]["requestId"] for e in [ev.as_dict() for ev in admin.events("AccessRegistry", "AccessRequested")])
    assert admin.call("AccessRegistry.request", rid)["requester"] == requester

    switch_account(page, wallet, dev_key(1))  # the data owner
    page.get_by_test_id(f"approve-{rid}").wait_for()
    shot(page, "access-requests")
    assert click_tx(page, f"approve-{rid}") == "Confirmed."
    assert admin.call("AccessRegistry.hasAccess", did, requester) is True
    page.get_by_test_id(f"request-status-{rid}").get_by_text("approved, valid").wait_for()
    assert click_tx(page, f"revoke-{rid}") == "Confirmed."
    assert admin.call("AccessRegistry.hasAccess", did, requester) is False

    # a second request, denied by the owner
    switch_account(page, wallet, dev_key(3))
    page.get_by_test_id("access-purpose").fill("again, for a second study")
    assert click_tx(page, "request-access") == "Confirmed."
    second = admin.events("AccessRegistry", "AccessRequested", requester=requester)[-1].args["requestId"]
    switch_account(page, wallet, dev_key(1))
    assert click_tx(page, f"deny-{second}") == "Confirmed."
    assert admin.events("AccessRegistry", "AccessDenied", requestId=second)
    page.get_by_test_id(f"request-status-{second}").get_by_text("denied").wait_for()
    assert admin.call("AccessRegistry.hasAccess", did, requester) is False


def test_a_rejection_in_the_wallet_is_put_into_words(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(8))
    open_connected(page, dapp_server.url, wallet, "referenda")
    before = admin.call("Governance.proposalCount")
    wallet.reject_next = True
    page.get_by_test_id("ref-args").fill("1")
    shown = click_tx(page, "propose")  # the deposit approval is the first request; the wallet rejects it
    assert shown == "You rejected the request in your wallet."
    assert wallet.sent == [] and admin.call("Governance.proposalCount") == before


@contextlib.contextmanager
def held_access_request(page, admin, data_id: int, purpose: str):
    """Request access from the page with Anvil's automine off: the transaction stays pending inside."""
    admin.rpc("evm_setAutomine", [False])
    try:
        page.get_by_test_id("access-data").fill(str(data_id))
        page.get_by_test_id("access-purpose").fill(purpose)
        page.get_by_test_id("request-access").click()
        page.locator(".txlist li.pending").wait_for()
        yield
        admin.rpc("evm_mine", [])
    finally:
        admin.rpc("evm_setAutomine", [True])


def test_pending_transactions_survive_a_reload(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(2))
    open_connected(page, dapp_server.url, wallet, "access")
    with held_access_request(page, admin, world.data_ids[1], "pending then mined"):
        page.reload()
        page.locator(".txlist li.pending").wait_for()  # still followed after the reload
        shot(page, "tx-pending-after-reload")
    page.locator(".txlist li.confirmed").first.wait_for()
    evs = admin.events("AccessRegistry", "AccessRequested", requester=wallet.address)
    assert evs and evs[-1].args["dataId"] == world.data_ids[1]


def test_a_replaced_transaction_is_shown_as_replaced(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(2))
    open_connected(page, dapp_server.url, wallet, "access")
    with held_access_request(page, admin, world.data_ids[0], "to be replaced"):
        page.wait_for_function("() => datacap.tx.list[0].nonce !== null")  # the page saw it in the node's pool
        nonce = page.evaluate("() => datacap.tx.list[0].nonce")
        base = int(wallet.node("eth_getBlockByNumber", ["latest", False])["result"]["baseFeePerGas"], 16)
        # the same nonce, a higher fee, nothing inside: what "speed up / cancel" in a wallet sends
        signed = Account.from_key(dev_key(2)).sign_transaction({
            "to": wallet.address, "value": 0, "gas": 21_000, "nonce": nonce, "chainId": wallet.chain_id, "type": 2,
            "maxFeePerGas": 4 * base + 10 * 10**9, "maxPriorityFeePerGas": 10 * 10**9})
        assert "result" in wallet.node("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
    page.locator(".txlist li.replaced").wait_for()
    box = page.get_by_test_id("request-access").locator("xpath=..")
    assert "was replaced" in box.locator(".error").inner_text()
    shot(page, "tx-replaced")


def test_stake_thaw_and_withdraw(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(7))
    open_connected(page, dapp_server.url, wallet, "stake")
    page.get_by_test_id("stake-role").select_option(str(COMPUTE))
    page.get_by_test_id("stake-asset").fill("0")
    page.get_by_test_id("stake-amount").fill("150")
    assert click_tx(page, "stake") == "Confirmed."  # approve, then stake
    assert _position(admin, wallet.address, COMPUTE, 0)["active"] == 150 * CAP
    page.get_by_test_id("position-compute-0").wait_for()
    shot(page, "stakes")
    assert click_tx(page, "thaw-compute-0") == "Confirmed."
    pos = _position(admin, wallet.address, COMPUTE, 0)
    assert pos["active"] == 0 and pos["thawing"] == 150 * CAP
    admin.increase_time(admin.call("Staking.thawingPeriod") + 1)
    page.reload()
    before = admin.call("CapToken.balanceOf", wallet.address)
    assert click_tx(page, "withdraw-compute-0") == "Confirmed."
    assert _position(admin, wallet.address, COMPUTE, 0)["thawing"] == 0
    assert admin.call("CapToken.balanceOf", wallet.address) - before == 150 * CAP


def test_referendum_propose_vote_execute(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(9))
    open_connected(page, dapp_server.url, wallet, "stake")
    page.get_by_test_id("stake-role").select_option(str(COMPUTE))
    page.get_by_test_id("stake-asset").fill("0")
    page.get_by_test_id("stake-amount").fill("200000")
    assert click_tx(page, "stake") == "Confirmed."
    admin.increase_time(2)  # the snapshot is taken before the proposal

    page.goto(f"{dapp_server.url}#/referenda")
    new_min = 3 * CAP
    page.get_by_test_id("ref-target").select_option("Staking")
    page.get_by_test_id("ref-fn").fill("setMinStake")
    page.get_by_test_id("ref-args").fill(str(new_min))
    page.get_by_test_id("ref-why").fill("raise the minimum stake to 3 CAP")
    assert click_tx(page, "propose") == "Confirmed."
    rid = admin.call("Governance.proposalCount")
    assert admin.call("Governance.state", rid) == 1  # pending
    page.get_by_test_id(f"state-{rid}").get_by_text("pending").wait_for()

    admin.increase_time(DAY + 1)
    page.reload()
    page.get_by_test_id(f"state-{rid}").get_by_text("active").wait_for()
    assert click_tx(page, f"vote-for-{rid}") == "Confirmed."
    assert admin.call("Governance.hasVoted", rid, wallet.address) is True
    shot(page, "referenda-voted")

    admin.increase_time(5 * DAY + 2 * DAY + 2)
    page.reload()
    page.get_by_test_id(f"state-{rid}").get_by_text("succeeded").wait_for()
    assert click_tx(page, f"execute-{rid}") == "Confirmed."
    assert admin.call("Staking.minStake") == new_min
    assert admin.call("Governance.state", rid) == 5  # executed
    page.get_by_test_id(f"state-{rid}").get_by_text("executed").wait_for()
    shot(page, "referenda-executed")
