// The catalog of $Data, $Portfolio and $Model, and one page per asset ($Model: lineage, chart, pay, evaluate).
import { Addr, Cap, Loading, html, useAsync } from "../ui.mjs";
import { Market } from "./market.mjs";

const short = (hex) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;
const name = (item, fallback) => item.meta?.name || fallback;

function Stakes({ s }) {
  return html`<span title="active stake on this asset">${s.total > 0n ? html`<${Cap} wei=${s.total} /> <span class="muted">(${s.stakers})</span>` : html`<span class="muted">none</span>`}</span>`;
}

export function Catalog({ ctx }) {
  const state = useAsync(() => ctx.c.catalog(), [ctx.version]);
  return html`<section data-testid="catalog"><h1>Catalog</h1>
    <${Loading} state=${state}>${({ data, portfolios, models }) => html`
      <h2>$Model <span class="count">${models.length}</span></h2>
      ${models.length ? html`<table class="grid" data-testid="models"><thead><tr><th>#</th><th>Name</th><th>Trainer</th><th>Price / use</th><th>Score</th><th>Evaluations</th><th>Stake</th><th>Portfolio</th></tr></thead>
        <tbody>${models.map((m) => html`<tr><td><a href="#/model/${m.id}">$Model #${m.id}</a></td><td>${name(m, "(no metadata)")}</td>
          <td><${Addr} a=${m.owner} me=${ctx.account} /></td><td><${Cap} wei=${m.price} /></td>
          <td>${m.evaluations ? `★ ${(m.averageScore / 100).toFixed(2)} / 5` : html`<span class="muted">—</span>`}</td><td>${m.evaluations}</td>
          <td><${Stakes} s=${m.stakes} /></td><td><a href="#/portfolios/${m.lineage.portfolioId}">#${m.lineage.portfolioId}</a></td></tr>`)}</tbody></table>`
        : html`<p class="muted">No model has been trained yet.</p>`}
      <h2>$Portfolio <span class="count">${portfolios.length}</span></h2>
      ${portfolios.length ? html`<table class="grid" data-testid="portfolios"><thead><tr><th>#</th><th>Name</th><th>Curator</th><th>Datasets (weight)</th><th>Stake</th><th>State</th></tr></thead>
        <tbody>${portfolios.map((p) => html`<tr><td><a href="#/portfolios/${p.id}">$Portfolio #${p.id}</a></td><td>${name(p, "(no metadata)")}</td>
          <td><${Addr} a=${p.curator} me=${ctx.account} /></td>
          <td>${p.dataIds.map((d, i) => html`<a href="#/data/${d}">#${d}</a> <span class="muted">${(p.weights[i] / 100).toFixed(2)}%</span>${i < p.dataIds.length - 1 ? ", " : ""}`)}</td>
          <td><${Stakes} s=${p.stakes} /></td><td>${p.frozen ? html`<span class="badge neutral">frozen</span>` : "open"}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No portfolio yet: <a href="#/portfolio">bundle datasets into one</a>.</p>`}
      <h2>$Data <span class="count">${data.length}</span></h2>
      ${data.length ? html`<table class="grid" data-testid="datasets"><thead><tr><th>#</th><th>Name</th><th>Owner</th><th>Records</th><th>Licence: price / use</th><th>Bonus / training</th><th>Stake</th><th>Commitment</th></tr></thead>
        <tbody>${data.map((d) => html`<tr><td><a href="#/data/${d.id}">$Data #${d.id}</a></td><td>${name(d, "(no metadata)")}</td>
          <td><${Addr} a=${d.owner} me=${ctx.account} /></td><td>${d.meta?.properties?.record_count ?? (d.leafCount ?? "—")}</td>
          <td><${Cap} wei=${d.price} /></td><td>${d.bonus === null ? html`<span class="muted">—</span>` : html`<${Cap} wei=${d.bonus} />`}</td><td><${Stakes} s=${d.stakes} /></td>
          <td class="mono" title=${d.commitment}>${short(d.commitment)}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No dataset yet: <a href="#/register">register one</a>.</p>`}`}<//>
  </section>`;
}

function Json({ value }) {
  return value ? html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>` : html`<p class="muted">No metadata document.</p>`;
}

export function DataPage({ ctx, id }) {
  const state = useAsync(() => ctx.c.dataItem(id), [id, ctx.version]);
  return html`<section data-testid="data-page"><${Loading} state=${state}>${(d) => html`
    <h1>$Data #${d.id}: ${name(d, "unnamed dataset")}</h1>
    <p>${d.meta?.description}</p>
    <dl class="facts"><dt>Owner</dt><dd><${Addr} a=${d.owner} me=${ctx.account} /></dd>
      <dt>Licence</dt><dd><${Cap} wei=${d.price} /> per use${d.bonus !== null && html`, <${Cap} wei=${d.bonus} /> bonus per training use`}</dd>
      <dt>Records</dt><dd>${d.meta?.properties?.record_count ?? d.leafCount ?? "—"} (${d.meta?.properties?.kind || "?"})</dd>
      <dt>Commitment</dt><dd class="mono">${d.commitment}</dd>
      <dt>Metadata</dt><dd class="mono">${d.uri}</dd>
      <dt>Stake</dt><dd><${Stakes} s=${d.stakes} /></dd>
      ${d.meta?.properties?.disclosure && html`<dt>Abstract</dt><dd>${d.meta.properties.disclosure.abstract}</dd>`}
      ${d.meta?.properties?.schema && html`<dt>Columns</dt><dd>${d.meta.properties.schema.columns.map((col) => col.name).join(", ")}</dd>`}
    </dl>
    <p><a href="#/access">Request access to this dataset</a> · <a href="#/stake">Stake on it</a></p>
    <details><summary>Metadata document</summary><${Json} value=${d.meta} /></details>`}<//></section>`;
}

export function PortfolioPage({ ctx, id }) {
  const state = useAsync(async () => {
    const p = await ctx.c.portfolioItem(id);
    return { p, data: await Promise.all(p.dataIds.map((d) => ctx.c.dataItem(d))) };
  }, [id, ctx.version]);
  return html`<section data-testid="portfolio-page"><${Loading} state=${state}>${({ p, data }) => html`
    <h1>$Portfolio #${p.id}: ${name(p, "unnamed portfolio")}</h1><p>${p.meta?.description}</p>
    <dl class="facts"><dt>Curator</dt><dd><${Addr} a=${p.curator} me=${ctx.account} /></dd>
      <dt>State</dt><dd>${p.frozen ? "frozen (a job trained on it)" : "open"}</dd><dt>Stake</dt><dd><${Stakes} s=${p.stakes} /></dd></dl>
    <table class="grid"><thead><tr><th>$Data</th><th>Name</th><th>Weight</th><th>Price / use</th></tr></thead>
      <tbody>${data.map((d, i) => html`<tr><td><a href="#/data/${d.id}">#${d.id}</a></td><td>${name(d, "")}</td>
        <td>${(p.weights[i] / 100).toFixed(2)}%</td><td><${Cap} wei=${d.price} /></td></tr>`)}</tbody></table>`}<//></section>`;
}

/** Accuracy and loss per round, drawn as an SVG line chart from the model metadata's per-round metrics. */
export function RoundChart({ rounds }) {
  if (!rounds?.length) return html`<p class="muted" data-testid="chart-empty">This model's metadata carries no per-round metrics.</p>`;
  const W = 560, H = 220, L = 44, R = 44, T = 16, B = 34;
  const xs = (i) => L + (rounds.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (rounds.length - 1));
  const acc = rounds.map((r) => r.accuracy ?? null);
  const loss = rounds.map((r) => r.loss ?? null);
  const maxLoss = Math.max(...loss.filter((v) => v !== null), 1e-9);
  const ya = (v) => T + (1 - v) * (H - T - B);
  const yl = (v) => T + (1 - v / maxLoss) * (H - T - B);
  const path = (vals, y) => vals.map((v, i) => (v === null ? "" : `${i ? "L" : "M"}${xs(i).toFixed(1)},${y(v).toFixed(1)}`)).join(" ");
  return html`<figure class="chart" data-testid="round-chart"><svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="accuracy and loss per round">
    ${[0, 0.25, 0.5, 0.75, 1].map((g) => html`<line x1=${L} x2=${W - R} y1=${ya(g)} y2=${ya(g)} class="gridline" />
      <text x=${L - 6} y=${ya(g) + 4} text-anchor="end" class="tick acc">${Math.round(g * 100)}%</text>
      <text x=${W - R + 6} y=${ya(g) + 4} class="tick loss">${(g * maxLoss).toFixed(2)}</text>`)}
    ${rounds.map((r, i) => html`<text x=${xs(i)} y=${H - 12} text-anchor="middle" class="tick">${r.round}</text>`)}
    <text x=${(W) / 2} y=${H - 0} text-anchor="middle" class="tick">round</text>
    <path d=${path(acc, ya)} class="line acc" /><path d=${path(loss, yl)} class="line loss" />
    ${acc.map((v, i) => v !== null && html`<circle cx=${xs(i)} cy=${ya(v)} r="3.5" class="dot acc"><title>round ${rounds[i].round}: accuracy ${(v * 100).toFixed(2)}%</title></circle>`)}
    ${loss.map((v, i) => v !== null && html`<circle cx=${xs(i)} cy=${yl(v)} r="3.5" class="dot loss"><title>round ${rounds[i].round}: loss ${v.toFixed(4)}</title></circle>`)}
  </svg><figcaption><span class="key acc"></span> accuracy (left axis) <span class="key loss"></span> loss (right axis)</figcaption></figure>`;
}

export function ModelPage({ ctx, id }) {
  const state = useAsync(() => ctx.c.modelItem(id), [id, ctx.version]);
  return html`<section data-testid="model-page"><${Loading} state=${state}>${(m) => {
    const lin = m.meta?.properties?.lineage || {};
    const metrics = lin.metrics || {};
    return html`
    <h1>$Model #${m.id}: ${name(m, "unnamed model")}</h1><p>${m.meta?.description}</p>
    <div class="cols"><div>
      <h2>Lineage</h2>
      <dl class="facts"><dt>Trainer</dt><dd><${Addr} a=${m.owner} me=${ctx.account} /></dd>
        <dt>Job</dt><dd>${m.lineage.jobId ? html`<a href="#/jobs">#${m.lineage.jobId}</a>` : "minted directly (no job)"}</dd>
        <dt>Portfolio</dt><dd><a href="#/portfolios/${m.lineage.portfolioId}">$Portfolio #${m.lineage.portfolioId}</a></dd>
        <dt>Rounds</dt><dd>${m.lineage.rounds}</dd>
        <dt>Mode</dt><dd>${m.meta?.properties?.mode || "—"} (${m.meta?.properties?.framework || "?"})</dd>
        <dt>Weights</dt><dd class="mono">${m.lineage.weightsCid}</dd>
        ${Object.entries(metrics).map(([k, v]) => html`<dt>${k}</dt><dd>${k === "accuracy" ? `${(v * 100).toFixed(2)}%` : v.toFixed(4)}</dd>`)}
        <dt>Score</dt><dd>${m.evaluations ? `★ ${(m.averageScore / 100).toFixed(2)} / 5 from ${m.evaluations} evaluation(s)` : "not evaluated yet"}</dd>
      </dl></div>
      <div><h2>Accuracy and loss per round</h2><${RoundChart} rounds=${lin.per_round} /></div></div>
    <${Market} ctx=${ctx} model=${m} />`;
  }}<//></section>`;
}
