"""Chain client: contracts from abi/ + deployments/<chainId>.json, signed transactions, decoded reverts.

One place turns revert data into ``Contract.Error(arg=value, ...)``: :class:`AbiRegistry` builds a
selector -> error table from every ABI file (plus OpenZeppelin's usual errors, ``Error(string)`` and
``Panic(uint256)``), and :meth:`Chain.transact` / :meth:`Chain.call` raise :class:`ContractRevert`
with that text.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator

import requests
from eth_abi import decode as abi_decode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address
from eth_utils.abi import abi_to_signature, collapse_if_tuple
from web3 import HTTPProvider, Web3
from web3.exceptions import BadResponseFormat, TimeExhausted, Web3Exception

from orchestrator.config import Settings
from orchestrator.errors import (
    ChainUnavailable,
    ChainUnreachable,
    ContractRevert,
    DeploymentError,
    InsufficientFunds,
    NotFound,
)

#: with confirmations > 0, a chain that produced no block for this long mines only on transactions
IDLE_CHAIN_SECONDS = 15.0

PANIC_CODES = {
    0x00: "generic panic",
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "bad storage byte array",
    0x31: "pop on empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialized function",
}

#: errors our contracts inherit from OpenZeppelin v5, decoded even when an ABI file lacks them
BUILTIN_ERRORS = [
    "AccessControlUnauthorizedAccount(address account,bytes32 neededRole)",
    "AccessControlBadConfirmation()",
    "OwnableUnauthorizedAccount(address account)",
    "ERC20InsufficientAllowance(address spender,uint256 allowance,uint256 needed)",
    "ERC20InsufficientBalance(address sender,uint256 balance,uint256 needed)",
    "ERC20InvalidReceiver(address receiver)",
    "ERC721NonexistentToken(uint256 tokenId)",
    "ERC721IncorrectOwner(address sender,uint256 tokenId,address owner)",
    "ERC721InsufficientApproval(address operator,uint256 tokenId)",
    "ERC2612ExpiredSignature(uint256 deadline)",
    "ERC2612InvalidSigner(address signer,address owner)",
    "SafeERC20FailedOperation(address token)",
    "ReentrancyGuardReentrantCall()",
    "EnforcedPause()",
    "Error(string message)",
    "Panic(uint256 code)",
]


def _builtin_abi(sig: str) -> dict:
    name, rest = sig.split("(", 1)
    inputs = []
    for part in filter(None, rest.rstrip(")").split(",")):
        typ, arg = part.split(" ")
        inputs.append({"type": typ, "name": arg})
    return {"type": "error", "name": name, "inputs": inputs}


def _selector(entry: dict) -> bytes:
    return keccak(text=abi_to_signature(entry))[:4]


# --- data at the boundaries ----------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedEvent:
    contract: str
    name: str
    args: dict
    address: str
    log_index: int

    def as_dict(self) -> dict:
        return {**asdict(self), "args": jsonable(self.args)}


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    gas_used: int
    block: int
    label: str
    events: tuple[DecodedEvent, ...] = ()
    contract_address: str | None = None

    def event(self, name: str) -> DecodedEvent:
        for ev in self.events:
            if ev.name == name:
                return ev
        raise NotFound(f"{self.label}: no {name} event in transaction {self.tx_hash}")

    def as_dict(self) -> dict:
        return {
            "tx_hash": self.tx_hash,
            "gas_used": self.gas_used,
            "block": self.block,
            "label": self.label,
            "contract_address": self.contract_address,
            "events": [e.as_dict() for e in self.events],
        }


@dataclass(frozen=True)
class ContractRecord:
    address: str
    tx_hash: str


@dataclass
class Deployment:
    chain_id: int
    start_block: int
    contracts: dict[str, ContractRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Deployment":
        try:
            raw = json.loads(Path(path).read_text())
            return cls(
                int(raw["chainId"]),
                int(raw["startBlock"]),
                {n: ContractRecord(to_checksum_address(c["address"]), c.get("txHash", "")) for n, c in raw["contracts"].items()},
            )
        except FileNotFoundError:
            raise DeploymentError(f"no deployment at {path}: run `datacap deploy`") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise DeploymentError(f"{path} is malformed ({exc})") from None

    def as_dict(self) -> dict:
        return {
            "chainId": self.chain_id,
            "startBlock": self.start_block,
            "contracts": {n: {"address": c.address, "txHash": c.tx_hash} for n, c in self.contracts.items()},
        }

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.as_dict(), indent=2) + "\n")
        tmp.replace(path)


def revert_data(error: Any) -> str | None:
    """The revert data in a JSON-RPC error, whatever the node's shape, or None.

    Anvil and Geth: ``error.data = "0x..."``; Hardhat: ``error.data.data``; Ganache 7:
    ``error.data.result`` (or ``error.data = "0x..."`` for eth_call); Ganache 6:
    ``error.data[<tx hash>].return``.
    """
    if isinstance(error, str):
        return error if error.startswith("0x") and len(error) >= 10 and _is_hex(error[2:]) else None
    if not isinstance(error, dict):
        return None
    for key in ("data", "result", "return"):
        found = revert_data(error.get(key))
        if found is not None:
            return found
    for key, value in error.items():
        if key not in ("data", "result", "return") and isinstance(value, dict):
            found = revert_data(value)
            if found is not None:
                return found
    return None


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def jsonable(value: Any) -> Any:
    """Bytes to 0x-hex, tuples to lists, recursively (for --json output)."""
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "items"):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def _fmt(value: Any, roles: dict[bytes, str]) -> str:
    if isinstance(value, (bytes, bytearray)):
        return roles.get(bytes(value)) or "0x" + bytes(value).hex()
    if isinstance(value, str):
        if len(value) == 42 and value.startswith("0x"):
            return to_checksum_address(value)
        return value if value.startswith("0x") else json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v, roles) for v in value) + "]"
    return str(value)


def _named(param: dict, value: Any) -> Any:
    """Structs to dicts keyed by component name; addresses checksummed."""
    typ = param.get("type", "")
    if typ == "address" and isinstance(value, str):
        return to_checksum_address(value)
    if typ.startswith("tuple"):
        comps = param.get("components", [])
        if typ.endswith("]"):
            inner = {**param, "type": typ[: typ.rindex("[")]}
            return [_named(inner, v) for v in value]
        return {c["name"]: _named(c, v) for c, v in zip(comps, value)}
    if typ.endswith("]") and isinstance(value, (list, tuple)):
        inner = {**param, "type": typ[: typ.rindex("[")]}
        return [_named(inner, v) for v in value]
    return value


@cache
def _encoder(entry_json: str):
    """A one-function contract on an offline Web3 (no name is ever resolved through ENS): web3's public
    ``Contract.encode_abi`` then searches one ABI entry, not the whole contract's (0.3 ms a call, not 1.4 ms)."""
    return Web3().eth.contract(abi=[json.loads(entry_json)])


def _calldata(bound) -> str:
    """A bound contract function's calldata (arguments normalized as web3 does for a transaction)."""
    encoder = _encoder(json.dumps(bound.abi, sort_keys=True))
    return encoder.encode_abi(bound.abi_element_identifier, args=bound.args, kwargs=bound.kwargs)


# --- ABIs ----------------------------------------------------------------------------------------


class AbiRegistry:
    """Every ABI in abi/: contracts, and selector/topic tables for errors and events."""

    def __init__(self, abi_dir: Path):
        self.abi_dir = Path(abi_dir)
        self.artifacts: dict[str, dict] = {}
        if self.abi_dir.is_dir():
            for p in sorted(self.abi_dir.glob("*.json")):
                art = json.loads(p.read_text())
                self.artifacts[p.stem] = {"abi": art.get("abi", art if isinstance(art, list) else []),
                                          "bytecode": art.get("bytecode", ""), "enums": art.get("enums", {})}
        self.errors: dict[bytes, list[tuple[str | None, dict]]] = {}
        self.events: dict[bytes, list[tuple[str, dict]]] = {}
        self.roles: dict[bytes, str] = {b"\x00" * 32: "DEFAULT_ADMIN_ROLE"}
        self._event_objects: dict[tuple, Any] = {}
        for name, art in self.artifacts.items():
            for entry in art["abi"]:
                kind = entry.get("type")
                if kind == "error":
                    self.errors.setdefault(_selector(entry), []).append((name, entry))
                elif kind == "event" and not entry.get("anonymous"):
                    self.events.setdefault(keccak(text=abi_to_signature(entry)), []).append((name, entry))
                elif kind == "function" and entry.get("name", "").endswith("_ROLE") and not entry.get("inputs"):
                    self.roles[keccak(text=entry["name"])] = entry["name"]
        for sig in BUILTIN_ERRORS:
            entry = _builtin_abi(sig)
            self.errors.setdefault(_selector(entry), []).append((None, entry))

    def abi(self, name: str) -> list[dict]:
        try:
            return self.artifacts[name]["abi"]
        except KeyError:
            raise DeploymentError(f"no ABI for {name} in {self.abi_dir} (run `make abi`)") from None

    @cache  # noqa: B019 (one registry per abi/ for the process: the same class on every call)
    def enum(self, contract: str, name: str) -> type[IntEnum]:
        """A Solidity enum of ``contract``'s ABI as an IntEnum (members as declared, values from 0)."""
        members = self.artifacts.get(contract, {}).get("enums", {}).get(name)
        if members is None:
            raise DeploymentError(f"no enum {name} in the ABI of {contract} in {self.abi_dir} (run `make abi`)")
        return IntEnum(name, [(m, i) for i, m in enumerate(members)])

    def bytecode(self, name: str) -> str:
        code = self.artifacts.get(name, {}).get("bytecode", "")
        if not code or code == "0x":
            raise DeploymentError(f"no bytecode for {name} in {self.abi_dir} (run `make abi`)")
        return code

    def decode_error(self, data: bytes | str, contract: str | None = None) -> tuple[str, str, dict]:
        """Revert data -> (text, error name, args). Unknown selectors are shown raw."""
        if isinstance(data, str):
            data = bytes.fromhex(data[2:] if data.startswith("0x") else data)
        prefix = f"{contract}." if contract else ""
        if len(data) < 4:
            return f"{prefix}revert (no reason)", "", {}
        candidates = self.errors.get(data[:4], [])
        if not candidates:
            return f"{prefix}revert with unknown error 0x{data[:4].hex()} (data 0x{data.hex()})", "", {}
        owner, entry = next(((o, e) for o, e in candidates if o == contract), candidates[0])
        owner = owner or contract
        types = [collapse_if_tuple(i) for i in entry["inputs"]]
        try:
            values = abi_decode(types, data[4:])
        except Exception:  # noqa: BLE001 - malformed data is shown raw
            return f"{prefix}{entry['name']}(<undecodable 0x{data[4:].hex()}>)", entry["name"], {}
        args = {(i.get("name") or f"arg{n}"): v for n, (i, v) in enumerate(zip(entry["inputs"], values))}
        name = entry["name"]
        head = f"{owner}." if owner else ""
        if name == "Error":
            return f"{head}revert: {args['message']}", name, args
        if name == "Panic":
            code = args["code"]
            return f"{head}Panic(0x{code:02x}: {PANIC_CODES.get(code, 'unknown code')})", name, args
        shown = ", ".join(f"{k}={_fmt(v, self.roles)}" for k, v in args.items())
        return f"{head}{name}({shown})", name, args

    def _event(self, w3: Web3, owner: str, entry: dict):
        """web3's event object for one ABI entry (its public ``process_log`` decodes a raw log)."""
        key = (owner, abi_to_signature(entry), tuple(bool(i.get("indexed")) for i in entry["inputs"]))
        if key not in self._event_objects:
            self._event_objects[key] = w3.eth.contract(abi=[entry]).events[entry["name"]]()
        return self._event_objects[key]

    def decode_log(self, w3: Web3, log, by_address: dict[str, str]) -> DecodedEvent | None:
        topics = log["topics"]
        if not topics:
            return None
        topic0 = bytes(topics[0])
        address = to_checksum_address(log["address"])
        known = by_address.get(address)
        candidates = self.events.get(topic0, [])
        ordered = [c for c in candidates if c[0] == known] + [c for c in candidates if c[0] != known]
        for name, entry in ordered:
            try:
                data = self._event(w3, name, entry).process_log(log)
            except Exception:  # noqa: BLE001 - same topic, different indexing: try the next ABI
                continue
            return DecodedEvent(known or name, entry["name"], dict(data["args"]), address, int(log["logIndex"]))
        return None


# --- the client ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GasRecord:
    label: str
    gas_used: int
    tx_hash: str


class Chain:
    """One connection to one chain with (optionally) one signer."""

    def __init__(self, settings: Settings, signer: LocalAccount | None = None, registry: AbiRegistry | None = None):
        self.settings = settings
        self.signer = signer
        self.registry = registry or AbiRegistry(settings.abi_dir)
        self.w3 = Web3(HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 30}))
        self.gas_log: list[GasRecord] = []
        self._chain_id: int | None = None
        self._deployment: Deployment | None = None
        self._contracts: dict[tuple[str, str], Any] = {}
        self._pending_approval: tuple[str, int] | None = None
        #: hears one line when a wait a person should know about starts (the CLI prints it on stderr)
        self.notify: Callable[[str], None] = lambda _line: None

    # -- plumbing --
    @contextlib.contextmanager
    def _rpc_guard(self) -> Iterator[None]:
        try:
            yield
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError):
            raise ChainUnreachable(f"no JSON-RPC node answers at {self.settings.rpc_url}") from None
        except (requests.exceptions.RequestException, json.JSONDecodeError, BadResponseFormat) as exc:
            # a web server that is not a node: HTTP errors, HTML, or JSON that is not JSON-RPC
            raise ChainUnavailable(f"{self.settings.rpc_url} is not a JSON-RPC node "
                                   f"({' '.join(str(exc).split())[:120]})") from None

    def raw(self, method: str, params: list | None = None) -> dict:
        """A raw JSON-RPC exchange: the whole response, errors included (nothing raised for them)."""
        with self._rpc_guard():
            return self.w3.provider.make_request(method, params or [])

    def rpc(self, method: str, params: list | None = None) -> Any:
        reply = self.raw(method, params)
        if "error" in reply:
            raise ContractRevert(f"{method}: {reply['error'].get('message', reply['error'])}")
        return reply["result"]

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            with self._rpc_guard():
                cid = self.w3.eth.chain_id
            if self.settings.chain_id is not None and cid != self.settings.chain_id:
                raise ChainUnavailable(
                    f"node at {self.settings.rpc_url} is chain {cid}, settings expect {self.settings.chain_id}"
                )
            self._chain_id = cid
        return self._chain_id

    def block_number(self) -> int:
        with self._rpc_guard():
            return self.w3.eth.block_number

    def balance(self, address: str | None = None) -> int:
        with self._rpc_guard():
            return self.w3.eth.get_balance(to_checksum_address(address or self.address_of_signer()))

    def code_at(self, address: str) -> bytes:
        with self._rpc_guard():
            return bytes(self.w3.eth.get_code(to_checksum_address(address)))

    def address_of_signer(self) -> str:
        if self.signer is None:
            raise InsufficientFunds("no signing account configured (--account or DATACAP_ACCOUNT)")
        return self.signer.address

    # -- contracts --
    @property
    def deployment(self) -> Deployment:
        if self._deployment is None:
            path = self.settings.deployment_file(self.chain_id)
            self._deployment = Deployment.load(path)
        return self._deployment

    def state_dir(self) -> Path:
        """Local state of this deployment (listener cursor, agents' databases) under the data dir, keyed by
        chain id and deployment: a new chain or a redeploy starts clean, and an old one resumes."""
        dep = self.deployment
        # the hash of the deployment's first block: a fresh dev chain replaying the same deploy (same addresses,
        # same block numbers) still differs in it (timestamps)
        with self._rpc_guard():
            block = self.w3.eth.get_block(dep.start_block)
        path = self.settings.data_dir / "state" / f"{self.chain_id}-{dep.start_block}-{bytes(block['hash']).hex()[:12]}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def use_deployment(self, deployment: Deployment) -> None:
        self._deployment = deployment

    def address(self, name: str) -> str:
        rec = self.deployment.contracts.get(name)
        if rec is None:
            raise DeploymentError(
                f"{name} is not in the deployment for chain {self.chain_id} (run `datacap deploy --force`)"
            )
        return rec.address

    def contract(self, name: str, address: str | None = None):
        address = to_checksum_address(address or self.address(name))
        key = (name, address)
        if key not in self._contracts:
            self._contracts[key] = self.w3.eth.contract(address=address, abi=self.registry.abi(name))
        return self._contracts[key]

    def _names_by_address(self) -> dict[str, str]:
        try:
            return {c.address: n for n, c in self.deployment.contracts.items()}
        except DeploymentError:
            return {}

    def _resolve(self, fn: Any) -> tuple[Any, str, str]:
        """``"DataNFT.mint"`` or a web3 contract function -> (function, contract name, label)."""
        if isinstance(fn, str):
            cname, fname = fn.split(".", 1)
            return getattr(self.contract(cname).functions, fname), cname, fn
        address = to_checksum_address(fn.address)
        cname = self._names_by_address().get(address) or next(
            (n for (n, a) in self._contracts if a == address), "contract"
        )
        return fn, cname, f"{cname}.{fn.fn_name}"

    # -- reads --
    def call(self, fn: Any, *args: Any, block: int | str = "latest") -> Any:
        """A view call; reverts raise :class:`ContractRevert` with the decoded error."""
        func, cname, label = self._resolve(fn)
        bound = func(*args)
        tx = {"to": bound.address, "data": _calldata(bound)}
        if self.signer is not None:
            tx["from"] = self.signer.address
        reply = self.raw("eth_call", [tx, block if isinstance(block, str) else hex(block)])
        if "error" in reply:
            raise self._revert(reply["error"], cname, label)
        outputs = bound.abi.get("outputs", [])
        values = abi_decode([collapse_if_tuple(o) for o in outputs], bytes.fromhex(reply["result"][2:]))
        values = [_named(o, v) for o, v in zip(outputs, values)]
        return values[0] if len(values) == 1 else tuple(values)

    def _revert(self, error: dict, cname: str, label: str) -> Exception:
        message = str(error.get("message", ""))
        data = revert_data(error)
        if data is not None:
            text, name, args = self.registry.decode_error(data, cname)
            return ContractRevert(f"{label} reverted: {text}", error=name, args=args)
        if "insufficient funds" in message.lower():
            who = self.signer.address if self.signer else "the sender"
            return InsufficientFunds(f"{who} cannot pay for {label} ({message})")
        return ContractRevert(f"{label} reverted: {message or 'no reason'}")

    # -- writes --
    def transact(self, fn: Any, *args: Any, value: int = 0, gas: int | None = None, label: str | None = None) -> TxResult:
        """Estimate, sign, send, wait (plus confirmations), record gas, decode events.

        ``fn`` is ``"Contract.function"`` or a web3 contract function (``c.functions.mint``).
        """
        func, cname, default_label = self._resolve(fn)
        bound = func(*args)
        tx = {"to": to_checksum_address(bound.address), "data": _calldata(bound), "value": value}
        self._approve_pending(tx, cname, label or default_label)
        return self._send(tx, cname, label or default_label, gas)

    def estimate(self, fn: Any, *args: Any, value: int = 0) -> int:
        """Simulate a transaction from the signer: its gas, or :class:`ContractRevert` with the decoded error."""
        func, cname, label = self._resolve(fn)
        bound = func(*args)
        tx = {"to": to_checksum_address(bound.address), "data": _calldata(bound), "value": value}
        return self._estimate(tx, cname, label)

    def _estimate(self, tx: dict, cname: str, label: str) -> int:
        probe = {k: (hex(v) if isinstance(v, int) else v) for k, v in {**tx, "from": self.address_of_signer()}.items()}
        reply = self.raw("eth_estimateGas", [probe])
        if "error" in reply:
            raise self._revert(reply["error"], cname, label)
        return int(reply["result"], 16)

    def approve_before_next(self, spender_contract: str, amount: int) -> None:
        """Approve ``spender_contract`` for ``amount`` CAP just before the next :meth:`transact`, and only if
        that call, simulated first, fails for nothing but the missing allowance: a call that would revert
        anyway leaves no approval behind."""
        self._pending_approval = (spender_contract, amount)

    def _approve_pending(self, tx: dict, cname: str, label: str) -> None:
        pending, self._pending_approval = self._pending_approval, None
        if pending is None:
            return
        spender_contract, amount = pending
        try:
            self._estimate(tx, cname, label)
        except ContractRevert as exc:
            # ERC20InsufficientAllowance, or a contract's own check ahead of transferFrom
            if not (exc.error or "").endswith("InsufficientAllowance"):
                raise
        self.transact("CapToken.approve", self.address(spender_contract), amount,
                      label=f"CapToken.approve({spender_contract})")

    def deploy_contract(self, name: str, *args: Any, label: str | None = None) -> TxResult:
        """Deploy ``abi/<name>.json``'s bytecode with constructor ``args``."""
        factory = self.w3.eth.contract(abi=self.registry.abi(name), bytecode=self.registry.bytecode(name))
        data = factory.constructor(*args).data_in_transaction
        result = self._send({"data": data, "value": 0}, name, label or f"deploy {name}", None)
        if not result.contract_address:
            raise ContractRevert(f"deploy {name}: no contract address in the receipt")
        return result

    def _send(self, tx: dict, cname: str, label: str, gas: int | None) -> TxResult:
        sender = self.address_of_signer()
        tx = {**tx, "from": sender}
        probe = {k: (hex(v) if isinstance(v, int) else v) for k, v in tx.items()}
        if gas is None:
            reply = self.raw("eth_estimateGas", [probe])
            if "error" in reply:
                raise self._revert(reply["error"], cname, label)
            # headroom: state can change between estimate and inclusion (e.g. a checkpoint written in a new
            # second costs fresh storage slots that the same-second estimate did not see)
            gas = int(int(reply["result"], 16) * 1.3) + 60_000
        with self._rpc_guard():
            latest = self.w3.eth.get_block("latest")
            base = int(latest.get("baseFeePerGas", 0) or 0)
            try:
                tip = int(self.w3.eth.max_priority_fee)
            except (Web3Exception, ValueError):
                tip = 10**9
            max_fee = 2 * base + tip
            balance = self.w3.eth.get_balance(sender)
            need = gas * max_fee + int(tx.get("value", 0))
            if balance < need:
                raise InsufficientFunds(
                    f"{sender} holds {Web3.from_wei(balance, 'ether')} ETH, {label} needs up to "
                    f"{Web3.from_wei(need, 'ether')} ETH for gas and value"
                )
            nonce = self.w3.eth.get_transaction_count(sender, "pending")
            signed = self.signer.sign_transaction(
                {**tx, "gas": gas, "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip, "nonce": nonce,
                 "chainId": self.chain_id, "type": 2}
            )
            try:
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            except Web3Exception as exc:
                text = str(exc)
                if "insufficient funds" in text.lower():
                    raise InsufficientFunds(f"{sender} cannot pay for {label}") from None
                raise ContractRevert(f"{label}: node refused the transaction ({text})") from None
            try:
                receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.settings.tx_timeout)
            except TimeExhausted:
                raise ChainUnavailable(f"{label}: no receipt for 0x{bytes(tx_hash).hex()} after "
                                       f"{self.settings.tx_timeout:.0f}s") from None
            self._wait_confirmations(receipt["blockNumber"])
        hexhash = "0x" + bytes(tx_hash).hex()
        if receipt["status"] != 1:
            if int(receipt["gasUsed"]) >= gas:
                raise ContractRevert(f"{label} ran out of gas (limit {gas:,}) in tx {'0x' + bytes(tx_hash).hex()}")
            replay = self.raw("eth_call", [probe, hex(receipt["blockNumber"] - 1)])
            err = replay.get("error") or {"message": "reverted without data"}
            raise self._revert(err, cname, label)
        by_address = self._names_by_address()
        if receipt.get("contractAddress"):
            by_address[to_checksum_address(receipt["contractAddress"])] = cname
        events = tuple(
            ev for ev in (self.registry.decode_log(self.w3, log, by_address) for log in receipt["logs"]) if ev
        )
        result = TxResult(
            hexhash,
            int(receipt["gasUsed"]),
            int(receipt["blockNumber"]),
            label,
            events,
            to_checksum_address(receipt["contractAddress"]) if receipt.get("contractAddress") else None,
        )
        self.gas_log.append(GasRecord(label, result.gas_used, hexhash))
        return result

    def _wait_confirmations(self, block: int) -> None:
        want = block + self.settings.confirmations
        if self.settings.confirmations and self.w3.eth.block_number < want:
            self.notify(f"block {block}: waiting for {self.settings.confirmations} confirmation(s) (until block "
                        f"{want}, at most {self.settings.tx_timeout:.0f}s)")
        start = time.monotonic()
        deadline = start + self.settings.tx_timeout
        while self.settings.confirmations and self.w3.eth.block_number < want:
            now = time.monotonic()
            if now > deadline:
                raise ChainUnavailable(f"block {block} did not reach {self.settings.confirmations} confirmations")
            if now - start > IDLE_CHAIN_SECONDS and self.w3.eth.block_number == block:
                raise ChainUnavailable(
                    f"no block after {block} in {IDLE_CHAIN_SECONDS:.0f}s: this chain mines only on transactions, so "
                    f"{self.settings.confirmations} confirmation(s) never come; use --confirmations 0 (or a block time)"
                )
            time.sleep(0.2)

    # -- events --
    def events(self, contract: str, event: str, from_block: int | None = None, **filters: Any) -> list[DecodedEvent]:
        """Past events of a deployed contract (from the deployment's start block by default)."""
        c = self.contract(contract)
        start = self.deployment.start_block if from_block is None else from_block
        with self._rpc_guard():
            logs = getattr(c.events, event)().get_logs(from_block=start, argument_filters=filters or None)
        return [DecodedEvent(contract, event, dict(l["args"]), to_checksum_address(l["address"]), int(l["logIndex"]))
                for l in logs]

    # -- local dev-chain helpers (Anvil, Ganache, Hardhat) --
    def client_version(self) -> str:
        """``web3_clientVersion``, e.g. ``anvil/v1.7.1``, ``Ganache/v7.9.2/EthereumJS TestRPC/v7.9.2/ethereum-js``."""
        reply = self.raw("web3_clientVersion")
        return str(reply.get("result") or "unknown")

    def increase_time(self, seconds: int) -> None:
        """Move the next block's timestamp ``seconds`` ahead and mine it."""
        self.rpc("evm_increaseTime", [int(seconds)])
        self.rpc("evm_mine", [])

    def mine(self, blocks: int = 1) -> None:
        """Mine ``blocks`` empty blocks: ``anvil_mine``/``hardhat_mine`` in one call, else ``evm_mine`` each."""
        for method in ("anvil_mine", "hardhat_mine"):
            if "error" not in self.raw(method, [hex(blocks)]):
                return
        for _ in range(blocks):
            self.rpc("evm_mine", [])


def connect(settings: Settings, signer: LocalAccount | None = None) -> Chain:
    """A :class:`Chain`, failing fast with :class:`ChainUnavailable` when no node answers."""
    chain = Chain(settings, signer)
    _ = chain.chain_id
    return chain


LoadSigner = Callable[[], LocalAccount]
