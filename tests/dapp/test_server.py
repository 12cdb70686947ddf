"""`datacap dapp`'s server over HTTP: files and MIME types, config, ABIs, the RPC proxy, the IPFS gateway."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from orchestrator.storage import cid_of_bytes


def get(server, path: str) -> requests.Response:
    return requests.get(server.url + path.lstrip("/"), timeout=10)


def test_static_files_have_javascript_mime_types_and_a_favicon(dapp_server):
    assert get(dapp_server, "/").headers["Content-Type"].startswith("text/html")
    assert get(dapp_server, "/src/main.mjs").headers["Content-Type"] == "text/javascript"
    assert get(dapp_server, "/vendor/ethers.min.js").headers["Content-Type"] == "text/javascript"
    fav = get(dapp_server, "/favicon.ico")
    assert fav.status_code == 200 and fav.headers["Content-Type"] == "image/svg+xml"
    assert get(dapp_server, "/../pyproject.toml").status_code == 404
    assert get(dapp_server, "/src/../../orchestrator/config.py").status_code == 404


def test_config_comes_from_the_deployment_file(env, dapp_server):
    cfg = get(dapp_server, "/config.json").json()
    dep = json.loads(Path(env.deployments_dir, f"{cfg['chainId']}.json").read_text())
    assert cfg["contracts"] == {n: c["address"] for n, c in dep["contracts"].items()}
    assert cfg["rpcUrl"] == "/rpc" and cfg["nodeRpcUrl"] == env.rpc_url and cfg["startBlock"] == dep["startBlock"]


def test_abis_are_served_without_bytecode(dapp_server):
    art = get(dapp_server, "/abi/DataNFT.json").json()
    assert any(e.get("name") == "mint" for e in art["abi"]) and "bytecode" not in art
    assert get(dapp_server, "/abi/Nope.json").status_code == 404
    bundle = get(dapp_server, "/abi/deployed.json").json()  # what the page loads: one response
    assert set(bundle) == set(dapp_server.config.contracts) and bundle["DataNFT"] == art["abi"]


def test_rpc_proxy_forwards_reads_and_refuses_node_admin_methods(dapp_server):
    call = lambda m, p=(): requests.post(dapp_server.url + "rpc", json={"jsonrpc": "2.0", "id": 7, "method": m,
                                                                         "params": list(p)}, timeout=10).json()
    assert int(call("eth_chainId")["result"], 16) == dapp_server.config.chain_id
    batch = requests.post(dapp_server.url + "rpc", json=[{"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"},
                                                         {"jsonrpc": "2.0", "id": 2, "method": "net_version"}]).json()
    assert [r["id"] for r in batch] == [1, 2]
    assert "not proxied" in call("anvil_setBalance", ["0x" + "11" * 20, "0x1"])["error"]["message"]
    assert "not proxied" in call("evm_increaseTime", [1])["error"]["message"]


def test_ipfs_gateway_adds_with_the_cli_cid_and_verifies_blocks(env, dapp_server):
    body = b'{"name":"gateway test"}'
    cid = requests.post(dapp_server.url + "ipfs/add", data=body, timeout=10).json()["cid"]
    assert cid == cid_of_bytes(body)
    assert get(dapp_server, f"/ipfs/{cid}").content == body
    big = bytes(range(256)) * 1500  # > 256 KiB: a dag-pb root over raw leaves
    cid_big = dapp_server.storage.add_bytes(big)
    assert get(dapp_server, f"/ipfs/{cid_big}").content == big
    # a tampered block is refused, never served
    block = Path(env.settings.store_path, "blocks", cid)
    block.write_bytes(b'{"name":"tampered!!!"}')
    bad = get(dapp_server, f"/ipfs/{cid}")
    assert bad.status_code == 502 and "does not hash to its CID" in bad.json()["error"]
    assert get(dapp_server, "/ipfs/bafkreiaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").status_code in (404, 502)
    assert requests.post(dapp_server.url + "ipfs/add", data=b"x" * (2 << 20), timeout=10).status_code == 413


def test_datacap_dapp_command_serves_the_page_until_interrupted(env, dapp_server):
    import json as _json
    import os
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "orchestrator.cli", *env.base_args(), "dapp", "--port", "0", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        info = _json.loads(proc.stdout.readline())
        page = requests.get(info["url"], timeout=10)
        assert page.status_code == 200 and "/src/main.mjs" in page.text
        assert requests.get(info["url"] + "config.json", timeout=10).json()["chainId"] == info["chain_id"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()  # a hang guard: a loaded machine is slow to exit


def test_datacap_dapp_without_a_deployment_is_one_error_line(env, tmp_path):
    res = env.run("--deployments-dir", str(tmp_path), "dapp", "--port", "0")
    assert res.code != 0 and res.stderr.startswith("error: no deployment at") and len(res.stderr.splitlines()) == 1
