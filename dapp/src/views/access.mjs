// Data access (seed 002): request access to a dataset; its owner approves, denies or revokes.
import { useState } from "preact/hooks";
import { putJson } from "../ipfs.mjs";
import { Addr, Field, Loading, TxButton, duration, html, useAsync } from "../ui.mjs";

export function Access({ ctx }) {
  const state = useAsync(() => ctx.c.accessRequests(), [ctx.version]);
  const [dataId, setDataId] = useState("1");
  const [purpose, setPurpose] = useState("");
  const [days, setDays] = useState("30");
  const me = ctx.account;
  return html`<section data-testid="access"><h1>Data access</h1>
    <${Loading} state=${state}>${(list) => html`${list.length ? html`<table class="grid" data-testid="requests"><thead><tr><th>#</th><th>$Data</th><th>Requester</th><th>Owner</th><th>Purpose</th><th>Status</th><th></th></tr></thead>
      <tbody>${list.slice().reverse().map((r) => html`<tr data-testid="request-${r.id}"><td>${r.id}</td><td><a href="#/data/${r.dataId}">#${r.dataId}</a></td>
        <td><${Addr} a=${r.requester} me=${me} /></td><td><${Addr} a=${r.dataOwner} me=${me} /></td>
        <td class="mono"><a href="/ipfs/${r.purposeCid}" target="_blank">${r.purposeCid.slice(0, 12)}…</a></td>
        <td><span class="badge state-${r.status}" data-testid="request-status-${r.id}">${r.status}${r.credentialId ? (r.revoked ? ", revoked" : r.valid ? ", valid" : ", expired") : ""}</span></td>
        <td>${me && me === r.dataOwner.toLowerCase() && r.status === "pending" && html`
            <${TxButton} ctx=${ctx} label=${`Approve for ${days} days`} cls="primary" testid="approve-${r.id}" reqs=${ctx.c.approveAccess(r.id, Number(days) * 86400)} />
            <${TxButton} ctx=${ctx} label="Deny" testid="deny-${r.id}" reqs=${async () => ctx.c.denyAccess(r.id, await putJson({ request: r.id, reason: "denied by the owner" }))} />`}
          ${me && me === r.dataOwner.toLowerCase() && r.valid && html`<${TxButton} ctx=${ctx} label="Revoke" testid="revoke-${r.id}" reqs=${ctx.c.revokeAccess(r.credentialId)} />`}</td></tr>`)}</tbody></table>`
      : html`<p class="muted">No access request yet.</p>`}`}<//>
    <p class="muted">Owners: approvals last <input class="narrow" data-testid="access-days" value=${days} onInput=${(e) => setDays(e.target.value)} /> days (${duration(Number(days) * 86400)}).</p>
    <h2>Request access</h2>
    <div class="form row">
      <${Field} label="$Data id"><input type="number" min="1" class="narrow" data-testid="access-data" value=${dataId} onInput=${(e) => setDataId(e.target.value)} /><//>
      <${Field} label="Purpose" hint="published on IPFS for the owner to read"><input data-testid="access-purpose" value=${purpose} onInput=${(e) => setPurpose(e.target.value)} /><//>
    </div>
    <${TxButton} ctx=${ctx} label="Request access" cls="primary" testid="request-access" reqs=${async () => ctx.c.requestAccess(Number(dataId), await putJson({ data: Number(dataId), purpose }))} />
  </section>`;
}
