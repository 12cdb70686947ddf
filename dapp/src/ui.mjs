// Small shared pieces of the page: html, loading data, amounts, addresses, action buttons.
import { h } from "preact";
import { useEffect, useState } from "preact/hooks";
import htm from "htm";
import { ethers } from "ethers";
import { fmtCap } from "./contracts.mjs";

export const html = htm.bind(h);

/** Run `load()` on mount and whenever `deps` change (ctx.version changes after every confirmed tx). */
export function useAsync(load, deps) {
  const [state, setState] = useState({ loading: true, value: null, error: null });
  useEffect(() => {
    let live = true;
    setState((old) => ({ ...old, loading: true }));
    load().then((value) => live && setState({ loading: false, value, error: null }))
      .catch((error) => live && setState({ loading: false, value: null, error }));
    return () => { live = false; };
  }, deps);
  return state;
}

export function Loading({ state, children }) {
  if (state.error) return html`<p class="error" role="alert">${String(state.error.message || state.error)}</p>`;
  if (state.value == null) return html`<p class="muted">${state.loading ? "Loading…" : "Nothing to show."}</p>`;
  return children(state.value);
}

export const Cap = ({ wei }) => html`<span class="amount">${fmtCap(wei)}</span>`;

export function Addr({ a, me }) {
  if (!a) return html`<span class="muted">—</span>`;
  const full = ethers.getAddress(a);
  const mine = me && a.toLowerCase() === me.toLowerCase();
  return html`<span class="addr" title=${full}>${full.slice(0, 6)}…${full.slice(-4)}${mine ? html` <b class="you">you</b>` : ""}</span>`;
}

export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/**
 * A button that runs transaction requests (or a function returning them) through ctx.tx, showing the
 * decoded error or "confirmed" beside it. `check()` may throw to refuse before anything is sent.
 */
export function TxButton({ ctx, reqs, label, check, onDone, cls = "", disabled = false, testid }) {
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState(null);
  const run = async () => {
    setMsg(null);
    try {
      check?.();
      setBusy(true);
      const list = typeof reqs === "function" ? await reqs() : reqs;
      await ctx.tx.run(list);
      setMsg({ ok: true, text: "Confirmed." });
      onDone?.();
    } catch (err) {
      setMsg({ ok: false, text: err.message, name: err.errorName });
    } finally {
      setBusy(false);
    }
  };
  const noWallet = !ctx.w.account;
  return html`<span class="txbutton">
    <button class=${cls} data-testid=${testid} onClick=${run} disabled=${busy || disabled || noWallet}
      title=${noWallet ? "Connect a wallet to do this" : ""}>${busy ? "Waiting…" : label}</button>
    ${msg && html`<span class=${msg.ok ? "ok" : "error"} role=${msg.ok ? "status" : "alert"} data-error=${msg.name || ""}>${msg.text}</span>`}
  </span>`;
}

export function Field({ label, hint, children }) {
  return html`<label class="field"><span class="label">${label}</span>${children}${hint && html`<small class="muted">${hint}</small>`}</label>`;
}
