"""Reorg-aware, crash-safe chain event listener with a transactional outbox."""

# Design in one paragraph (the "why"):
#
# The listener is the only place where chain facts become local actions, so it must never lose an
# event and never act on one twice, even if the process is killed between any two instructions.
# Every range of blocks read together is one SQLite transaction that holds (a) whatever the handlers record
# locally (their own tables, outbox rows), (b) the processed-event keys and (c) the cursor (last
# block number + hash, and a window of recent block hashes). SQLite makes that transaction atomic:
# after a kill either all of it is there (the range is done) or none of it (the range is redone, the
# handlers' half-written rows vanished with it). Handlers therefore never talk to the outside world
# directly; they write an outbox row with a deterministic, unique key, and `Outbox.dispatch` sends
# pending rows afterwards and marks them sent. A kill between "sent" and "marked" re-sends the row
# with the same key (used as the Celery task id / the tx idempotency key), which the receiver
# deduplicates: at-least-once delivery plus idempotent receipt gives effectively-once effects.
#
# Reorgs: only blocks at least `confirmations` deep are read. Before reading new blocks the stored
# hash of the cursor block is compared with the chain; on mismatch the stored window is walked back
# to the highest block whose hash still matches (the fork point), the cursor is rolled back there,
# events of orphaned blocks are un-marked and handed to `on_reorg` so domain code can compensate,
# and a row is written to `listener_reorgs` -- all in one transaction, for the same reasons.
#
# Latency (bench/event_latency.py): the hot path is one new block. A poll then costs an
# `eth_blockNumber`, the new block's header (its parentHash doubles as the reorg check of the
# cursor) and an `eth_getLogs` pinned to that block's hash (so no re-check is needed), over a
# keep-alive http.client connection (web3's requests-based provider costs ~0.5 ms more a call on
# localhost), then one SQLite transaction. An idle poll is `eth_blockNumber` plus the cursor's
# header (reorgs at an unchanged height). With 0 confirmations the head's header replaces
# `eth_blockNumber`: one RPC per idle poll, two per new block.

from __future__ import annotations

import functools
import http.client
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract

from orchestrator.errors import ChainUnreachable, DatacapError

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS listener_cursor (
    name         TEXT PRIMARY KEY,
    chain_id     INTEGER NOT NULL,
    block_number INTEGER NOT NULL,      -- last fully processed block (start_block - 1 initially)
    block_hash   TEXT,                  -- its hash; NULL before the first block is processed
    updated_at   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS listener_blocks (
    name         TEXT NOT NULL,
    block_number INTEGER NOT NULL,
    block_hash   TEXT NOT NULL,
    PRIMARY KEY (name, block_number)
);
CREATE TABLE IF NOT EXISTS listener_events (
    name         TEXT NOT NULL,
    block_hash   TEXT NOT NULL,
    tx_hash      TEXT NOT NULL,
    log_index    INTEGER NOT NULL,
    block_number INTEGER NOT NULL,
    contract     TEXT NOT NULL,
    event        TEXT NOT NULL,
    raw_log      TEXT NOT NULL,         -- JSON of the log, re-decoded for on_reorg
    processed_at REAL NOT NULL,
    PRIMARY KEY (name, block_hash, tx_hash, log_index)
);
CREATE INDEX IF NOT EXISTS listener_events_block ON listener_events (name, block_number);
CREATE TABLE IF NOT EXISTS listener_reorgs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    detected_at     REAL NOT NULL,
    fork_block      INTEGER NOT NULL,   -- highest block still canonical; rolled back to here
    old_head        INTEGER NOT NULL,   -- cursor before the rollback
    old_head_hash   TEXT NOT NULL,
    new_head_hash   TEXT,               -- chain's hash at old_head (NULL: chain got shorter)
    depth           INTEGER NOT NULL,   -- old_head - fork_block
    orphaned_events INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT NOT NULL UNIQUE,    -- deterministic: task id / idempotency key at the receiver
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,           -- JSON
    created_at REAL NOT NULL,
    sent_at    REAL,                    -- NULL while pending
    attempts   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, id);
"""


class RpcError(RuntimeError):
    """The node answered a JSON-RPC call with an error."""


class JsonRpc:
    """Raw JSON-RPC (results unformatted: hex strings) on one keep-alive connection.

    Plain http(s) endpoints go through `http.client` directly; any other provider (IPC, websocket,
    custom) through `w3.provider.make_request`, which also returns raw results.
    """

    def __init__(self, w3: Web3):
        self.w3 = w3
        self._lock = threading.Lock()
        self._id = 0
        self._conn: http.client.HTTPConnection | None = None
        uri = getattr(w3.provider, "endpoint_uri", None)
        parts = urlsplit(str(uri)) if uri else None
        self._target = None
        if parts is not None and parts.scheme in ("http", "https") and not parts.username:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            self._target = (parts.scheme, parts.hostname, parts.port, path)

    def _connect(self) -> http.client.HTTPConnection:
        scheme, host, port, _ = self._target
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        return cls(host, port, timeout=30)

    def call(self, method: str, params: list) -> Any:
        if self._target is None:
            reply = self.w3.provider.make_request(method, params)
        else:
            with self._lock:
                self._id += 1
                body = json.dumps({"jsonrpc": "2.0", "id": self._id, "method": method,
                                   "params": params}).encode()
                reply = self._post(body)
        if "error" in reply:
            raise RpcError(f"{method}: {reply['error']}")
        return reply["result"]

    def _post(self, body: bytes) -> dict:
        for attempt in (1, 2):  # a kept-alive connection may have been closed by the server
            if self._conn is None:
                self._conn = self._connect()
            try:
                self._conn.request("POST", self._target[3], body,
                                   {"Content-Type": "application/json"})
                resp = self._conn.getresponse()
                data = resp.read()
                if resp.status != 200:
                    raise RpcError(f"HTTP {resp.status}: {data[:200]!r}")
                return json.loads(data)
            except (http.client.HTTPException, OSError) as exc:
                self.close()
                if attempt == 2:
                    raise ChainUnreachable(f"no JSON-RPC node answers at {self.w3.provider.endpoint_uri} "
                                           f"({' '.join(str(exc).split())[:100]})") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@functools.lru_cache(maxsize=4096)
def _checksum(address: str) -> str:
    return Web3.to_checksum_address(address)


class _ArgsDecoder:
    """An event's args from a raw log, as web3's `process_log` gives them.

    web3 runs every value through generic formatter pipelines (~0.35 ms a log, the largest cost of
    the one-block hot path); events of elementary types (no arrays, no tuples) are decoded here
    straight with the ABI codec (~0.03 ms) and web3 does the rest.
    """

    def __init__(self, event: Any):
        self.event = event
        self.codec = event.w3.codec
        abi = event.abi
        inputs = abi["inputs"]
        fast = not abi.get("anonymous") and all(
            "[" not in i["type"] and not i["type"].startswith("tuple") for i in inputs)
        self.indexed = [(i["name"], i["type"]) for i in inputs if i["indexed"]] if fast else None
        plain = [(i["name"], i["type"]) for i in inputs if not i["indexed"]]
        self.plain_names = [n for n, _ in plain]
        self.plain_types = [t for _, t in plain]

    def decode(self, raw: dict[str, Any]) -> dict[str, Any]:
        if self.indexed is None or len(raw["topics"]) != len(self.indexed) + 1:
            return self._slow(raw)
        args: dict[str, Any] = {}
        for (name, typ), topic in zip(self.indexed, raw["topics"][1:]):
            value = bytes.fromhex(topic[2:])
            if typ not in ("string", "bytes"):  # dynamic indexed values are only their hash
                (value,) = self.codec.decode([typ], value)
            args[name] = value
        values = self.codec.decode(self.plain_types, bytes.fromhex(raw["data"][2:]))
        args.update(zip(self.plain_names, values))
        for (name, typ) in self.indexed:
            if typ == "address":
                args[name] = _checksum(args[name])
        for name, typ in zip(self.plain_names, self.plain_types):
            if typ == "address":
                args[name] = _checksum(args[name])
        return args

    def _slow(self, raw: dict[str, Any]) -> dict[str, Any]:
        entry = {
            "address": raw["address"],
            "topics": [HexBytes(t) for t in raw["topics"]],
            "data": HexBytes(raw["data"]),
            "blockNumber": raw["blockNumber"],
            "blockHash": HexBytes(raw["blockHash"]),
            "transactionHash": HexBytes(raw["transactionHash"]),
            "transactionIndex": raw["transactionIndex"],
            "logIndex": raw["logIndex"],
        }
        return dict(self.event.process_log(entry)["args"])


class ReorgTooDeep(RuntimeError):
    """No block of the stored window is canonical any more: the reorg is deeper than the window."""


class ChainMoved(RuntimeError):
    """The chain changed while a block range was being read; the next poll retries the range."""


@dataclass(frozen=True)
class ChainEvent:
    """A decoded contract event, as handlers see it."""

    contract: str
    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    address: str = ""

    @property
    def key(self) -> tuple[str, str, int]:
        """Unique identity of this log on its chain: (block_hash, tx_hash, log_index)."""
        return (self.block_hash, self.tx_hash, self.log_index)

    @property
    def uid(self) -> str:
        """`key` as one string, handy for deterministic outbox keys and task ids."""
        return f"{self.block_hash}:{self.tx_hash}:{self.log_index}"


@dataclass(frozen=True)
class ReorgDetected:
    """What a rollback did: fork point, depth and the events it un-marked."""

    fork_block: int
    old_head: int
    old_head_hash: str
    new_head_hash: str | None
    depth: int
    orphaned: tuple[ChainEvent, ...]


@dataclass(frozen=True)
class PollResult:
    """Outcome of one `EventListener.poll_once` call.

    `from_block`/`to_block` is the range read (to_block < from_block when nothing was new).
    """

    processed: int
    from_block: int
    to_block: int
    reorg: ReorgDetected | None = None


@dataclass(frozen=True)
class OutboxRow:
    """A pending external side effect."""

    id: int
    key: str
    kind: str
    payload: Any
    attempts: int


@dataclass
class HandlerContext:
    """What a handler may touch: the open SQLite transaction of the block being processed.

    Everything written through `conn` (or `outbox`) commits atomically with the cursor; never
    commit or roll back yourself, and never make external calls from a handler -- use `outbox`.
    """

    conn: sqlite3.Connection
    listener: str
    chain_id: int
    block_number: int | None = None

    def outbox(self, key: str, kind: str, payload: Any) -> bool:
        """Queue an external side effect; returns False when `key` was already queued."""
        return Outbox.add(self.conn, key, kind, payload)


Handler = Callable[[ChainEvent, HandlerContext], None]
ReorgHandler = Callable[[int, list[ChainEvent], HandlerContext], None]


def connect(db_path: str) -> sqlite3.Connection:
    """Open `db_path` in autocommit mode (transactions are explicit) with WAL and the schema."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable against process kills in WAL mode (only an OS crash may lose the last
    # commits, and then the cursor is lost together with the side effects, which stays consistent).
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


class _Txn:
    """`with _Txn(conn):` -- BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any exception."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


def _hex(value: Any) -> str:
    return "0x" + bytes(HexBytes(value)).hex()


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return _hex(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class Outbox:
    """Pending external side effects, written inside handler transactions, sent afterwards.

    Parameters
    ----------
    db_path : str
        The listener's database (the outbox table lives beside the cursor).
    """

    def __init__(self, db_path: str):
        self.conn = connect(db_path)
        self._last_failure: dict[str, str] = {}

    @staticmethod
    def add(conn: sqlite3.Connection, key: str, kind: str, payload: Any) -> bool:
        """Insert a pending row in the caller's transaction; idempotent on `key`."""
        cur = conn.execute(
            "INSERT OR IGNORE INTO outbox (key, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            (key, kind, json.dumps(_jsonable(payload), sort_keys=True), time.time()),
        )
        return cur.rowcount == 1

    def pending(self, limit: int = 100) -> list[OutboxRow]:
        """Rows not yet marked sent, oldest first."""
        rows = self.conn.execute(
            "SELECT id, key, kind, payload, attempts FROM outbox WHERE sent_at IS NULL "
            "ORDER BY id LIMIT ?",
            (limit,),
        ).fetchall()
        return [OutboxRow(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def dispatch(self, send: Callable[[OutboxRow], None], limit: int = 100) -> int:
        """Send pending rows with `send` and mark each sent; returns how many were sent.

        `send` must be idempotent on `row.key` (e.g. `apply_async(task_id=row.key)`): a crash
        between sending and marking re-sends the row on the next call. A failing `send` stops the
        batch and leaves the row pending.
        """
        sent = 0
        for row in self.pending(limit):
            try:
                send(row)
            except Exception as exc:
                self.conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?",
                                  (row.id,))
                if isinstance(exc, DatacapError):  # expected (e.g. SeedNotReady until blocks are mined): one line,
                    if self._last_failure.get(row.key) != str(exc):  # and only when it changes
                        log.warning("outbox: %s (%s) left pending: %s", row.key, row.kind, exc)
                    self._last_failure[row.key] = str(exc)
                else:
                    log.exception("outbox: sending %s (%s) failed; left pending", row.key, row.kind)
                break
            self._checkpoint("outbox_after_send")
            # One write per row (a kill before it re-sends the row, uncounted, as before).
            self.conn.execute("UPDATE outbox SET attempts = attempts + 1, sent_at = ? WHERE id = ?",
                              (time.time(), row.id))
            self._checkpoint("outbox_after_mark")
            sent += 1
        return sent

    def _checkpoint(self, point: str) -> None:
        """No-op hook between steps; crash tests override it to kill the process there."""

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class EventListener:
    """Follows confirmed blocks, decodes registered events and dispatches them exactly once.

    Parameters
    ----------
    w3 : Web3
        Connected client.
    db_path : str
        SQLite file holding cursor, processed events, reorg log and outbox.
    contracts : dict[str, Contract]
        Contracts to follow, by name; handlers are registered by that name or the address.
    confirmations : int
        Only blocks with `number <= head - confirmations` are read (0: the head itself).
    start_block : int
        First block to read when the database has no cursor yet.
    batch : int
        Maximum blocks per `eth_getLogs` call.
    window : int
        Recent block hashes kept for reorg detection; bounds the deepest reorg handled.
    name : str
        Cursor name, so several listeners can share one database.
    on_reorg : callable, optional
        `on_reorg(fork_block, orphaned_events, ctx)`, called inside the rollback transaction (also
        settable later as the `on_reorg` attribute). Undo local effects through `ctx.conn`; an
        outbox row that may already be sent is compensated with a new outbox row, not deleted.

    Notes
    -----
    Register every handler before the first poll: blocks are marked done whether or not anything
    listened to them. Handlers run inside the block's transaction and must not commit, roll back
    or call the outside world; a handler exception rolls the whole block back and re-raises.
    """

    def __init__(
        self,
        w3: Web3,
        db_path: str,
        contracts: dict[str, Contract],
        confirmations: int = 0,
        start_block: int = 0,
        batch: int = 2000,
        window: int = 128,
        name: str = "default",
        on_reorg: ReorgHandler | None = None,
    ):
        if confirmations < 0 or batch < 1 or window < 1 or start_block < 0:
            raise ValueError("confirmations and start_block must be >= 0, batch and window >= 1")
        self.w3 = w3
        self.db_path = db_path
        self.contracts = dict(contracts)
        self.confirmations = confirmations
        self.start_block = start_block
        self.batch = batch
        self.window = window
        self.name = name
        self.on_reorg = on_reorg
        self.conn = connect(db_path)
        self.rpc = JsonRpc(w3)
        self.chain_id = int(w3.eth.chain_id)
        self._by_address = {
            Web3.to_checksum_address(c.address): n for n, c in self.contracts.items()
        }
        self._by_lower = {a.lower(): (n, a) for a, n in self._by_address.items()}
        # (contract name, topic0 hex) -> (event name, handlers)
        self._handlers: dict[tuple[str, str], tuple[str, list[Handler]]] = {}
        # Built once at registration, not per poll: decoders and the eth_getLogs filter.
        self._decoders: dict[tuple[str, str], _ArgsDecoder] = {}
        self._log_filter: dict[str, Any] = {}
        self._init_cursor()

    # ----------------------------------------------------------------- registration

    def register(self, contract: str, event: str, handler: Handler) -> Handler:
        """Call `handler(event, ctx)` for each confirmed `event` of `contract` (name or address)."""
        cname = self._contract_name(contract)
        ev = self.contracts[cname].events[event]()  # raises when the ABI has no such event
        topic = _hex(ev.topic)
        _, handlers = self._handlers.setdefault((cname, topic), (event, []))
        handlers.append(handler)
        self._decoders[(cname, event)] = _ArgsDecoder(ev)
        self._log_filter = {
            "address": sorted({self.contracts[c].address for c, _ in self._handlers}),
            "topics": [sorted({t for _, t in self._handlers})],
        }
        return handler

    def on(self, contract: str, event: str) -> Callable[[Handler], Handler]:
        """Decorator form of `register`."""
        return lambda handler: self.register(contract, event, handler)

    def _contract_name(self, contract: str) -> str:
        if contract in self.contracts:
            return contract
        if Web3.is_address(contract):
            addr = Web3.to_checksum_address(contract)
            if addr in self._by_address:
                return self._by_address[addr]
        raise KeyError(f"unknown contract {contract!r}")

    # ----------------------------------------------------------------- cursor

    def _init_cursor(self) -> None:
        with _Txn(self.conn) as c:
            row = c.execute(
                "SELECT chain_id FROM listener_cursor WHERE name = ?", (self.name,)
            ).fetchone()
            if row is None:
                c.execute(
                    "INSERT INTO listener_cursor VALUES (?, ?, ?, NULL, ?)",
                    (self.name, self.chain_id, self.start_block - 1, time.time()),
                )
            elif row[0] != self.chain_id:
                raise ValueError(
                    f"{self.db_path} follows chain {row[0]}, the client is on {self.chain_id}"
                )

    def cursor(self) -> tuple[int, str | None]:
        """(last processed block, its hash)."""
        row = self.conn.execute(
            "SELECT block_number, block_hash FROM listener_cursor WHERE name = ?", (self.name,)
        ).fetchone()
        return row[0], row[1]

    def _set_cursor(self, c: sqlite3.Connection, number: int, block_hash: str | None) -> None:
        c.execute(
            "UPDATE listener_cursor SET block_number = ?, block_hash = ?, updated_at = ? "
            "WHERE name = ?",
            (number, block_hash, time.time(), self.name),
        )
        if block_hash is not None:
            c.execute(
                "INSERT OR REPLACE INTO listener_blocks VALUES (?, ?, ?)",
                (self.name, number, block_hash),
            )

    def _header(self, number: int | str) -> dict[str, Any] | None:
        """Raw header of block `number` or tag (hex fields), None when the chain is shorter."""
        return self.rpc.call("eth_getBlockByNumber",
                             [hex(number) if isinstance(number, int) else number, False])

    def _canonical_hash(self, number: int) -> str | None:
        header = self._header(number)
        return None if header is None else _hex(header["hash"])

    def head(self) -> int:
        """The chain's head block number (one cheap `eth_blockNumber`)."""
        return int(self.rpc.call("eth_blockNumber", []), 16)

    # ----------------------------------------------------------------- reorgs

    def check_reorg(self) -> ReorgDetected | None:
        """Compare the cursor's hash with the chain; roll back to the fork point on mismatch."""
        number, stored = self.cursor()
        if stored is None:
            return None
        current = self._canonical_hash(number)
        if current == stored:
            return None
        # Any reorg at or below the cursor changes the cursor block's hash (it descends from the
        # fork), so checking the tip is enough to detect; walk the window back to find the fork.
        window = self.conn.execute(
            "SELECT block_number, block_hash FROM listener_blocks WHERE name = ? "
            "ORDER BY block_number DESC",
            (self.name,),
        ).fetchall()
        fork: tuple[int, str] | None = None
        for n, h in window:
            if n < number and self._canonical_hash(n) == h:
                fork = (n, h)
                break
        if fork is None:
            raise ReorgTooDeep(
                f"block {number} was reorged and no block of the {len(window)}-block window "
                "is canonical any more"
            )
        fork_block, fork_hash = fork
        with _Txn(self.conn) as c:
            rows = c.execute(
                "SELECT block_number, block_hash, tx_hash, log_index, contract, event, raw_log "
                "FROM listener_events WHERE name = ? AND block_number > ? "
                "ORDER BY block_number, log_index",
                (self.name, fork_block),
            ).fetchall()
            canonical: dict[int, str | None] = {}
            orphaned: list[ChainEvent] = []
            for bn, bh, txh, li, cname, ename, raw in rows:
                if bn not in canonical:
                    canonical[bn] = self._canonical_hash(bn)
                if canonical[bn] == bh:
                    continue  # still canonical: stays marked and is skipped when re-read
                orphaned.append(self._decode_raw(cname, ename, json.loads(raw)))
                c.execute(
                    "DELETE FROM listener_events WHERE name = ? AND block_hash = ? "
                    "AND tx_hash = ? AND log_index = ?",
                    (self.name, bh, txh, li),
                )
            c.execute(
                "DELETE FROM listener_blocks WHERE name = ? AND block_number > ?",
                (self.name, fork_block),
            )
            self._set_cursor(c, fork_block, fork_hash)
            reorg = ReorgDetected(
                fork_block=fork_block,
                old_head=number,
                old_head_hash=stored,
                new_head_hash=current,
                depth=number - fork_block,
                orphaned=tuple(orphaned),
            )
            c.execute(
                "INSERT INTO listener_reorgs (name, detected_at, fork_block, old_head, "
                "old_head_hash, new_head_hash, depth, orphaned_events) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.name, time.time(), fork_block, number, stored, current, reorg.depth,
                 len(orphaned)),
            )
            if self.on_reorg is not None:
                self.on_reorg(fork_block, orphaned, self._ctx(c, fork_block))
            self._checkpoint("reorg_before_commit")
        log.warning(
            "reorg: cursor %d rolled back to fork block %d (depth %d), %d event(s) orphaned",
            number, fork_block, reorg.depth, len(orphaned),
        )
        return reorg

    # ----------------------------------------------------------------- reading

    def _ctx(self, conn: sqlite3.Connection, block_number: int | None) -> HandlerContext:
        return HandlerContext(conn, self.name, self.chain_id, block_number)

    def _decoder(self, cname: str, ename: str) -> "_ArgsDecoder":
        decoder = self._decoders.get((cname, ename))
        if decoder is None:  # registered later, or an orphaned event nobody listens to any more
            decoder = self._decoders[(cname, ename)] = _ArgsDecoder(
                self.contracts[cname].events[ename]())
        return decoder

    def _decode_raw(self, cname: str, ename: str, raw: dict[str, Any]) -> ChainEvent:
        return ChainEvent(
            contract=cname,
            name=ename,
            args=self._decoder(cname, ename).decode(raw),
            block_number=raw["blockNumber"],
            block_hash=raw["blockHash"],
            tx_hash=raw["transactionHash"],
            log_index=raw["logIndex"],
            address=raw["address"],
        )

    def _fetch(self, block_filter: dict[str, Any]) -> list[tuple[ChainEvent, dict]]:
        """Logs of registered events in `block_filter` (a block range or one blockHash), decoded,
        in chain order."""
        if not self._handlers:
            return []
        logs = self.rpc.call("eth_getLogs", [{**block_filter, **self._log_filter}])
        out = []
        for entry in logs:
            if entry.get("removed") or not entry["topics"]:
                continue
            found = self._by_lower.get(entry["address"].lower())
            if found is None:
                continue
            cname, address = found
            topics = [_hex(t) for t in entry["topics"]]
            key = (cname, topics[0])
            if key not in self._handlers:
                continue
            ename = self._handlers[key][0]
            raw = {
                "address": address,
                "topics": topics,
                "data": _hex(entry["data"]),
                "blockNumber": _int(entry["blockNumber"]),
                "blockHash": _hex(entry["blockHash"]),
                "transactionHash": _hex(entry["transactionHash"]),
                "transactionIndex": _int(entry["transactionIndex"]),
                "logIndex": _int(entry["logIndex"]),
            }
            out.append((self._decode_raw(cname, ename, raw), raw))
        out.sort(key=lambda p: (p[0].block_number, p[0].log_index))
        return out

    def _read(self, from_block: int, to_block: int, head: int, header: dict | None):
        """(logs, hash of to_block, recent block hashes) of a range, consistent with one branch."""
        # Hashes of recent blocks feed the reorg window; deep blocks cannot reorg within it.
        recent_from = max(from_block, head - self.window + 1)
        if header is not None and from_block == to_block:
            # One block whose header we hold: logs pinned to its hash belong to that block only.
            end_hash = _hex(header["hash"])
            try:
                events = self._fetch({"blockHash": end_hash})
            except RpcError as exc:  # the block left the canonical chain meanwhile
                raise ChainMoved(f"block {to_block}: {exc}") from None
            return events, end_hash, ({to_block: end_hash} if to_block >= recent_from else {})
        end_hash = self._canonical_hash(to_block)
        if end_hash is None:
            raise ChainMoved(f"block {to_block} vanished while reading {from_block}..{to_block}")
        events = self._fetch({"fromBlock": hex(from_block), "toBlock": hex(to_block)})
        recent = {n: self._canonical_hash(n) for n in range(recent_from, to_block + 1)}
        # If anything moved while we read (to_block's hash re-read after the logs changed, or a
        # log's block hash disagrees with its header) the logs may belong to a dead branch: retry.
        after = recent[to_block] if to_block in recent else self._canonical_hash(to_block)
        if after != end_hash:
            raise ChainMoved(f"block {to_block} changed while reading {from_block}..{to_block}")
        for ev, _ in events:
            if ev.block_number in recent and recent[ev.block_number] != ev.block_hash:
                raise ChainMoved(f"block {ev.block_number} changed while reading")
        return events, end_hash, recent

    def _process_range(self, from_block: int, to_block: int, head: int,
                       header: dict | None = None) -> int:
        """Read one chunk and apply it in one transaction: handlers, marks, window and cursor."""
        events, end_hash, recent = self._read(from_block, to_block, head, header)
        processed = 0
        with _Txn(self.conn) as c:
            for number, block_events in _group_by_block(events):
                self._checkpoint("block_begin")
                ctx = self._ctx(c, number)
                for ev, raw in block_events:
                    if not c.execute(
                        "INSERT OR IGNORE INTO listener_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (self.name, ev.block_hash, ev.tx_hash, ev.log_index, ev.block_number,
                         ev.contract, ev.name, json.dumps(raw), time.time()),
                    ).rowcount:
                        continue  # already applied (a fork point below an unchanged block)
                    for handler in self._handlers[(ev.contract, raw["topics"][0])][1]:
                        handler(ev, ctx)
                        self._checkpoint("after_handler")
                    processed += 1
                self._checkpoint("block_end")
            c.executemany(
                "INSERT OR REPLACE INTO listener_blocks VALUES (?, ?, ?)",
                [(self.name, n, h) for n, h in recent.items() if h is not None],
            )
            self._set_cursor(c, to_block, end_hash)
            c.execute(
                "DELETE FROM listener_blocks WHERE name = ? AND block_number <= ?",
                (self.name, to_block - self.window),
            )
            self._checkpoint("range_before_commit")
        self._checkpoint("range_after_commit")
        return processed

    def _tip(self) -> tuple[int, dict[str, Any] | None]:
        """(head number, head header or None): one RPC either way.

        With 0 confirmations the head's header costs what `eth_blockNumber` costs and also is the
        reorg check of an unchanged cursor and the header of a single new block.
        """
        if self.confirmations == 0:
            latest = self._header("latest")
            return _int(latest["number"]), latest
        return self.head(), None

    def poll_once(self) -> PollResult:
        """Handle a reorg if any, then process every confirmed block after the cursor."""
        number, stored = self.cursor()
        head, latest = self._tip()
        safe = head - self.confirmations
        if latest is not None and head == number and _hex(latest["hash"]) == stored:
            return PollResult(0, number + 1, number)  # same head, still canonical: nothing to do
        first = None
        if stored is not None and safe > number:
            first = latest if latest is not None and head == number + 1 else self._header(number + 1)
        if first is not None and _hex(first["parentHash"]) == stored:
            reorg = None  # the next block builds on the cursor block, so that one is canonical
        else:
            reorg = self.check_reorg()
            first = None
        start = self.cursor()[0] + 1 if reorg else number + 1
        processed = 0
        frm = start
        while frm <= safe:
            to = min(frm + self.batch - 1, safe)
            header = first if frm == number + 1 else None
            processed += self._process_range(frm, to, head, header)
            frm = to + 1
        if processed or reorg:
            log.info("processed %d event(s) in blocks %d..%d", processed, start, safe)
        return PollResult(processed, start, max(safe, start - 1), reorg)

    def run(self, stop_event: threading.Event, interval: float = 1.0) -> None:
        """Poll until `stop_event` is set; transient errors are logged and retried."""
        while not stop_event.is_set():
            try:
                self.poll_once()
            except ReorgTooDeep:
                raise
            except ChainMoved as exc:
                log.warning("%s; retrying", exc)
            except Exception:
                log.exception("listener poll failed; retrying in %.1fs", interval)
            stop_event.wait(interval)

    def reorgs(self) -> list[dict[str, Any]]:
        """The reorg log of this listener, oldest first."""
        cur = self.conn.execute(
            "SELECT * FROM listener_reorgs WHERE name = ? ORDER BY id", (self.name,)
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def _checkpoint(self, point: str) -> None:
        """No-op hook between steps; crash tests override it to kill the process there."""

    def close(self) -> None:
        """Close the database and RPC connections."""
        self.conn.close()
        self.rpc.close()


def _group_by_block(
    events: Iterable[tuple[ChainEvent, dict]],
) -> Iterator[tuple[int, list[tuple[ChainEvent, dict]]]]:
    group: list[tuple[ChainEvent, dict]] = []
    for item in events:
        if group and group[0][0].block_number != item[0].block_number:
            yield group[0][0].block_number, group
            group = []
        group.append(item)
    if group:
        yield group[0][0].block_number, group
