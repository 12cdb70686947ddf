// The page: wallet bar, network badge, navigation, the current view, the transaction list.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Contracts, fmtCap } from "./contracts.mjs";
import { Transactions } from "./tx.mjs";
import { Wallets, chainName, walletMessage } from "./wallet.mjs";
import { Addr, html } from "./ui.mjs";
import { Catalog, DataPage, ModelPage, PortfolioPage } from "./views/catalog.mjs";
import { RegisterData } from "./views/register.mjs";
import { CreatePortfolio } from "./views/portfolio.mjs";
import { Stakes } from "./views/stake.mjs";
import { Referenda } from "./views/referenda.mjs";
import { Jobs } from "./views/jobs.mjs";
import { Rewards } from "./views/rewards.mjs";
import { Access } from "./views/access.mjs";

const VIEWS = [
  ["catalog", "Catalog"], ["register", "Register data"], ["portfolio", "New portfolio"], ["stake", "Stakes"],
  ["referenda", "Referenda"], ["jobs", "Jobs"], ["rewards", "Rewards"], ["access", "Access"],
];

function route() {
  const [name, id] = (location.hash.replace(/^#\/?/, "") || "catalog").split("/");
  return { name, id: id ? Number(id) : null };
}

function WalletBar({ ctx }) {
  const { c, w } = ctx;
  const [msg, setMsg] = useState(null);
  const [balance, setBalance] = useState(null);
  useEffect(() => {
    if (!w.account) return setBalance(null);
    c.balances(w.account).then(setBalance).catch(() => setBalance(null));
  }, [w.account, ctx.version]);
  const act = (fn) => async () => {
    setMsg(null);
    try { await fn(); } catch (err) { setMsg(walletMessage(err) || String(err.message || err)); }
  };
  const choices = w.choices();
  const right = w.chainId === c.config.chainId;
  return html`<div class="walletbar">
    ${w.account ? html`
      <span class="badge ${right ? "good" : "bad"}" data-testid="network">
        ${right ? chainName(w.chainId) : `Wrong network (${chainName(w.chainId)})`}
      </span>
      ${!right && html`<button data-testid="switch" onClick=${act(() => w.switchTo(c.config))}>Switch to ${chainName(c.config.chainId)}</button>`}
      <span data-testid="account"><${Addr} a=${w.account} /></span>
      ${balance && html`<span class="muted" data-testid="balance">${fmtCap(balance.cap)}</span>`}
      <span class="walletname muted">${w.info?.name}</span>
      <button class="link" onClick=${act(() => w.watchAsset(c.watchAssetParams()))} data-testid="watch-cap">Add CAP to wallet</button>
      <button class="link" onClick=${() => w.disconnect()}>Disconnect</button>` : html`
      <span class="badge neutral" data-testid="network">Read-only · ${chainName(c.config.chainId)}</span>
      ${choices.length ? choices.map((ch) => html`<button class="primary" data-testid="connect" onClick=${act(() => w.connect(ch))}>
          ${ch.info.icon && html`<img src=${ch.info.icon} alt="" width="16" height="16" />`} Connect ${ch.info.name}</button>`)
        : html`<span class="muted" data-testid="no-wallet">No wallet found: browsing read-only. Install MetaMask to take part.</span>`}`}
    ${msg && html`<span class="error" role="alert" data-testid="wallet-error">${msg}</span>`}
  </div>`;
}

function TxList({ ctx }) {
  // pending first, then the latest few: in the page flow, so it never covers a view
  const list = ctx.tx.list;
  if (!list.length) return null;
  const shown = [...list.filter((t) => t.status === "pending"), ...list.filter((t) => t.status !== "pending").slice(0, 3)];
  return html`<aside class="txlist" data-testid="txlist"><span class="title">Transactions</span>
    <ul>${shown.map((t) => html`<li class="tx ${t.status}" data-hash=${t.hash}>
      <span class="status">${t.status}</span> ${t.label} <span class="muted mono">${t.hash.slice(0, 10)}…${t.block ? ` · block ${t.block}` : ""}</span>
      ${t.error && html` <span class="error">${t.error}</span>`}</li>`)}</ul>
    <button class="link" onClick=${() => ctx.tx.clear()}>clear</button></aside>`;
}

function View({ ctx, r }) {
  switch (r.name) {
    case "data": return html`<${DataPage} ctx=${ctx} id=${r.id} />`;
    case "portfolios": return html`<${PortfolioPage} ctx=${ctx} id=${r.id} />`;
    case "model": return html`<${ModelPage} ctx=${ctx} id=${r.id} />`;
    case "register": return html`<${RegisterData} ctx=${ctx} />`;
    case "portfolio": return html`<${CreatePortfolio} ctx=${ctx} />`;
    case "stake": return html`<${Stakes} ctx=${ctx} />`;
    case "referenda": return html`<${Referenda} ctx=${ctx} />`;
    case "jobs": return html`<${Jobs} ctx=${ctx} />`;
    case "rewards": return html`<${Rewards} ctx=${ctx} />`;
    case "access": return html`<${Access} ctx=${ctx} />`;
    default: return html`<${Catalog} ctx=${ctx} />`;
  }
}

function App({ c, w, tx }) {
  const [, setTick] = useState(0);
  const [version, setVersion] = useState(0);
  const [r, setRoute] = useState(route());
  useEffect(() => {
    const redraw = () => setTick((t) => t + 1);
    const refresh = () => setVersion((v) => v + 1);
    const onHash = () => setRoute(route());
    w.addEventListener("change", redraw);
    w.addEventListener("change", refresh);
    tx.addEventListener("change", redraw);
    tx.addEventListener("confirmed", refresh);
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  const ctx = { c, w, tx, version, account: w.account };
  return html`<header>
      <a href="#/catalog" class="brand"><img src="/favicon.svg" alt="" width="22" height="22" /> datacap</a>
      <${WalletBar} ctx=${ctx} />
    </header>
    <nav>${VIEWS.map(([k, t]) => html`<a href="#/${k}" class=${r.name === k ? "active" : ""}>${t}</a>`)}</nav>
    <${TxList} ctx=${ctx} />
    <main data-view=${r.name}><${View} ctx=${ctx} r=${r} /></main>`;
}

async function start() {
  const root = document.getElementById("app");
  try {
    const w = new Wallets();
    w.discover(); // listen first, then ask: wallets that announce late (or twice) are still picked up
    const c = await Contracts.load();
    const tx = new Transactions(c, w);
    w.addEventListener("change", () => w.resume().catch(() => {})); // a remembered wallet announcing late
    root.textContent = "";
    render(html`<${App} c=${c} w=${w} tx=${tx} />`, root);
    w.resume().catch(() => {});
    window.datacap = { c, w, tx }; // for people poking at the page from the console
  } catch (err) {
    root.innerHTML = "";
    render(html`<p class="error" role="alert">The page could not load its configuration: ${String(err.message || err)}</p>`, root);
  }
}

start();
