/**
 * Preview: a dry run with the current settings (optionally some categories only), grouped by
 * category with totals: what would go (with each reason) and what stays (skipped or kept, with
 * the reason). When the dry run returns a `plan_id`, "Apply this plan" removes exactly the
 * previewed items (POST /plans/<plan_id>/apply); without one the button is not shown.
 */
import { useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { bytes, CATEGORIES, statsLine } from '../format.js';
import { html } from '../html.js';
import { ApplyPlan } from './apply-plan.js';

function group(list) {
  const by = new Map();
  for (const x of list ?? []) by.set(x.category, [...(by.get(x.category) ?? []), x]);
  return by;
}

function CategoryGroup({ c, items, stays }) {
  const total = items.reduce((n, i) => n + i.bytes, 0);
  return html`<section class="card" aria-labelledby=${`h-${c.name}`} data-testid=${`group-${c.name}`}>
    <h3 id=${`h-${c.name}`}>${c.label}: ${items.length} to remove${total ? `, ${bytes(total)}` : ''}${stays.length ? `; ${stays.length} stay` : ''}</h3>
    ${items.length > 0 && html`<details open=${items.length <= 20}>
      <summary>Would remove (${items.length})</summary>
      <ul class="items">${items.map((i) => html`<li><span class="path">${i.target}</span> <span class="muted">${i.bytes ? `${bytes(i.bytes)} · ` : ''}${i.action} · ${i.reason}</span></li>`)}</ul>
    </details>`}
    ${stays.length > 0 && html`<details open=${stays.length <= 20}>
      <summary>Stays (${stays.length})</summary>
      <ul class="items">${stays.map((s) => html`<li><span class="path">${s.target}</span> <span class="muted">${s.reason}</span></li>`)}</ul>
    </details>`}
  </section>`;
}

function Result({ r }) {
  const items = group(r.items);
  const stays = group([...(r.skipped ?? []), ...(r.kept ?? [])]);
  return html`<section aria-labelledby="h-result" data-testid="preview-result">
    <h2 id="h-result" tabindex="-1">Dry run: ${statsLine(r.stats)}</h2>
    <p>${`Nothing was deleted. ${r.items_total > r.items.length ? `Showing the first ${r.items.length} of ${r.items_total} items. ` : ''}Every item is in `}<a href=${`#/runs/${encodeURIComponent(r.run_id)}`}>the run's history</a>.</p>
    ${r.warnings.length > 0 && html`<ul class="warnings">${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
    ${CATEGORIES.filter((c) => items.has(c.name) || stays.has(c.name)).map(
      (c) => html`<${CategoryGroup} c=${c} items=${items.get(c.name) ?? []} stays=${stays.get(c.name) ?? []} />`,
    )}
    ${items.size === 0 && stays.size === 0 && html`<p>Nothing to remove.</p>`}
    ${r.plan_id && html`<${ApplyPlan} planId=${r.plan_id} count=${r.items_total} />`}
  </section>`;
}

export function PreviewView() {
  const [picked, setPicked] = useState(() => new Set(CATEGORIES.map((c) => c.name)));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const toggle = (name) => {
    const next = new Set(picked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setPicked(next);
  };
  const run = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const categories = CATEGORIES.map((c) => c.name).filter((n) => picked.has(n));
      const body = categories.length === CATEGORIES.length ? {} : { categories };
      setResult(await api('', { method: 'POST', body }));
      requestAnimationFrame(() => document.getElementById('h-result')?.focus());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<h1 tabindex="-1">Preview</h1>
    <p>A dry run with the current configuration: what a run would remove now, and why. Nothing is deleted.</p>
    <form class="controls" onSubmit=${run}>
      <fieldset><legend>Categories</legend>
        ${CATEGORIES.map((c) => html`<label class="check"><input type="checkbox" checked=${picked.has(c.name)} onChange=${() => toggle(c.name)} /> ${c.label}</label>`)}
      </fieldset>
      <button type="submit" disabled=${busy || picked.size === 0} data-testid="run-preview">${busy ? 'Running…' : 'Run preview'}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${result && html`<${Result} key=${result.run_id} r=${result} />`}`;
}
