// Pay for a $Model (fee breakdown, max price) and its evaluations (post one, rate others').
import { useState } from "preact/hooks";
import { fmtCap, parseCap } from "../contracts.mjs";
import { putJson } from "../ipfs.mjs";
import { Addr, Cap, Field, Loading, TxButton, html, useAsync } from "../ui.mjs";

export function Market({ ctx, model }) {
  const state = useAsync(async () => ({
    market: await ctx.c.market(model.id, ctx.account),
    evals: await ctx.c.evaluations(model.id, ctx.account),
  }), [model.id, ctx.version, ctx.account]);
  const [maxPrice, setMaxPrice] = useState("");
  const [score, setScore] = useState("4");
  const [example, setExample] = useState("");
  return html`<${Loading} state=${state}>${({ market, evals }) => {
    const s = market.split;
    const max = () => (maxPrice.trim() ? parseCap(maxPrice) : market.price);
    return html`<div class="cols"><div data-testid="pay">
      <h2>Use this model</h2>
      <table class="breakdown"><tbody>
        <tr><td>Trainer (${s.bps.trainer / 100}%)</td><td><${Cap} wei=${s.trainer} /></td></tr>
        <tr><td>Data owners, by portfolio weight (${s.bps.data / 100}%)</td><td><${Cap} wei=${s.data} /></td></tr>
        <tr><td>Curator (${s.bps.curator / 100}%)</td><td><${Cap} wei=${s.curator} /></td></tr>
        <tr><td>Treasury (${s.bps.treasury / 100}%)</td><td><${Cap} wei=${s.treasury} /></td></tr>
        <tr class="total"><td>Price per use</td><td data-testid="price"><${Cap} wei=${market.price} /></td></tr></tbody></table>
      <${Field} label="Max price (CAP)" hint="The payment reverts if the price is raised above this before it is mined.">
        <input data-testid="max-price" placeholder=${fmtCap(market.price).replace(" CAP", "")} value=${maxPrice} onInput=${(e) => setMaxPrice(e.target.value)} /><//>
      <${TxButton} ctx=${ctx} label=${`Pay ${fmtCap(market.price)}`} cls="primary" testid="pay-model"
        check=${() => { if (market.price > max()) throw new Error(`The price, ${fmtCap(market.price)}, is above your max price of ${fmtCap(max())}: nothing was sent.`); }}
        reqs=${() => ctx.c.useModel(ctx.account, model.id, max())} />
      <p class="muted">${ctx.account ? `You have paid for ${market.uses} use(s) of this model.` : "Connect a wallet to pay."}</p>
    </div><div data-testid="evaluations">
      <h2>Evaluations <span class="count">${evals.length}</span></h2>
      ${evals.length ? html`<table class="grid"><thead><tr><th>#</th><th>Author</th><th>Score</th><th>Example</th><th>Votes</th><th></th></tr></thead>
        <tbody>${evals.map((e) => html`<tr data-testid="evaluation-${e.id}"><td>${e.id}</td><td><${Addr} a=${e.author} me=${ctx.account} /></td><td>${"★".repeat(e.score)}${"☆".repeat(5 - e.score)}</td>
          <td class="mono"><a href="/ipfs/${e.exampleCid}" target="_blank">${e.exampleCid.slice(0, 12)}…</a></td><td>▲ ${e.up} ▼ ${e.down}</td>
          <td>${ctx.account && e.author.toLowerCase() !== ctx.account && !e.rated ? html`
            <${TxButton} ctx=${ctx} label="▲ useful" testid="rate-up-${e.id}" reqs=${ctx.c.rate(e.id, true)} />
            <${TxButton} ctx=${ctx} label="▼" testid="rate-down-${e.id}" reqs=${ctx.c.rate(e.id, false)} />` : e.rated ? html`<span class="muted">rated</span>` : ""}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No evaluation yet.</p>`}
      <h3>Post an evaluation</h3>
      <p class="muted">Only paying users can post. The example (input and output) goes to IPFS.</p>
      <${Field} label="Score (1-5)"><input type="number" min="1" max="5" class="narrow" data-testid="eval-score" value=${score} onInput=${(e) => setScore(e.target.value)} /><//>
      <${Field} label="Example input and output"><textarea data-testid="eval-example" rows="3" value=${example} onInput=${(e) => setExample(e.target.value)} /><//>
      <${TxButton} ctx=${ctx} label="Post evaluation" testid="post-eval"
        reqs=${async () => ctx.c.postEvaluation(model.id, await putJson({ model: model.id, example }), Number(score))} />
    </div></div>`;
  }}<//>`;
}
