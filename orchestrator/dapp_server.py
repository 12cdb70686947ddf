"""The dApp's HTTP server: the page, its config and ABIs, a JSON-RPC proxy and an IPFS gateway.

Everything the page needs comes from one origin, so reads work with no wallet (or on the wrong
network) and the browser never talks to Kubo's RPC (which refuses browser origins). The IPFS gateway
goes through :mod:`orchestrator.storage`: every block served is verified against its CID, and an add
gives the CID ``datacap ipfs add`` gives.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from orchestrator.chain import AbiRegistry, Deployment
from orchestrator.config import PROJECT_ROOT, Settings
from orchestrator.errors import DatacapError, NotFound
from orchestrator.metadata import COMMITMENT_SCHEME

log = logging.getLogger(__name__)

PAGE_ROOT = PROJECT_ROOT / "dapp"
#: the JSON-RPC methods the proxy forwards: reads and raw (already signed) transactions only
RPC_PREFIXES = ("eth_", "net_", "web3_")
#: the page uploads metadata only (the data never leaves the browser)
MAX_UPLOAD = 1 << 20
MIME = {".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
        ".json": "application/json", ".html": "text/html; charset=utf-8", ".png": "image/png"}


@dataclass(frozen=True)
class PageConfig:
    """What ``/config.json`` tells the page (chain, node, addresses, the commitment scheme)."""

    chain_id: int
    node_rpc_url: str
    start_block: int
    contracts: dict[str, str]
    commitment_scheme: str = COMMITMENT_SCHEME

    def as_dict(self) -> dict[str, Any]:
        return {"chainId": self.chain_id, "chainIdHex": hex(self.chain_id), "rpcUrl": "/rpc",
                "nodeRpcUrl": self.node_rpc_url, "startBlock": self.start_block, "contracts": self.contracts,
                "ipfsGateway": "/ipfs/", "commitmentScheme": self.commitment_scheme}


def page_config(settings: Settings, chain_id: int) -> PageConfig:
    """The page's config from ``deployments/<chainId>.json``; raises DeploymentError when missing."""
    dep = Deployment.load(settings.deployment_file(chain_id))
    return PageConfig(chain_id, settings.rpc_url, dep.start_block, {n: c.address for n, c in dep.contracts.items()})


class DappServer(ThreadingHTTPServer):
    """``serve_forever`` in a thread or the foreground; ``url`` is where the page is."""

    daemon_threads = True

    def __init__(self, settings: Settings, storage, config: PageConfig, host: str = "127.0.0.1", port: int = 0):
        self.settings = settings
        self.storage = storage
        self.config = config
        registry = AbiRegistry(settings.abi_dir)
        self.abis = {name: json.dumps({"contractName": name, "abi": art["abi"]}).encode()
                     for name, art in registry.artifacts.items()}
        self.deployed_abis = json.dumps({name: registry.artifacts[name]["abi"] for name in config.contracts
                                         if name in registry.artifacts}).encode()
        self.rpc = requests.Session()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="datacap-dapp", daemon=True)
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: DappServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: Any) -> None:  # access log to logging, not stderr
        log.debug("%s " + fmt, self.address_string(), *args)

    # -- responses --
    def _send(self, status: int, body: bytes, ctype: str, cache: str = "no-cache") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def _error(self, status: int, message: str) -> None:
        self._json({"error": message}, status)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_UPLOAD:
            raise _TooLarge(length)
        return self.rfile.read(length)

    # -- routes --
    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/config.json":
            return self._json(self.server.config.as_dict())
        if path == "/abi/deployed.json":  # every deployed contract's ABI in one response (the page's first load)
            return self._send(200, self.server.deployed_abis, "application/json")
        if path.startswith("/abi/") and path.endswith(".json"):
            body = self.server.abis.get(path[len("/abi/"):-len(".json")])
            return self._send(200, body, "application/json") if body else self._error(404, f"no ABI at {path}")
        if path.startswith("/ipfs/"):
            return self._ipfs_get(path[len("/ipfs/"):])
        if path == "/favicon.ico":
            path = "/favicon.svg"
        return self._static(path)

    def do_POST(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        try:
            body = self._body()
        except _TooLarge as exc:
            return self._error(413, f"{exc.args[0]} bytes is more than the {MAX_UPLOAD}-byte upload limit")
        if path == "/rpc":
            return self._rpc(body)
        if path == "/ipfs/add":
            try:
                return self._json({"cid": self.server.storage.add_bytes(body)})
            except DatacapError as exc:
                return self._error(502, str(exc))
        return self._error(404, f"nothing to POST at {path}")

    def _static(self, path: str) -> None:
        rel = "index.html" if path in ("", "/") else path.lstrip("/")
        root = PAGE_ROOT.resolve()
        target = (root / rel).resolve()
        if root not in target.parents or not target.is_file():
            return self._error(404, f"no file at {path}")
        ctype = MIME.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        # vendored files are pinned builds: cache them; the page's own files revalidate
        cache = "public, max-age=86400, immutable" if target.parent.name == "vendor" else "no-cache"
        self._send(200, target.read_bytes(), ctype, cache)

    def _ipfs_get(self, cid: str) -> None:
        try:
            data = self.server.storage.get(cid)
        except NotFound as exc:
            return self._error(404, str(exc))
        except DatacapError as exc:  # CidMismatch, InvalidCid, an unreachable Kubo
            return self._error(502, str(exc))
        # content-addressed: the bytes of a CID never change
        self._send(200, data, "application/octet-stream", "public, max-age=31536000, immutable")

    def _rpc(self, body: bytes) -> None:
        try:
            request = json.loads(body)
        except ValueError:
            return self._json({"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "parse error"}})
        calls = request if isinstance(request, list) else [request]
        refused = [c.get("method") for c in calls if not str(c.get("method", "")).startswith(RPC_PREFIXES)]
        if refused:
            return self._json({"jsonrpc": "2.0", "id": calls[0].get("id"),
                               "error": {"code": -32601, "message": f"method {refused[0]} is not proxied"}})
        try:
            reply = self.server.rpc.post(self.server.settings.rpc_url, data=body, timeout=30,
                                         headers={"Content-Type": "application/json"})
        except requests.RequestException:
            return self._json({"jsonrpc": "2.0", "id": calls[0].get("id"), "error": {
                "code": -32603, "message": f"no JSON-RPC node answers at {self.server.settings.rpc_url}"}},
                HTTPStatus.BAD_GATEWAY)
        self._send(reply.status_code, reply.content, "application/json")


class _TooLarge(Exception):
    pass
