/**
 * Runs: the history (trigger, status, duration, stats), and one run's items paged and filtered
 * by category and action, each with its reason, plus what it skipped and its errors.
 * `#/runs` lists, `#/runs/<run_id>` shows one run.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { bytes, CATEGORIES, dateTime, duration, statsLine } from '../format.js';
import { html } from '../html.js';
import { ApplyPlan } from './apply-plan.js';
import { RestoreTrash } from './restore-trash.js';

const PAGE = 20;
const ITEMS_PAGE = 50;

function Pager({ offset, total, size, onChange, label }) {
  return html`<nav class="pager" aria-label=${label}>
    <button type="button" disabled=${offset === 0} onClick=${() => onChange(Math.max(0, offset - size))}>Previous</button>
    <span>${total === 0 ? 'none' : `${offset + 1}–${Math.min(offset + size, total)} of ${total}`}</span>
    <button type="button" disabled=${offset + size >= total} onClick=${() => onChange(offset + size)}>Next</button>
  </nav>`;
}

const took = (r) => (r.finished_at ? duration(Date.parse(r.finished_at) - Date.parse(r.started_at)) : '–');

function RunList() {
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api(`/runs?limit=${PAGE}&offset=${offset}`).then(setPage, setError);
  }, [offset]);
  return html`<h1 tabindex="-1">Runs</h1>
    <${ErrorBox} error=${error} />
    ${page && html`
      <div class="scroll" tabindex="0" role="region" aria-label="Run history">
      <table data-testid="runs-table">
        <caption class="sr-only">Every recorded run, newest first</caption>
        <thead><tr><th scope="col">Started</th><th scope="col">Trigger</th><th scope="col">Kind</th><th scope="col">Status</th>
          <th scope="col" class="num">Duration</th><th scope="col">Removed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">Errors</th></tr></thead>
        <tbody>${page.runs.map((r) => html`<tr>
          <th scope="row" class="nowrap"><a href=${`#/runs/${encodeURIComponent(r.run_id)}`}>${dateTime(r.started_at)}</a></th>
          <td>${r.trigger}</td><td>${r.dry_run ? 'dry run' : 'real'}</td><td><span class=${`status ${r.status}`}>${r.status}</span></td>
          <td class="num">${took(r)}</td><td>${statsLine(r.stats)}</td><td class="num">${r.skipped_total}</td><td class="num">${r.errors_total}</td>
        </tr>`)}</tbody>
      </table></div>
      <${Pager} offset=${offset} total=${page.total} size=${PAGE} onChange=${setOffset} label="Run pages" />`}`;
}

function Items({ runId }) {
  const [filter, setFilter] = useState({ category: '', action: '' });
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const q = new URLSearchParams({ items_limit: String(ITEMS_PAGE), items_offset: String(offset) });
    if (filter.category) q.set('category', filter.category);
    if (filter.action) q.set('action', filter.action);
    api(`/runs/${encodeURIComponent(runId)}?${q}`).then(setPage, setError);
  }, [runId, filter, offset]);
  const set = (key) => (e) => {
    setOffset(0);
    setFilter({ ...filter, [key]: e.currentTarget.value });
  };
  const total = page ? (page.items_matching ?? page.items_total) : 0;
  return html`<section aria-labelledby="h-items">
    <h2 id="h-items">Items</h2>
    <form class="controls" onSubmit=${(e) => e.preventDefault()}>
      <label>Category <select value=${filter.category} onChange=${set('category')} data-testid="filter-category">
        <option value="">all</option>${CATEGORIES.map((c) => html`<option value=${c.name}>${c.name}</option>`)}</select></label>
      <label>Action <select value=${filter.action} onChange=${set('action')} data-testid="filter-action">
        <option value="">all</option><option value="delete">delete</option><option value="archive">archive</option><option value="rmdir">rmdir</option></select></label>
    </form>
    <${ErrorBox} error=${error} />
    ${page && html`<div class="scroll" tabindex="0" role="region" aria-label="Items of this run">
      <table data-testid="items-table">
        <thead><tr><th scope="col">Target</th><th scope="col">Category</th><th scope="col">Action</th><th scope="col" class="num">Size</th><th scope="col">Reason</th></tr></thead>
        <tbody>${page.items.map((i) => html`<tr><td class="path">${i.target}</td><td>${i.category}</td><td>${i.action}</td><td class="num">${i.bytes ? bytes(i.bytes) : '–'}</td><td>${i.reason}</td></tr>`)}</tbody>
      </table></div>
      <${Pager} offset=${offset} total=${total} size=${ITEMS_PAGE} onChange=${setOffset} label="Item pages" />`}
  </section>`;
}

function RunDetail({ runId }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api(`/runs/${encodeURIComponent(runId)}?items_limit=1`).then(setData, setError);
  }, [runId]);
  const r = data?.run;
  return html`<p><a href="#/runs">← All runs</a></p>
    <h1 tabindex="-1">Run ${runId.slice(0, 8)}</h1>
    <${ErrorBox} error=${error} />
    ${r && html`
      <dl class="card facts">
        <dt>Run id</dt><dd><code>${r.run_id}</code></dd>
        <dt>Trigger</dt><dd>${r.trigger}, ${r.dry_run ? 'dry run (nothing was deleted)' : 'real run'}</dd>
        <dt>Status</dt><dd><span class=${`status ${r.status}`}>${r.status}</span></dd>
        <dt>Started</dt><dd>${dateTime(r.started_at)}</dd>
        <dt>Duration</dt><dd>${took(r)}</dd>
        <dt>${r.dry_run || r.status === 'refused' ? 'Would remove' : 'Removed'}</dt><dd>${statsLine(r.stats)}</dd>
        ${r.applied_plan_id && html`<dt>Applied plan</dt><dd><a href=${`#/runs/${encodeURIComponent(r.applied_plan_id)}`}><code>${r.applied_plan_id}</code></a></dd>`}
      </dl>
      ${r.refused_reason && html`<p class="error" role="status" data-testid="refused-reason">${r.refused_reason}</p>`}
      ${r.plan_id && html`<section aria-labelledby="h-plan"><h2 id="h-plan">Plan</h2>
        <p>${r.status === 'refused' ? 'A brake refused this run before it deleted anything. Its items are the plan it refused.' : 'This dry run is a plan: applying it removes exactly its items, each checked again first.'}</p>
        <${ApplyPlan} planId=${r.plan_id} count=${r.items_total} /></section>`}
      ${!r.dry_run && r.status !== 'refused' && html`<${RestoreTrash} runId=${r.run_id} mb=${r.space_trashed_mb ?? 0} />`}
      ${r.warnings.length > 0 && html`<section aria-labelledby="h-warn"><h2 id="h-warn">Warnings</h2><ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`}
      ${r.errors.length > 0 && html`<section aria-labelledby="h-err"><h2 id="h-err">Errors (${r.errors_total})</h2>
        <ul class="problems">${r.errors.map((e) => html`<li><span class="path">${e.target}</span> (${e.category}): ${e.message}</li>`)}</ul></section>`}
      ${r.skipped.length > 0 && html`<section aria-labelledby="h-skip"><h2 id="h-skip">Skipped (${r.skipped_total})</h2>
        <ul class="problems">${r.skipped.map((s) => html`<li><span class="path">${s.target}</span> (${s.category}): ${s.reason}</li>`)}</ul></section>`}
      <${Items} runId=${r.run_id} />`}`;
}

export function RunsView({ arg }) {
  return arg ? html`<${RunDetail} runId=${arg} />` : html`<${RunList} />`;
}
