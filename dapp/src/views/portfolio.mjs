// Create a $Portfolio: datasets and weights in basis points (sum 10,000, checked before anything is sent).
import { useState } from "preact/hooks";
import { BPS } from "../contracts.mjs";
import { putJson } from "../ipfs.mjs";
import { Cap, Field, Loading, TxButton, html, useAsync } from "../ui.mjs";

export function CreatePortfolio({ ctx }) {
  const state = useAsync(() => ctx.c.all("DataNFT", ctx.c.dataItem), [ctx.version]);
  const [weights, setWeights] = useState({});
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const chosen = Object.entries(weights).filter(([, w]) => w !== "").map(([id, w]) => [Number(id), Number(w)]);
  const sum = chosen.reduce((a, [, w]) => a + w, 0);
  const check = () => {
    if (!chosen.length) throw new Error("Pick at least one dataset.");
    if (chosen.some(([, w]) => !Number.isInteger(w) || w <= 0)) throw new Error("Weights are positive whole numbers of basis points.");
    if (sum !== BPS) throw new Error(`The weights sum to ${sum.toLocaleString("en")}, not 10,000: nothing was sent.`);
  };
  const reqs = async () => {
    const ids = chosen.map(([id]) => id), ws = chosen.map(([, w]) => w);
    const doc = { name: title || `portfolio of ${ids.length} datasets`, description,
      properties: { datasets: ids.map((d, i) => ({ data_id: d, weight_bps: ws[i] })) } };
    return ctx.c.createPortfolio(ids, ws, await putJson(doc));
  };
  return html`<section data-testid="portfolio-form"><h1>New portfolio</h1>
    <p class="muted">Bundle datasets with weights in basis points (10,000 = 100%). A curator earns a share of every use of models trained on it.</p>
    <div class="form">
      <${Field} label="Name"><input data-testid="pf-name" value=${title} onInput=${(e) => setTitle(e.target.value)} /><//>
      <${Field} label="Description"><input data-testid="pf-description" value=${description} onInput=${(e) => setDescription(e.target.value)} /><//>
    </div>
    <${Loading} state=${state}>${(data) => html`<table class="grid"><thead><tr><th>$Data</th><th>Name</th><th>Owner's price / use</th><th>Weight (bps)</th></tr></thead>
      <tbody>${data.map((d) => html`<tr><td>#${d.id}</td><td>${d.meta?.name || ""}</td><td><${Cap} wei=${d.price} /></td>
        <td><input type="number" min="0" max="10000" step="1" class="narrow" data-testid="weight-${d.id}" value=${weights[d.id] ?? ""}
          onInput=${(e) => setWeights({ ...weights, [d.id]: e.target.value })} /></td></tr>`)}</tbody></table>`}<//>
    <p class=${sum === BPS ? "ok" : "muted"} data-testid="weight-sum">Sum: ${sum.toLocaleString("en")} / 10,000 bps</p>
    <${TxButton} ctx=${ctx} label="Create portfolio" cls="primary" testid="create-portfolio" check=${check} reqs=${reqs}
      onDone=${() => setWeights({})} />
  </section>`;
}
