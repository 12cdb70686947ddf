// Training jobs: status, rounds, participants, and whether each round's aggregate went unchallenged.
import { Addr, Cap, Loading, html, useAsync } from "../ui.mjs";

export function Jobs({ ctx }) {
  const state = useAsync(() => ctx.c.jobs(), [ctx.version]);
  return html`<section data-testid="jobs"><h1>Training jobs</h1>
    <${Loading} state=${state}>${(jobs) => (jobs.length ? jobs.slice().reverse().map((j) => html`<article class="card" data-testid="job-${j.id}">
      <h2>Job #${j.id} <span class="badge state-${j.status}">${j.status}</span></h2>
      <p>Trainer <${Addr} a=${j.trainer} me=${ctx.account} /> · portfolio <a href="#/portfolios/${j.portfolioId}">#${j.portfolioId}</a> · budget <${Cap} wei=${j.budget} />${" · "}round ${j.currentRound} of ${j.rounds}${j.modelId ? html` · result <a href="#/model/${j.modelId}">$Model #${j.modelId}</a>` : ""}${j.disputed ? html` · <b class="error">dispute pending</b>` : ""}</p>
      <p>Participants: ${j.participants.map((p, i) => html`<${Addr} a=${p} me=${ctx.account} />${p.toLowerCase() === j.aggregator.toLowerCase() ? " (aggregator)" : ""}${i < j.participants.length - 1 ? ", " : ""}`)}</p>
      ${j.roundInfo.length ? html`<table class="grid"><thead><tr><th>Round</th><th>Updates</th><th>Aggregate</th><th>Included</th><th>Verified</th></tr></thead>
        <tbody>${j.roundInfo.map((r) => html`<tr><td>${r.round}</td><td>${r.submitted}</td><td>${r.aggregated ? "submitted" : "waiting"}</td><td>${r.included || "—"}</td>
          <td>${!r.aggregated ? "—" : r.disputed ? html`<span class="error">disputed</span>` : html`<span class="ok">no dispute</span>`}</td></tr>`)}</tbody></table>` : ""}
    </article>`) : html`<p class="muted">No training job yet.</p>`)}<//></section>`;
}
