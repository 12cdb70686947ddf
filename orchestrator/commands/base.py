"""What every command shares: settings, the signer, the chain, storage, output (text or --json)."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import click
from rich.console import Console
from rich.table import Table

from orchestrator.chain import Chain, jsonable
from orchestrator.config import Settings, load_settings
from orchestrator.errors import DatacapError, InvalidInput, KeystoreError
from orchestrator.keystore import DEV_PASSWORD, Keystore, password_from_env, signer_from_env
from orchestrator import params


class App:
    """Per-invocation state, created by the top-level group."""

    def __init__(self, overrides: dict[str, Any], config_file: Path | None = None, as_json: bool = False):
        self.overrides = overrides
        self.config_file = config_file
        self.as_json = as_json
        self._settings: Settings | None = None
        self._chain: Chain | None = None
        self._signer = None
        self._signer_name = ""
        self.out = Console(soft_wrap=True)
        self.err = Console(stderr=True)

    # -- settings / accounts --
    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.overrides, config_file=self.config_file)
        return self._settings

    @property
    def keystore(self) -> Keystore:
        return Keystore(self.settings.keystore_path)

    def password(self, *, confirm: bool = False, what: str = "keystore password") -> str:
        pw = password_from_env()
        if pw is not None:
            return pw
        if not sys.stdin.isatty() and not os.environ.get("DATACAP_PROMPT"):
            raise KeystoreError("no password: set DATACAP_PASSWORD or run in a terminal")
        return click.prompt(what.capitalize(), hide_input=True, confirmation_prompt=confirm, err=True)

    def _load(self, ks: Keystore, name: str):
        """The one password rule: dev accounts (Anvil's public keys) use the built-in dev password, whatever
        DATACAP_PASSWORD says; every other account uses DATACAP_PASSWORD (environment or .env) or a prompt."""
        if ks.is_dev(name):
            try:
                return ks.load(name, DEV_PASSWORD)
            except KeystoreError:
                pass  # imported under a password of its own before this rule: ask for that one
        return ks.load(name, self.password())

    def signer(self):
        if self._signer is None:
            if self.settings.key_source == "env":
                self._signer, self._signer_name = signer_from_env(), "DATACAP_PRIVATE_KEY"
            else:
                ks = self.keystore
                name = self.settings.account or ks.default_name()
                ks.info(name)  # fail on a missing account before asking for a password
                self._signer, self._signer_name = self._load(ks, name), name
        return self._signer

    def chain(self, *, signed: bool = True) -> Chain:
        """The chain client (connected; with the signer unless ``signed=False``)."""
        if self._chain is None:
            self._chain = Chain(self.settings)
            self._chain.notify = lambda line: click.echo(line, err=True)
            _ = self._chain.chain_id  # ChainUnavailable now, not halfway through a command
        if signed and self._chain.signer is None:
            self._chain.signer = self.signer()
        return self._chain

    def storage(self):
        from orchestrator.storage import open_storage

        s = self.settings
        if s.ipfs_backend == "kubo":
            return open_storage("kubo", api_url=s.ipfs_api)
        return open_storage("local", root=s.store_path)

    # -- output --
    def emit(self, data: Any, human: Callable[[], Any] | str | None = None) -> None:
        """--json: the data as JSON on stdout; else the human rendering (text or a rich renderable)."""
        if self.as_json:
            payload = data.as_dict() if hasattr(data, "as_dict") else data
            if isinstance(payload, list):
                payload = [d.as_dict() if hasattr(d, "as_dict") else d for d in payload]
            click.echo(json.dumps(jsonable(payload), indent=2, default=str))
            return
        rendered = human() if callable(human) else human
        if rendered is None:
            rendered = details(data.as_dict() if hasattr(data, "as_dict") else data)
        self.out.print(rendered, highlight=False)
        if self._signer is not None:  # the signer is explicit: every signed command says who signed
            self.out.print(f"[dim]signed by {self._signer_name} ({self._signer.address})[/dim]", highlight=False)

    def emit_line(self, data: dict, human: str) -> None:
        """One item of a stream: a compact JSON line under --json (JSON Lines), else the human text."""
        if self.as_json:
            click.echo(json.dumps(jsonable(data), separators=(",", ":"), default=str))
        else:
            self.out.print(human, highlight=False)

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[Callable[[str], None]]:
        """A spinner on stderr for a long step (silent under --json); yields an updater."""
        if self.as_json or not self.err.is_terminal:
            yield lambda _msg: None
            return
        with self.err.status(text) as status:
            yield lambda msg: status.update(f"{text}: {msg}")


pass_app = click.make_pass_decorator(App)


def json_option(fn: Callable) -> Callable:
    """Adds ``--json`` (machine-readable output) to a command."""

    def _set(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            ctx.ensure_object(App).as_json = True

    return click.option("--json", "as_json", is_flag=True, expose_value=False, callback=_set, is_eager=True,
                        help="Print machine-readable JSON.")(fn)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*[str(v) for v in r])
    return t


#: field names holding CAP amounts in wei, and unix times (the contracts' and the actions' names)
_AMOUNT_KEY = re.compile(r"(price|bond|budget|amount|deposit|balance|stake|votes|escrow|reward|owed|bonus|paid"
                         r"|mortgage|fee|^value$)(?!.*bps)", re.IGNORECASE)
_TIME_KEY = re.compile(r"(deadline|_at$|At$|_end$|End$|Start$|_start$|time$|Time$|until|expires|readyAt|Ends?$)")


def fmt_time(ts: int) -> str:
    """Unix seconds -> ``2026-12-01 10:20:00 UTC``."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def human_value(key: str, value: Any) -> str:
    """One field for people: CAP amounts in CAP, unix times as dates, structures as compact JSON."""
    if isinstance(value, int) and not isinstance(value, bool):
        if _AMOUNT_KEY.search(key) and "bps" not in key.lower() and "count" not in key.lower():
            return params.fmt_cap(value)
        if _TIME_KEY.search(key) and 10**9 <= value < 10**11:
            return fmt_time(value)
    if isinstance(value, (dict, list, tuple, bytes, bytearray)):
        return json.dumps(jsonable(value), separators=(", ", ": "), default=str)
    return str(value)


def details(data: Any) -> Any:
    """A key/value table of a record (lists: one table row per record); --json keeps the raw form."""
    if isinstance(data, dict):
        t = Table(show_header=False, box=None, pad_edge=False)
        t.add_column(style="bold", no_wrap=True)
        t.add_column(overflow="fold")
        for k, v in data.items():
            t.add_row(str(k), human_value(str(k), v))
        return t
    if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        keys = list(data[0])
        return table("", keys, [[human_value(k, d.get(k)) for k in keys] for d in data])
    return json.dumps(jsonable(data), indent=2, default=str)


def tx_line(tx) -> str:
    return f"[dim]tx {tx.tx_hash} · block {tx.block} · gas {tx.gas_used:,}[/dim]"


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {' '.join(str(message).split())}", err=True)
    sys.exit(code)


class Interrupted(DatacapError):
    """Ctrl-C (SIGINT) during a command: the shell's convention, exit 130."""

    exit_code = 130


class DatacapGroup(click.Group):
    """Top-level group: expected failures become one ``error: ...`` line on stderr, non-zero exit."""

    def invoke(self, ctx: click.Context):  # noqa: D102
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # before click turns it into Abort with a blank line of its own
            raise Interrupted("interrupted") from None

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: D102
        from web3.exceptions import MismatchedABI, Web3ValidationError

        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except DatacapError as exc:
            fail(str(exc), exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            fail("aborted", 1)
        except (Web3ValidationError, MismatchedABI) as exc:
            fail(f"bad argument: {str(exc).splitlines()[0]}", 2)
        except OSError as exc:  # a file or directory the command was pointed at
            where = f": {exc.filename}" if exc.filename else ""
            fail(f"{exc.strerror or exc}{where}", 1)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        code = rv if isinstance(rv, int) else 0
        if standalone_mode:
            sys.exit(code)
        return rv


class _Parsed(click.ParamType):
    """A click type over one of :mod:`orchestrator.params`' parsers (bad input: one line, exit 2)."""

    def __init__(self, name: str, parse: Callable[[str], Any]):
        self.name = name
        self._parse = parse

    def convert(self, value, param, ctx):  # noqa: D102
        if not isinstance(value, str):
            return value
        try:
            return self._parse(value)
        except DatacapError as exc:
            where = max(param.opts, key=len) if param is not None and param.param_type_name == "option" else None
            raise BadArgument(f"{where}: {exc}" if where else str(exc)) from None


class BadArgument(InvalidInput):
    """A command-line argument failed its shared parser (exit 2, like any usage error)."""

    exit_code = 2


#: shared CLI argument types: every command (the dApp's too) validates the same way
AMOUNT = _Parsed("amount", params.parse_cap)
ADDRESS = _Parsed("address", params.parse_address)
DURATION = _Parsed("duration", params.parse_duration)
WEIGHTS = _Parsed("weights", params.parse_weights)
IDS = _Parsed("ids", params.parse_ids)
CID = _Parsed("cid", params.parse_cid)
URL = _Parsed("url", params.parse_url)
