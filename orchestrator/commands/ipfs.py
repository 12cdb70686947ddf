"""`datacap ipfs`: the data plane (embedded blockstore or Kubo), CIDs identical to Kubo's."""

from __future__ import annotations

from pathlib import Path

import click

from orchestrator.commands.base import CID, App, json_option, pass_app
from orchestrator.errors import NotFound


@click.group("ipfs")
def group() -> None:
    """Put and get content by CID (backend: --ipfs-backend local|kubo).

    \b
    Example:
      datacap ipfs add ./weights.bin
    """


def _file(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"no such file: {p}")
    return p


@group.command("add")
@click.argument("path")
@json_option
@pass_app
def add(app: App, path) -> None:
    """Store a file; print its CID.

    \b
    Example:
      datacap ipfs add ./metadata.json
    """
    cid = app.storage().add_file(_file(path))
    app.emit({"cid": cid, "path": path}, cid)


@group.command("get")
@click.argument("cid", type=CID)
@click.option("-o", "--output", default=None, help="Write to this file (default: stdout).")
@json_option
@pass_app
def get(app: App, cid, output) -> None:
    """Fetch content by CID (verified against the CID).

    \b
    Example:
      datacap ipfs get bafkrei... -o out.json
    """
    if output and not Path(output).resolve().parent.is_dir():
        raise NotFound(f"no such directory: {Path(output).parent}")
    data = app.storage().get(cid)
    if output:
        Path(output).write_bytes(data)
        app.emit({"cid": cid, "output": output, "bytes": len(data)}, f"{len(data)} bytes -> {output}")
    elif app.as_json:
        app.emit({"cid": cid, "bytes": len(data), "text": data.decode("utf-8", "replace")})
    else:
        click.get_binary_stream("stdout").write(data)


@group.command("cid")
@click.argument("path")
@json_option
@pass_app
def cid(app: App, path) -> None:
    """Compute a file's CID without storing it (the one Kubo's `ipfs add` prints).

    \b
    Example:
      datacap ipfs cid ./weights.bin
    """
    from orchestrator.storage import cid_of_file

    value = cid_of_file(_file(path))
    app.emit({"cid": value, "path": path}, value)
