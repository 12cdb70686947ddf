"""`datacap access`: access requests, owner approval, credentials, revocation (an audit trail)."""

from __future__ import annotations

import json

import click

from orchestrator.actions import market
from orchestrator.commands.base import ADDRESS, DURATION, App, json_option, pass_app, tx_line

@click.group("access")
def group() -> None:
    """Request access to a dataset; owners approve (issuing a credential), deny or revoke.

    \b
    Example:
      datacap access request 1 --purpose "train a wine-quality model"
    """


@group.command("request")
@click.argument("data_id", type=int)
@click.option("--purpose", required=True, help="Why you need access (stored on IPFS).")
@json_option
@pass_app
def request(app: App, data_id, purpose) -> None:
    """Ask the owner of DATA_ID for access.

    \b
    Example:
      datacap access request 1 --purpose "audit"
    """
    chain = app.chain()
    cid = app.storage().add_bytes(json.dumps({"dataId": data_id, "purpose": purpose}).encode())
    rid, tx = market.request_access(chain, data_id, cid)
    app.emit({"request_id": rid, "purpose_cid": cid, "tx": tx.as_dict()},
             lambda: f"access request #{rid} for $Data #{data_id}\n" + tx_line(tx))


@group.command("approve")
@click.argument("request_id", type=int)
@click.option("--duration", type=DURATION, default="30d", show_default=True, help="Credential lifetime (s/m/h/d/w).")
@json_option
@pass_app
def approve(app: App, request_id, duration) -> None:
    """Approve a request for your dataset; the contract issues a credential.

    \b
    Example:
      datacap access approve 1 --duration 7d
    """
    cred, tx = market.approve_access(app.chain(), request_id, duration)
    app.emit({"request_id": request_id, "credential_id": cred, "tx": tx.as_dict()},
             lambda: f"request #{request_id} approved: credential #{cred}\n" + tx_line(tx))


@group.command("deny")
@click.argument("request_id", type=int)
@click.option("--reason", default="", help="Why (stored on IPFS).")
@json_option
@pass_app
def deny(app: App, request_id, reason) -> None:
    """Deny a request for your dataset.

    \b
    Example:
      datacap access deny 2 --reason "no commercial use"
    """
    chain = app.chain()
    cid = app.storage().add_bytes(json.dumps({"requestId": request_id, "reason": reason}).encode())
    tx = market.deny_access(chain, request_id, cid)
    app.emit({"request_id": request_id, "tx": tx.as_dict()}, lambda: f"request #{request_id} denied\n" + tx_line(tx))


@group.command("revoke")
@click.argument("credential_id", type=int)
@json_option
@pass_app
def revoke(app: App, credential_id) -> None:
    """Revoke a credential you issued.

    \b
    Example:
      datacap access revoke 1
    """
    tx = market.revoke_access(app.chain(), credential_id)
    app.emit({"credential_id": credential_id, "tx": tx.as_dict()},
             lambda: f"credential #{credential_id} revoked\n" + tx_line(tx))


@group.command("status")
@click.argument("data_id", type=int)
@click.argument("user", type=ADDRESS)
@json_option
@pass_app
def status(app: App, data_id, user) -> None:
    """Whether USER currently holds a valid credential for DATA_ID.

    \b
    Example:
      datacap access status 1 0x70997970C51812dc3A010C7d01b50e0d17dc79C8
    """
    app.emit(market.access_status(app.chain(signed=False), data_id, user))
