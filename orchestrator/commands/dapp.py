"""`datacap dapp`: serve the MetaMask page for the configured chain and storage."""

from __future__ import annotations

import click

from orchestrator.commands.base import App, json_option, pass_app


@click.command("dapp")
@click.option("--port", type=int, default=8080, show_default=True, help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@json_option
@pass_app
def command(app: App, port, host) -> None:
    """Serve the dApp page: config, ABIs, a JSON-RPC proxy to the node and an IPFS gateway.

    Reads the deployment of the node's chain (deployments/<chainId>.json); connect MetaMask on the page.

    \b
    Example:
      datacap dapp --port 8080      # then open http://127.0.0.1:8080/
    """
    from orchestrator.dapp_server import DappServer, page_config

    chain = app.chain(signed=False)
    server = DappServer(app.settings, app.storage(), page_config(app.settings, chain.chain_id), host, port)
    # one line (JSON Lines under --json): the command then serves until interrupted
    app.emit_line({"url": server.url, "chain_id": chain.chain_id, "rpc_url": app.settings.rpc_url},
                  f"dApp on {server.url} (chain {chain.chain_id}, node {app.settings.rpc_url}); Ctrl-C stops it")
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a person stops it: not an error
        pass
    finally:
        server.server_close()
