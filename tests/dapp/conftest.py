"""Browser tests: the live Anvil + deployed suite of tests/orchestrator, `datacap dapp`'s server, chromium."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from dapp_support import CHROMIUM_ARGS, TestWallet, chromium_path, install_wallet, shot  # noqa: E402

# the same session chain, deployment and CLI helpers as the CLI tests (one world, built once)
_spec = importlib.util.spec_from_file_location("orchestrator_fixtures", HERE.parent / "orchestrator" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures
_spec.loader.exec_module(_fixtures)
env, admin, addr, register = _fixtures.env, _fixtures.admin, _fixtures.addr, _fixtures.register
PASSWORD = _fixtures.PASSWORD


@pytest.fixture(scope="session")
def dapp_server(env):
    from orchestrator.chain import Chain
    from orchestrator.dapp_server import DappServer, page_config
    from orchestrator.storage import open_storage

    settings = env.settings
    chain_id = Chain(settings).chain_id
    server = DappServer(settings, open_storage("local", root=settings.store_path), page_config(settings, chain_id))
    server.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium; `make setup` does it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture
def page(browser, request):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860})
    p = ctx.new_page()
    p.console_errors = []
    p.on("console", lambda m: m.type == "error" and p.console_errors.append(m.text))
    p.on("pageerror", lambda e: p.console_errors.append(str(e)))
    yield p
    if getattr(request.node, "call_failed", False):  # what the page showed when the test failed
        shot(p, f"FAILED-{request.node.name}")
    ctx.close()


@pytest.fixture
def wallet_for(env, dapp_server):
    """``wallet_for(page, key)``: inject a test wallet signing with ``key`` into ``page``."""
    from orchestrator.chain import Chain

    chain_id = Chain(env.settings).chain_id

    def make(page, key: str, *, chain: int | None = None, announce_after_ms: int = 0) -> TestWallet:
        w = TestWallet(env.rpc_url, chain_id, key, current_chain=chain or chain_id)
        install_wallet(page, w, announce_after_ms)
        return w

    return make


class World:
    """Two datasets, a portfolio and a priced $Model with per-round metrics, made once through the CLI."""

    data_name = "clinic A vitals"
    model_name = "digits MLP (test)"
    per_round = [{"round": 1, "accuracy": 0.71, "loss": 1.12}, {"round": 2, "accuracy": 0.86, "loss": 0.61},
                 {"round": 3, "accuracy": 0.93, "loss": 0.33}]


@pytest.fixture(scope="session")
def world(env, admin, addr, tmp_path_factory):
    from orchestrator.metadata import Lineage, build_model_metadata, canonical_json
    from orchestrator.storage import open_storage

    w = World()
    root = tmp_path_factory.mktemp("world")
    ids = []
    for n, owner in ((1, "dev1"), (2, "dev2")):
        p = root / f"world{n}.csv"
        p.write_text("age,pulse,label\n" + "".join(f"{30 + i},{60 + (i * n) % 30},{i % 2}\n" for i in range(24)))
        name = w.data_name if n == 1 else "clinic B vitals"
        ids.append(env.ok("data", "register", str(p), "--name", name, "--price", "1", account=owner)["token_id"])
    w.data_ids = ids
    env.ok("stake", "deposit", "data-owner", "100", "--asset", str(ids[0]), account="dev1")
    w.portfolio_id = env.ok("portfolio", "create", *[",".join(map(str, ids))], "--weights", "6000,4000",
                            account="dev3")["portfolio_id"]
    admin.transact("ModelNFT.grantRole", admin.call("ModelNFT.MINTER_ROLE"), addr("dev4"))
    storage = open_storage("local", root=env.settings.store_path)
    weights_cid = storage.add_bytes(b"\x00" * 64)
    doc = build_model_metadata(w.model_name, "a digits classifier trained by encrypted FedAvg",
                               lineage=Lineage(0, w.portfolio_id, 3, weights_cid, {"accuracy": 0.93, "loss": 0.33},
                                               per_round=w.per_round),
                               framework="torch", mode="encrypted-fedavg")
    meta_cid = storage.add_bytes(canonical_json(doc))
    w.model_id = env.ok("model", "mint", "--portfolio", str(w.portfolio_id), "--rounds", "3", "--weights-cid",
                        weights_cid, "--metadata-cid", meta_cid, account="dev4")["model_id"]
    env.ok("model", "price", str(w.model_id), "10", account="dev4")
    return w
