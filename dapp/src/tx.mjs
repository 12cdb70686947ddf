// Transactions: simulate (eth_call) -> send through the wallet -> follow until confirmed, failed,
// replaced or dropped. Reverts become the decoded custom error (the CLI's text), wallet codes words.
// The list lives in localStorage, so pending transactions survive a reload.
import { walletMessage } from "./wallet.mjs";
import { toJson } from "./contracts.mjs";

const STORE = "datacap.txs";
const KEEP = 30;
const POLL_MS = 250; // a local chain mines at once
const DROP_AFTER_MS = 60_000;

/** A failed step, with a one-line text for a person (`DataNFT.DuplicateCommitment(...)`, wallet codes in words). */
export class TxError extends Error {
  constructor(text, name = "") {
    super(text);
    this.errorName = name;
  }
}

/** Revert data wherever a node or wallet nests it (MetaMask: data.data, data.originalError.data; ethers: info.error.data). */
export function revertData(err, depth = 0) {
  if (!err || depth > 6) return null;
  if (typeof err === "string") return /^0x[0-9a-fA-F]{8,}$/.test(err) ? err : null;
  if (typeof err !== "object") return null;
  for (const key of ["data", "originalError", "error", "info", "cause", "result"]) {
    const found = revertData(err[key], depth + 1);
    if (found) return found;
  }
  return null;
}

export class Transactions extends EventTarget {
  constructor(contracts, wallets) {
    super();
    this.c = contracts;
    this.w = wallets;
    this.list = JSON.parse(localStorage.getItem(STORE) || "[]").filter((t) => t.chainId === contracts.config.chainId);
    this.waiters = new Map();
    this.timer = null;
    if (this.list.some((t) => t.status === "pending")) this._poll();
  }

  async rpc(method, params) {
    const r = await fetch(new URL(this.c.config.rpcUrl, location.href), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: toJson({ jsonrpc: "2.0", id: 1, method, params }),
    });
    return r.json();
  }

  /** Simulate then send each request in order (e.g. approve, then stake; a request's `next(receipt)` adds follow-ups). */
  async run(reqs) {
    const queue = [].concat(reqs);
    let receipt = null;
    while (queue.length) {
      const req = queue.shift();
      receipt = await this.send(req);
      if (req.next) queue.unshift(...[].concat(req.next(receipt) || []));
    }
    return receipt;
  }

  async send(req) {
    if (!this.w.account) throw new TxError("Connect a wallet first.");
    if (this.w.chainId !== this.c.config.chainId) throw new TxError(`Switch your wallet to chain ${this.c.config.chainId} first.`);
    const tx = { from: this.w.account, ...this.c.encode(req) };
    await this.simulate(req, tx);
    let hash;
    try {
      hash = await this.w.provider.request({ method: "eth_sendTransaction", params: [tx] });
    } catch (err) {
      throw this.explain(err, req);
    }
    const entry = { hash, label: req.label, from: tx.from, chainId: this.c.config.chainId, status: "pending",
      sentAt: Date.now(), nonce: null, error: null, contract: req.contract, tx };
    this.list.unshift(entry);
    this._save();
    const done = new Promise((resolve, reject) => this.waiters.set(hash, { resolve, reject }));
    this._poll();
    return done;
  }

  /** eth_call the request as the sender; a revert throws the decoded error before anything is signed. */
  async simulate(req, tx, block = "latest") {
    const reply = await this.rpc("eth_call", [tx, block]);
    if (reply.error) throw this.explain(reply.error, req);
  }

  explain(err, req) {
    const data = revertData(err);
    if (data) {
      const d = this.c.decodeError(data, req.contract);
      return new TxError(d.text, d.name);
    }
    const words = walletMessage(err);
    if (words) return new TxError(words);
    const msg = String(err?.message || err);
    return new TxError(`${req.label} failed: ${msg.split("\n")[0]}`);
  }

  _save() {
    this.list = this.list.slice(0, KEEP);
    localStorage.setItem(STORE, toJson(this.list));
    this.dispatchEvent(new Event("change"));
  }

  _poll() {
    if (this.timer) return;
    const tick = async () => {
      this.timer = null;
      const pending = this.list.filter((t) => t.status === "pending");
      await Promise.all(pending.map((t) => this._check(t).catch(() => {})));
      if (this.list.some((t) => t.status === "pending")) this.timer = setTimeout(tick, POLL_MS);
    };
    this.timer = setTimeout(tick, 0);
  }

  async _check(t) {
    const { result: receipt } = await this.rpc("eth_getTransactionReceipt", [t.hash]);
    if (receipt) {
      if (Number(receipt.status) === 1) return this._finish(t, "confirmed", null, receipt);
      const req = { contract: t.contract, label: t.label };
      let text = `${t.label} failed on chain`;
      try {
        await this.simulate(req, t.tx, "0x" + (Number(receipt.blockNumber) - 1).toString(16));
      } catch (err) {
        text = err.message;
      }
      return this._finish(t, "failed", text, receipt);
    }
    const { result: seen } = await this.rpc("eth_getTransactionByHash", [t.hash]);
    if (seen) {
      if (t.nonce === null) { t.nonce = Number(seen.nonce); this._save(); }
      return null;
    }
    if (t.nonce !== null) {
      const { result: used } = await this.rpc("eth_getTransactionCount", [t.from, "latest"]);
      if (Number(used) > t.nonce) return this._finish(t, "replaced", `${t.label} was replaced: another transaction with its nonce was mined instead`);
    }
    if (Date.now() - t.sentAt > DROP_AFTER_MS) return this._finish(t, "dropped", `${t.label} was dropped: the node no longer knows it`);
    return null;
  }

  _finish(t, status, error, receipt = null) {
    t.status = status;
    t.error = error;
    t.block = receipt ? Number(receipt.blockNumber) : null;
    this._save();
    const waiter = this.waiters.get(t.hash);
    this.waiters.delete(t.hash);
    if (status === "confirmed") {
      this.dispatchEvent(new CustomEvent("confirmed", { detail: t }));
      waiter?.resolve(receipt);
    } else {
      waiter?.reject(new TxError(error || `${t.label} was ${status}`));
    }
  }

  clear() {
    this.list = this.list.filter((t) => t.status === "pending");
    this._save();
  }
}
