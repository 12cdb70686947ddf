"""`datacap account`: encrypted keystore accounts."""

from __future__ import annotations

import os
import sys

import click

from orchestrator.commands.base import App, json_option, pass_app, table
from orchestrator.errors import KeystoreError
from orchestrator.keystore import DEV_PASSWORD, PRIVATE_KEY_ENV


@click.group("account")
def group() -> None:
    """Create, import and list signing accounts (encrypted keystores, scrypt, mode 0600).

    \b
    Example:
      datacap account create alice
    """


@group.command("create")
@click.argument("name")
@json_option
@pass_app
def create(app: App, name) -> None:
    """Generate a new key, encrypted with a password (DATACAP_PASSWORD or a prompt).

    \b
    Example:
      datacap account create alice
    """
    app.keystore.path(name)
    if app.keystore.exists(name):
        raise KeystoreError(f"account {name!r} exists already")
    info = app.keystore.create(name, app.password(confirm=True))
    app.emit(info, f"created {info.name} {info.address} ({info.path})")


@group.command("import")
@click.argument("name")
@click.option("--force", is_flag=True, help="Overwrite an account of the same name.")
@json_option
@pass_app
def import_(app: App, name, force) -> None:
    """Import a private key read from stdin or DATACAP_PRIVATE_KEY (never from the command line).

    \b
    Example:
      cat key.txt | datacap account import bob
    """
    raw = os.environ.get(PRIVATE_KEY_ENV)
    if not raw:
        if sys.stdin.isatty():
            raw = click.prompt("Private key (hex)", hide_input=True, err=True)
        else:
            raw = sys.stdin.readline()
    if not raw or not raw.strip():
        raise KeystoreError(f"no private key on stdin or in {PRIVATE_KEY_ENV}")
    info = app.keystore.import_key(name, raw, app.password(confirm=sys.stdin.isatty()), overwrite=force)
    app.emit(info, f"imported {info.name} {info.address} ({info.path})")


@group.command("import-dev")
@click.argument("count", type=click.IntRange(1, 100), default=20)
@json_option
@pass_app
def import_dev(app: App, count) -> None:
    """Import Anvil's first COUNT well-known dev keys as dev0..dev{COUNT-1} (local chain only!).

    These keys are public: anyone can spend what they hold on a public chain.

    \b
    Example:
      datacap account import-dev 20
    """
    infos = app.keystore.import_dev(count, DEV_PASSWORD)  # public keys: the built-in dev password
    app.emit(infos, lambda: table("dev accounts", ["name", "address"], [[i.name, i.address] for i in infos]))


@group.command("list")
@json_option
@pass_app
def list_(app: App) -> None:
    """List the accounts in the keystore.

    \b
    Example:
      datacap account list --json
    """
    infos = app.keystore.list()
    app.emit(infos, lambda: table(f"accounts in {app.keystore.directory}", ["name", "address"],
                                  [[i.name, i.address] for i in infos]))
