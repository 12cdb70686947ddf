// Referenda: list with state and countdowns; propose (parameter change or slash), vote, execute.
import { useState } from "preact/hooks";
import { ROLES, parseCap } from "../contracts.mjs";
import { putJson } from "../ipfs.mjs";
import { Addr, Cap, Field, Loading, TxButton, duration, html, useAsync } from "../ui.mjs";

function Countdown({ r, now }) {
  if (r.state === "pending") return html`voting opens in ${duration(r.voteStart - now)}`;
  if (r.state === "active") return html`voting closes in ${duration(r.voteEnd - now)}`;
  if (r.state === "succeeded") return r.readyAt > now ? html`executable in ${duration(r.readyAt - now)}` : html`executable now`;
  return html`<span class="muted">${r.state}</span>`;
}

function Action({ a }) {
  if (a.party) return html`slash <${Addr} a=${a.party} /> (${a.role} #${String(a.assetId)}) by <${Cap} wei=${a.amount} />`;
  if (a.target) return html`<span class="mono">${a.target}.${a.call}</span>`;
  if (a.regulator) return html`set regulator <${Addr} a=${a.regulator} />`;
  return html`<span class="mono">${a.raw}</span>`;
}

export function Referenda({ ctx }) {
  const state = useAsync(() => ctx.c.referenda(ctx.account), [ctx.account, ctx.version]);
  const [kind, setKind] = useState("param");
  const [target, setTarget] = useState("Staking");
  const [fn, setFn] = useState("setMinStake");
  const [args, setArgs] = useState("");
  const [party, setParty] = useState("");
  const [role, setRole] = useState("0");
  const [asset, setAsset] = useState("1");
  const [amount, setAmount] = useState("10");
  const [why, setWhy] = useState("");
  const propose = async () => {
    const cid = await putJson({ description: why });
    if (kind === "param") {
      const inputs = ctx.c.inputsOf(target, fn);
      const values = args.split(",").map((v) => v.trim()).filter(Boolean);
      if (values.length !== inputs.length) throw new Error(`${target}.${fn} takes ${inputs.length} argument(s): ${inputs.map((i) => `${i.type} ${i.name}`).join(", ")}`);
      return ctx.c.proposeParam(ctx.account, target, fn, values, cid);
    }
    return ctx.c.proposeSlash(ctx.account, party, Number(role), Number(asset), parseCap(amount), cid);
  };
  return html`<section data-testid="referenda"><h1>Referenda</h1>
    <${Loading} state=${state}>${(g) => html`
      <p class="muted">Stake-snapshot voting: quorum ${g.quorumBps / 100}% of the stake, majority of votes cast; voting opens ${duration(g.votingDelay)} after a proposal, lasts ${duration(g.votingPeriod)}, then a timelock of ${duration(g.timelock)}. A proposal deposits <${Cap} wei=${g.deposit} />.</p>
      ${g.list.length ? html`<table class="grid" data-testid="referenda-list"><thead><tr><th>#</th><th>Kind</th><th>Action</th><th>State</th><th>When</th><th>For / against</th><th></th></tr></thead>
        <tbody>${g.list.slice().reverse().map((r) => html`<tr data-testid="referendum-${r.id}"><td>${r.id}</td><td>${r.kind}</td><td><${Action} a=${r.action} /></td>
          <td><span class="badge state-${r.state}" data-testid="state-${r.id}">${r.state}</span></td><td><${Countdown} r=${r} now=${g.now} /></td>
          <td><${Cap} wei=${r.forVotes} /> / <${Cap} wei=${r.againstVotes} /> <span class="muted">of <${Cap} wei=${r.totalStake} /></span></td>
          <td>${r.state === "active" && !r.voted && html`<${TxButton} ctx=${ctx} label="Vote for" testid="vote-for-${r.id}" reqs=${ctx.c.vote(r.id, true)} />
              <${TxButton} ctx=${ctx} label="Against" testid="vote-against-${r.id}" reqs=${ctx.c.vote(r.id, false)} />`}
            ${r.voted && r.state === "active" && html`<span class="muted">you voted</span>`}
            ${r.state === "succeeded" && html`<${TxButton} ctx=${ctx} label="Execute" cls="primary" testid="execute-${r.id}" reqs=${ctx.c.execute(r.id)} disabled=${r.readyAt > g.now} />`}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">No referendum yet.</p>`}`}<//>
    <h2>Propose</h2>
    <div class="form row">
      <${Field} label="Kind"><select data-testid="ref-kind" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        <option value="param">parameter change</option><option value="slash">slash a stake</option></select><//>
      ${kind === "param" ? html`
        <${Field} label="Contract"><select data-testid="ref-target" value=${target} onChange=${(e) => setTarget(e.target.value)}>${Object.keys(ctx.c.config.contracts).map((n) => html`<option>${n}</option>`)}</select><//>
        <${Field} label="Function"><input data-testid="ref-fn" value=${fn} onInput=${(e) => setFn(e.target.value)} /><//>
        <${Field} label="Arguments" hint="comma-separated"><input data-testid="ref-args" value=${args} onInput=${(e) => setArgs(e.target.value)} /><//>` : html`
        <${Field} label="Party"><input data-testid="ref-party" value=${party} onInput=${(e) => setParty(e.target.value)} placeholder="0x…" /><//>
        <${Field} label="Role"><select value=${role} onChange=${(e) => setRole(e.target.value)}>${ROLES.map((r, i) => html`<option value=${i}>${r}</option>`)}</select><//>
        <${Field} label="Asset"><input class="narrow" value=${asset} onInput=${(e) => setAsset(e.target.value)} /><//>
        <${Field} label="Amount (CAP)"><input class="narrow" value=${amount} onInput=${(e) => setAmount(e.target.value)} /><//>`}
    </div>
    <${Field} label=${kind === "param" ? "Why" : "Evidence"}><textarea rows="2" data-testid="ref-why" value=${why} onInput=${(e) => setWhy(e.target.value)} /><//>
    <${TxButton} ctx=${ctx} label="Propose" cls="primary" testid="propose" reqs=${propose} />
  </section>`;
}
