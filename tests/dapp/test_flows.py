"""Each role's flow in the page, against the live chain: after every step the test reads the chain."""

from __future__ import annotations

import zlib

from dapp_support import click_tx, open_connected, shot

from orchestrator.actions.assets import build_data_metadata, commit_dataset
from orchestrator.keystore import dev_key
from orchestrator.metadata import canonical_json
from orchestrator.storage import cid_of_bytes

CAP = 10**18


def _csv(tmp_path, name: str, rows: int = 30):
    p = tmp_path / name
    seed = zlib.crc32(name.encode())
    p.write_text("height,weight,label\n" + "".join(f"{150 + i},{(seed + i * 7) % 90},{i % 3}\n" for i in range(rows)))
    return p


def test_register_data_matches_the_cli_and_a_duplicate_is_refused(page, dapp_server, wallet_for, world, admin, tmp_path, env):
    path = _csv(tmp_path, "ward-c.csv")
    wallet = wallet_for(page, dev_key(6))
    open_connected(page, dapp_server.url, wallet, "register")
    page.get_by_test_id("file").set_input_files(str(path))
    page.get_by_test_id("commitment").wait_for()
    page.get_by_test_id("name").fill("ward C")
    page.get_by_test_id("description").fill("admissions, one row per patient")
    shot(page, "register-1-metadata")
    page.get_by_test_id("next").click()
    page.get_by_test_id("price").fill("2.5")
    shot(page, "register-2-licence")
    page.get_by_test_id("next").click()
    page.get_by_test_id("metadata-cid").wait_for()
    shot(page, "register-3-preview")

    # the page's commitment, leaf count and metadata CID are the CLI's for the same file
    cli = commit_dataset(path)
    assert page.get_by_test_id("preview-commitment").inner_text() == cli.root
    assert page.get_by_test_id("leaf-count").inner_text().startswith(f"{cli.records} ")
    doc = build_data_metadata(cli, name="ward C", description="admissions, one row per patient")
    page_cid = page.get_by_test_id("metadata-cid").inner_text()
    assert page_cid == cid_of_bytes(canonical_json(doc))

    before = admin.call("DataNFT.totalMinted")
    page.get_by_test_id("next").click()
    assert click_tx(page, "submit") == "Confirmed."
    shot(page, "register-4-submitted")
    token = admin.call("DataNFT.totalMinted")
    assert token == before + 1
    assert admin.call("DataNFT.ownerOf", token) == wallet.address
    assert "0x" + admin.call("DataNFT.commitmentOf", token).hex() == cli.root
    assert admin.call("DataNFT.tokenURI", token) == f"ipfs://{page_cid}"
    assert admin.call("DataNFT.licenseOf", token)["pricePerUse"] == 25 * CAP // 10
    # the leaf count is on chain, as the CLI puts it (in the mint since decision 1, declared after it before)
    holder = "DataNFT" if any(e.get("name") == "leafCountOf" for e in admin.registry.abi("DataNFT")) else "PossessionChallenges"
    assert admin.call(f"{holder}.leafCountOf", token) == cli.records

    # the same file again: the decoded custom error, the CLI's text, nothing sent, nothing minted
    sent = len(wallet.sent)
    page.get_by_role("button", name="Register another").click()
    page.get_by_test_id("file").set_input_files(str(path))
    page.get_by_test_id("commitment").wait_for()
    page.get_by_test_id("next").click()
    page.get_by_test_id("next").click()
    page.get_by_test_id("next").click()
    shown = click_tx(page, "submit")
    shot(page, "register-duplicate-refused")
    assert shown == f"DataNFT.DuplicateCommitment(commitment={cli.root}, existingTokenId={token})"
    assert shown in env.fails("data", "register", str(path), account="dev6")
    assert page.locator("[data-error=DuplicateCommitment]").count() == 1
    assert admin.call("DataNFT.totalMinted") == token and len(wallet.sent) == sent


def test_create_portfolio_checks_weights_before_sending(page, dapp_server, wallet_for, world, admin):
    wallet = wallet_for(page, dev_key(7))
    open_connected(page, dapp_server.url, wallet, "portfolio")
    a, b = world.data_ids
    page.get_by_test_id(f"weight-{a}").fill("6000")
    page.get_by_test_id(f"weight-{b}").fill("3000")
    before = admin.call("PortfolioNFT.totalMinted")
    shown = click_tx(page, "create-portfolio")
    shot(page, "portfolio-weights-refused")
    assert "sum to 9,000, not 10,000" in shown
    assert wallet.sent == [] and admin.call("PortfolioNFT.totalMinted") == before

    page.get_by_test_id("pf-name").fill("two clinics")
    page.get_by_test_id(f"weight-{b}").fill("4000")
    assert click_tx(page, "create-portfolio") == "Confirmed."
    pid = admin.call("PortfolioNFT.totalMinted")
    assert pid == before + 1
    assert admin.call("PortfolioNFT.ownerOf", pid) == wallet.address
    assert admin.call("PortfolioNFT.compositionOf", pid) == ([a, b], [6000, 4000])


def test_a_revert_found_in_simulation_shows_the_contract_error(page, dapp_server, wallet_for, world, admin):
    """Weights that sum to 10,000 but name an unknown dataset: the contract refuses, in words."""
    wallet = wallet_for(page, dev_key(7))
    open_connected(page, dapp_server.url, wallet, "portfolio")
    page.evaluate("() => datacap.tx.run(datacap.c.createPortfolio([999], [10000], 'x')).catch(e => window.__err = e)")
    page.wait_for_function("() => window.__err")
    assert page.evaluate("() => window.__err.errorName") == "UnknownDataset"
    assert wallet.sent == []
