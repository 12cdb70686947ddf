// Register data, as a wizard: metadata -> licence -> preview -> submit. The file never leaves the
// browser: the page computes its commitment and the metadata CID here; only the metadata is uploaded.
import { useState } from "preact/hooks";
import { ethers } from "ethers";
import { fmtCap, parseCap } from "../contracts.mjs";
import { commitFile } from "../commitment.mjs";
import { canonicalJson, cidOf, digestOf, put } from "../ipfs.mjs";
import { Field, TxButton, html } from "../ui.mjs";

const STEPS = ["Metadata", "Licence", "Preview", "Submit"];

function columnType(values) {
  if (values.every((v) => /^-?\d+$/.test(v))) return "int";
  if (values.every((v) => v !== "" && !Number.isNaN(Number(v)))) return "float";
  return "string";
}

/** The $Data metadata document, as orchestrator.metadata.build_data_metadata builds it. */
export function dataMetadata({ name, description, scheme, commitment, leafCount, kind, columns, abstract }) {
  const props = { kind, commitment: { root: commitment.toLowerCase(), scheme }, record_count: leafCount };
  if (columns) props.schema = { columns };
  if (abstract) props.disclosure = { abstract };
  return { name, description, properties: props };
}

export function RegisterData({ ctx }) {
  const [step, setStep] = useState(0);
  const [file, setFile] = useState(null);
  const [computed, setComputed] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [form, setForm] = useState({ name: "", description: "", abstract: "", discloseColumns: false, price: "1", bonus: "0" });
  const [prepared, setPrepared] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const scheme = ctx.c.config.commitmentScheme;
  const hasBonus = ctx.c.licenseTerms().includes("bonusPerTrainingUse");

  const pick = async (e) => {
    const f = e.target.files[0];
    setError(null); setComputed(null); setFile(f || null);
    if (!f) return;
    setBusy(true);
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const c = await commitFile(scheme, f.name, bytes);
      setComputed(c);
      if (!form.name) setForm((old) => ({ ...old, name: f.name }));
    } catch (err) {
      setError(`${f.name}: ${err.message}`);
    } finally {
      setBusy(false);
    }
  };

  const prepare = async () => {
    setError(null);
    try {
      const price = parseCap(form.price), bonus = parseCap(form.bonus);
      let columns = null;
      if (form.discloseColumns && computed.header) {
        const rows = computed.records.map((r) => new TextDecoder().decode(r).split(","));
        columns = computed.header.map((name, i) => ({ name, type: columnType(rows.map((r) => r[i] ?? "")) }));
      }
      const doc = dataMetadata({ name: form.name || file.name, description: form.description, scheme,
        commitment: computed.commitment, leafCount: computed.leafCount, kind: computed.kind, columns, abstract: form.abstract.trim() });
      const bytes = canonicalJson(doc);
      setPrepared({ doc, bytes, cid: await cidOf(bytes), digest: ethers.hexlify(await digestOf(bytes)), price, bonus });
      setStep(2);
    } catch (err) {
      setError(err.message);
    }
  };

  const mint = () => ctx.c.mintData({ commitment: computed.commitment, leafCount: computed.leafCount,
    metadataCid: prepared.cid, metadataDigest: prepared.digest, price: prepared.price, bonus: prepared.bonus });
  const submit = async () => {
    const req = mint();
    await ctx.tx.simulate(req, { from: ctx.account, ...ctx.c.encode(req) }); // a duplicate is refused before anything is uploaded
    await put(prepared.bytes);
    return req;
  };

  return html`<section data-testid="register"><h1>Register data</h1>
    <ol class="steps">${STEPS.map((s, i) => html`<li class=${i === step ? "current" : i < step ? "done" : ""}>${i + 1}. ${s}</li>`)}</ol>
    ${step === 0 && html`<div class="form">
      <${Field} label="Dataset file" hint="CSV rows, or 64 KiB chunks of any other file, are committed. The file never leaves this browser.">
        <input type="file" data-testid="file" onChange=${pick} /><//>
      ${busy && html`<p class="muted">Computing the commitment…</p>`}
      ${computed && html`<p data-testid="computed">${computed.leafCount} records (${computed.kind}) · commitment <span class="mono" data-testid="commitment">${computed.commitment}</span></p>`}
      <${Field} label="Name"><input data-testid="name" value=${form.name} onInput=${set("name")} /><//>
      <${Field} label="Description"><textarea rows="2" data-testid="description" value=${form.description} onInput=${set("description")} /><//>
      <${Field} label="Abstract (optional, published)"><textarea rows="2" data-testid="abstract" value=${form.abstract} onInput=${set("abstract")} /><//>
      ${computed?.header && html`<label class="check"><input type="checkbox" data-testid="disclose-columns" checked=${form.discloseColumns} onChange=${set("discloseColumns")} /> Publish the column names and types (${computed.header.join(", ")})</label>`}
      <div class="buttons"><button class="primary" data-testid="next" disabled=${!computed} onClick=${() => setStep(1)}>Next: licence</button></div></div>`}
    ${step === 1 && html`<div class="form">
      <${Field} label="Price per use (CAP)" hint="paid to you, by portfolio weight, each time a model trained on it is used"><input data-testid="price" value=${form.price} onInput=${set("price")} /><//>
      ${hasBonus && html`<${Field} label="Bonus per training use (CAP)"><input data-testid="bonus" value=${form.bonus} onInput=${set("bonus")} /><//>`}
      <div class="buttons"><button onClick=${() => setStep(0)}>Back</button><button class="primary" data-testid="next" onClick=${prepare}>Next: preview</button></div></div>`}
    ${step === 2 && prepared && html`<div>
      <dl class="facts"><dt>File</dt><dd>${file.name} (${file.size.toLocaleString("en")} bytes, stays here)</dd>
        <dt>Records</dt><dd data-testid="leaf-count">${computed.leafCount} (${computed.kind})</dd>
        <dt>Commitment</dt><dd class="mono" data-testid="preview-commitment">${computed.commitment}</dd>
        <dt>Scheme</dt><dd>${scheme}</dd>
        <dt>Licence</dt><dd>${fmtCap(prepared.price)} per use${hasBonus ? `, ${fmtCap(prepared.bonus)} bonus per training use` : ""}</dd>
        <dt>Metadata CID</dt><dd class="mono" data-testid="metadata-cid">${prepared.cid}</dd></dl>
      <p>This metadata document is all that is uploaded:</p><pre class="json" data-testid="metadata-doc">${JSON.stringify(prepared.doc, null, 2)}</pre>
      <div class="buttons"><button onClick=${() => setStep(1)}>Back</button><button class="primary" data-testid="next" onClick=${() => setStep(3)}>Next: submit</button></div></div>`}
    ${step === 3 && html`<div>
      <p>Mint $Data for <b>${form.name || file.name}</b>: the commitment and the metadata CID go on chain.</p>
      <${TxButton} ctx=${ctx} label="Register $Data" cls="primary" testid="submit" reqs=${submit} />
      <button class="link" onClick=${() => { setStep(0); setFile(null); setComputed(null); setPrepared(null); }}>Register another</button></div>`}
    ${error && html`<p class="error" role="alert" data-testid="register-error">${error}</p>`}
  </section>`;
}
