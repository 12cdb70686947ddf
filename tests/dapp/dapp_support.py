"""Helpers for the browser tests: Debian's chromium under Playwright, a test wallet signing with a dev key."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import requests
from eth_account import Account

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "artifacts" / "dapp"
CHROMIUM = os.environ.get("DATACAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--headless", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    return found


@dataclass
class TestWallet:
    """Answers the page's EIP-1193 requests: accounts and chain from here, signing with ``key``, the rest to Anvil."""

    rpc_url: str
    chain_id: int
    key: str
    #: chain the wallet is on (may start elsewhere to test switching)
    current_chain: int = 0
    known_chains: set[int] = field(default_factory=set)
    watched: list = field(default_factory=list)
    sent: list = field(default_factory=list)
    reject_next: bool = False
    #: answer eth_requestAccounts with -32002 (a request already waiting in the wallet) this many times
    busy: int = 0

    def __post_init__(self) -> None:
        self.current_chain = self.current_chain or self.chain_id
        self.known_chains = self.known_chains or {self.current_chain}
        self.session = requests.Session()

    @property
    def address(self) -> str:
        return Account.from_key(self.key).address

    def node(self, method: str, params: list):
        return self.session.post(self.rpc_url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params},
                                 timeout=30).json()

    def handle(self, method: str, params_json: str) -> str:
        params = json.loads(params_json)
        try:
            return json.dumps({"result": self._answer(method, params)})
        except WalletError as exc:
            return json.dumps({"error": exc.payload})

    def _answer(self, method: str, params: list):
        if method == "eth_requestAccounts" and self.busy:
            self.busy -= 1
            raise WalletError(-32002, "Request of type 'wallet_requestPermissions' already pending")
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [self.address.lower()]
        if method == "eth_chainId":
            return hex(self.current_chain)
        if method == "wallet_switchEthereumChain":
            wanted = int(params[0]["chainId"], 16)
            if wanted not in self.known_chains:
                raise WalletError(4902, f"Unrecognized chain ID {params[0]['chainId']}")
            self.current_chain = wanted
            return None
        if method == "wallet_addEthereumChain":
            self.known_chains.add(int(params[0]["chainId"], 16))
            self.current_chain = int(params[0]["chainId"], 16)
            return None
        if method == "wallet_watchAsset":
            self.watched.append(params)
            return True
        if method == "eth_sendTransaction":
            if self.reject_next:
                self.reject_next = False
                raise WalletError(4001, "User rejected the request.")
            return self._send(params[0])
        reply = self.node(method, params)
        if "error" in reply:
            raise WalletError(reply["error"].get("code", -32603), reply["error"].get("message", ""),
                              reply["error"].get("data"))
        return reply["result"]

    def _send(self, tx: dict) -> str:
        probe = {"from": self.address, "to": tx["to"], "data": tx.get("data", "0x"), "value": tx.get("value", "0x0")}
        est = self.node("eth_estimateGas", [probe])
        if "error" in est:  # MetaMask nests the revert data: data.originalError.data
            err = est["error"]
            raise WalletError(-32603, "Internal JSON-RPC error.",
                              {"code": err.get("code"), "message": err.get("message"),
                               "originalError": {"code": 3, "data": err.get("data"), "message": err.get("message")}})
        base = int(self.node("eth_getBlockByNumber", ["latest", False])["result"]["baseFeePerGas"], 16)
        nonce = int(self.node("eth_getTransactionCount", [self.address, "pending"])["result"], 16)
        signed = Account.from_key(self.key).sign_transaction({
            "to": tx["to"], "data": tx.get("data", "0x"), "value": int(tx.get("value", "0x0"), 16),
            "gas": int(int(est["result"], 16) * 1.3) + 60_000, "maxFeePerGas": 2 * base + 10**9,
            "maxPriorityFeePerGas": 10**9, "nonce": nonce, "chainId": self.current_chain, "type": 2})
        reply = self.node("eth_sendRawTransaction", ["0x" + signed.raw_transaction.hex()])
        if "error" in reply:
            raise WalletError(-32603, reply["error"].get("message", ""))
        self.sent.append(reply["result"])
        return reply["result"]


class WalletError(Exception):
    def __init__(self, code: int, message: str, data=None):
        super().__init__(message)
        self.payload = {"code": code, "message": message, **({"data": data} if data is not None else {})}


WALLET_JS = (HERE / "wallet.js").read_text()


def install_wallet(page, wallet: TestWallet, announce_after_ms: int = 0) -> None:
    """Expose the wallet to the page (before any of its scripts run)."""
    page.expose_function("__walletRequest", wallet.handle)
    page.add_init_script(f"window.__walletOptions = {json.dumps({'announceAfterMs': announce_after_ms})};\n{WALLET_JS}")


def switch_account(page, wallet: TestWallet, key: str) -> None:
    wallet.key = key
    page.evaluate("a => window.__testWallet.emit('accountsChanged', [a])", wallet.address.lower())


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_connected(page, url: str, wallet, view: str = "catalog"):
    """Load ``url#/view`` and connect the injected wallet; returns the page."""
    page.goto(f"{url}#/{view}")
    page.get_by_test_id("connect").click()
    page.get_by_test_id("account").wait_for()
    return page


def click_tx(page, testid: str, timeout: float = 20_000) -> str:
    """Click a transaction button and wait for its outcome; returns the text shown beside it."""
    button = page.get_by_test_id(testid)
    box = button.locator("xpath=..")
    button.click()
    box.locator(".ok, .error").wait_for(timeout=timeout)
    return box.locator(".ok, .error").inner_text()
