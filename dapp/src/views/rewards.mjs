// My rewards: staking rewards and bonuses, market payouts, data-owner shares per portfolio; claim them.
import { Cap, Loading, TxButton, html, useAsync } from "../ui.mjs";

export function Rewards({ ctx }) {
  const state = useAsync(async () => (ctx.account ? ctx.c.rewards(ctx.account) : null), [ctx.account, ctx.version]);
  if (!ctx.account) return html`<section data-testid="rewards"><h1>Rewards</h1><p class="muted">Connect a wallet to see your rewards.</p></section>`;
  return html`<section data-testid="rewards"><h1>Rewards</h1><${Loading} state=${state}>${(r) => html`
    <table class="breakdown"><tbody>
      <tr><td>Staking rewards</td><td data-testid="earned"><${Cap} wei=${r.earned} /></td><td rowspan="2">${(r.earned > 0n || r.bonus > 0n) && html`<${TxButton} ctx=${ctx} label="Claim" cls="primary" testid="claim-rewards" reqs=${ctx.c.claimRewards()} />`}</td></tr>
      <tr><td>Bonuses</td><td data-testid="bonus"><${Cap} wei=${r.bonus} /></td></tr>
      <tr><td>Market payouts (trainer, curator)</td><td data-testid="owed"><${Cap} wei=${r.owed} /></td><td>${r.owed > 0n && html`<${TxButton} ctx=${ctx} label="Withdraw" testid="withdraw-owed" reqs=${ctx.c.withdrawOwed()} />`}</td></tr>
      ${r.dataShares.map((s) => html`<tr><td>Data share: $Data #${s.dataId} in $Portfolio #${s.portfolioId}</td><td><${Cap} wei=${s.amount} /></td>
        <td><${TxButton} ctx=${ctx} label="Claim" testid="claim-share-${s.portfolioId}-${s.dataId}" reqs=${ctx.c.claimDataShare(s.portfolioId, s.dataId)} /></td></tr>`)}
    </tbody></table>
    ${r.earned === 0n && r.bonus === 0n && r.owed === 0n && !r.dataShares.length && html`<p class="muted">Nothing to claim right now.</p>`}`}<//></section>`;
}
