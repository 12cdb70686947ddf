"""The page in chromium: no wallet, a late wallet, connecting, the wrong chain, the catalog and a $Model page."""

from __future__ import annotations

from dapp_support import shot

from orchestrator.keystore import dev_key


def test_page_loads_read_only_without_a_wallet(page, dapp_server, world):
    page.goto(dapp_server.url)
    page.get_by_test_id("models").wait_for()
    assert "No wallet found" in page.get_by_test_id("no-wallet").inner_text()
    assert page.get_by_test_id("network").inner_text().startswith("Read-only")
    assert world.model_name in page.get_by_test_id("models").inner_text()
    assert world.data_name in page.get_by_test_id("datasets").inner_text()
    shot(page, "catalog-no-wallet")
    assert page.console_errors == []


def test_a_wallet_announcing_late_is_offered_and_connects(page, dapp_server, wallet_for, world):
    w = wallet_for(page, dev_key(5), announce_after_ms=1500)
    page.goto(dapp_server.url)
    page.get_by_test_id("models").wait_for()
    page.get_by_test_id("connect").wait_for(timeout=5000)  # appears once the wallet announces itself
    page.get_by_test_id("connect").click()
    assert page.get_by_test_id("account").inner_text().startswith(w.address[:6])
    assert page.console_errors == []


def test_wrong_chain_is_flagged_and_switching_adds_the_chain(page, dapp_server, wallet_for, world):
    w = wallet_for(page, dev_key(5), chain=1)
    page.goto(dapp_server.url)
    page.get_by_test_id("connect").click()
    page.get_by_text("Wrong network").wait_for()
    shot(page, "wrong-network")
    page.get_by_test_id("switch").click()  # the wallet answers 4902, the page adds the chain
    page.get_by_test_id("network").get_by_text("Local Anvil").wait_for()
    assert w.current_chain == w.chain_id and w.chain_id in w.known_chains
    page.get_by_test_id("watch-cap").click()
    page.wait_for_function("() => true")
    assert w.watched and w.watched[0]["options"]["symbol"] == "CAP"
    # a chain change from the wallet is picked up live
    page.evaluate("() => window.__testWallet.emit('chainChanged', '0x1')")
    page.get_by_text("Wrong network").wait_for()


def test_model_page_shows_lineage_chart_and_fee_breakdown(page, dapp_server, wallet_for, world):
    wallet_for(page, dev_key(5))
    page.goto(f"{dapp_server.url}#/model/{world.model_id}")
    page.get_by_test_id("round-chart").wait_for()
    text = page.get_by_test_id("model-page").inner_text()
    assert f"$Portfolio #{world.portfolio_id}" in text and "encrypted-fedavg" in text
    assert page.locator("[data-testid=round-chart] circle.acc").count() == len(world.per_round)
    assert page.get_by_test_id("price").inner_text() == "10 CAP"
    shot(page, "model-page")


def test_a_wallet_busy_with_another_request_is_put_into_words(page, dapp_server, wallet_for, world):
    w = wallet_for(page, dev_key(5))
    w.busy = 1
    page.goto(dapp_server.url)
    page.get_by_test_id("connect").click()
    assert page.get_by_test_id("wallet-error").inner_text() == (
        "Your wallet already has a request waiting: open the wallet and answer it.")
    page.get_by_test_id("connect").click()  # answered: the second try connects
    page.get_by_test_id("account").wait_for()
