// Stakes ("mortgages") per role and asset: deposit, thaw (request unstake), withdraw.
import { useState } from "preact/hooks";
import { ROLES, parseCap } from "../contracts.mjs";
import { Cap, Field, Loading, TxButton, duration, html, useAsync } from "../ui.mjs";

export function Stakes({ ctx }) {
  const state = useAsync(async () => (ctx.account ? ctx.c.positions(ctx.account) : null), [ctx.account, ctx.version]);
  const [role, setRole] = useState("0");
  const [asset, setAsset] = useState("1");
  const [amount, setAmount] = useState("100");
  if (!ctx.account) return html`<section data-testid="stakes"><h1>Stakes</h1><p class="muted">Connect a wallet to see and manage your stakes.</p></section>`;
  return html`<section data-testid="stakes"><h1>Stakes</h1>
    <p class="muted">A stake backs a role on an asset; it is slashable by referendum, and thaws before it can be withdrawn.</p>
    <${Loading} state=${state}>${(p) => html`
      <p>Voting stake: <${Cap} wei=${p.votingStake} /> of <${Cap} wei=${p.totalStake} /> staked in total · minimum stake <${Cap} wei=${p.minStake} /> · thawing period ${duration(p.thawingPeriod)}</p>
      ${p.positions.length ? html`<table class="grid" data-testid="positions"><thead><tr><th>Role</th><th>Asset</th><th>Active</th><th>Thawing</th><th>Withdrawable</th><th></th></tr></thead>
        <tbody>${p.positions.map((x) => html`<tr data-testid="position-${x.roleName}-${x.assetId}"><td>${x.roleName}</td><td>#${x.assetId}</td>
          <td><${Cap} wei=${x.active} /></td><td><${Cap} wei=${x.thawing} /></td>
          <td>${x.thawing > 0n ? (x.thawEnd <= p.now ? "now" : `in ${duration(x.thawEnd - p.now)}`) : "—"}</td>
          <td>${x.active > 0n && html`<${TxButton} ctx=${ctx} label="Thaw all" testid="thaw-${x.roleName}-${x.assetId}" reqs=${ctx.c.requestUnstake(x.role, x.assetId, x.active)} />`}
            ${x.thawing > 0n && html`<${TxButton} ctx=${ctx} label="Withdraw" testid="withdraw-${x.roleName}-${x.assetId}" reqs=${ctx.c.withdrawStake(x.role, x.assetId)} />`}</td></tr>`)}</tbody></table>`
        : html`<p class="muted">You have no stake yet.</p>`}`}<//>
    <h2>Deposit</h2>
    <div class="form row">
      <${Field} label="Role"><select data-testid="stake-role" value=${role} onChange=${(e) => setRole(e.target.value)}>${ROLES.map((r, i) => html`<option value=${i}>${r}</option>`)}</select><//>
      <${Field} label="Asset id" hint="the $Data, $Portfolio or $Model it backs"><input type="number" min="0" class="narrow" data-testid="stake-asset" value=${asset} onInput=${(e) => setAsset(e.target.value)} /><//>
      <${Field} label="Amount (CAP)"><input data-testid="stake-amount" class="narrow" value=${amount} onInput=${(e) => setAmount(e.target.value)} /><//>
    </div>
    <${TxButton} ctx=${ctx} label="Stake" cls="primary" testid="stake" reqs=${() => ctx.c.stake(ctx.account, Number(role), Number(asset), parseCap(amount))} />
  </section>`;
}
