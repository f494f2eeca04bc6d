/**
 * Configuration: the editable settings as a form (retention per environment, ages, protect
 * globs, schedule and time zone; other keys of the config file as JSON). Saving first asks the
 * server for a preview (PUT ?preview=true: dry runs with the current and the new settings); a
 * change that removes more is shown and must be confirmed. A refused value is shown next to its
 * field with the server's message, and nothing is saved. Below: who changed what, when.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, ErrorBox } from '../api.js';
import { CATEGORIES, dateTime } from '../format.js';
import { html } from '../html.js';

const AGES = [
  { key: 'log_age_days', label: 'Log age', unit: 'days' },
  { key: 'task_age_days', label: 'Finished task age', unit: 'days' },
  { key: 'error_age_days', label: 'Resolved error age', unit: 'days' },
  { key: 'prompt_age_days', label: 'Prompt age (archived)', unit: 'days' },
  { key: 'temp_age_hours', label: 'Temp file age', unit: 'hours' },
];
const KNOWN = new Set(['backup_retention', 'protect', 'schedule', 'timezone', ...AGES.map((a) => a.key)]);
const ZONES = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** The form's state from the API's config. */
function toForm(config) {
  const retention = Object.entries(config.backup_retention ?? {}).sort(([a], [b]) => (a === 'default') - (b === 'default'));
  const other = Object.fromEntries(Object.entries(config).filter(([k]) => !KNOWN.has(k)));
  return {
    retention: retention.map(([env, n]) => ({ env, value: String(n) })),
    ages: Object.fromEntries(AGES.map((a) => [a.key, config[a.key] === undefined ? '' : String(config[a.key])])),
    protect: (config.protect ?? []).join('\n'),
    schedule: config.schedule ?? '',
    timezone: config.timezone ?? '',
    other: Object.keys(other).length ? JSON.stringify(other, null, 2) : '',
  };
}

/** Digits become a number; anything else is sent as typed, so the server names the field and the problem. */
const num = (s) => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : s);

/** The PUT body from the form; throws ApiError-like {field} for JSON the browser cannot parse. */
function toBody(f) {
  let other = {};
  if (f.other.trim()) {
    try {
      other = JSON.parse(f.other);
    } catch (e) {
      throw new ApiError(400, `body.other: not valid JSON (${e.message})`);
    }
  }
  const body = { ...other, backup_retention: Object.fromEntries(f.retention.map((r) => [r.env.trim(), num(r.value)])) };
  for (const a of AGES) if (f.ages[a.key].trim() !== '') body[a.key] = num(f.ages[a.key]);
  body.protect = f.protect.split('\n').map((l) => l.trim()).filter(Boolean);
  if (f.schedule.trim()) body.schedule = f.schedule.trim();
  if (f.timezone.trim()) body.timezone = f.timezone.trim();
  return body;
}

/** `body.backup_retention.prod must be >= 1` -> "backup_retention.prod"; `body: unknown field "x"` -> "other". */
function fieldOf(message) {
  const m = /^body\.([A-Za-z0-9_]+(?:\.[^\s:]+)?)/.exec(message);
  if (!m) return /^body: unknown field/.test(message) ? 'other' : null;
  const field = m[1];
  if (field.startsWith('backup_retention') || field.startsWith('protect') || KNOWN.has(field) || field === 'other') return field;
  return 'other';
}

function FieldError({ id, error }) {
  return error ? html`<p class="field-error" id=${id}>${error}</p>` : null;
}

/** Props making an input point at its error (aria-invalid, aria-describedby). */
const errProps = (errors, field, id) => (errors[field] ? { 'aria-invalid': 'true', 'aria-describedby': `${id}-error` } : {});

function Comparison({ p }) {
  return html`<div class="scroll" tabindex="0" role="region" aria-labelledby="cmp-caption">
    <table data-testid="comparison">
      <caption id="cmp-caption">A run now would remove</caption>
      <thead><tr><th scope="col">Category</th><th scope="col" class="num">Current settings</th><th scope="col" class="num">New settings</th><th scope="col" class="num">Last real run</th></tr></thead>
      <tbody>
        ${CATEGORIES.map((c) => {
          const a = p.current.stats[c.stat];
          const b = p.proposed.stats[c.stat];
          return html`<tr class=${b > a ? 'more' : ''}><th scope="row">${c.label}</th><td class="num">${a}</td><td class="num">${b}${b > a ? ` (+${b - a})` : ''}</td><td class="num">${p.last_real?.[c.stat] ?? '–'}</td></tr>`;
        })}
        <tr class="total"><th scope="row">Space freed</th><td class="num">${p.current.stats.space_freed_mb} MB</td><td class="num">${p.proposed.stats.space_freed_mb} MB</td><td class="num">${p.last_real ? `${p.last_real.space_freed_mb} MB` : '–'}</td></tr>
      </tbody>
    </table></div>`;
}

function History({ version }) {
  const [h, setH] = useState(null);
  useEffect(() => {
    api('/config/history?limit=20').then(setH, () => setH(null));
  }, [version]);
  if (!h) return null;
  return html`<section aria-labelledby="h-history">
    <h2 id="h-history">Change history</h2>
    ${h.total === 0 ? html`<p>No change recorded yet.</p>` : html`<div class="scroll" tabindex="0" role="region" aria-labelledby="h-history">
      <table data-testid="history">
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Saved to</th><th scope="col">What changed</th></tr></thead>
        <tbody>${h.changes.map((c) => html`<tr><td>${dateTime(c.changed_at)}</td><td>${c.actor}${c.remote ? ` (${c.remote})` : ''}</td><td>${c.persisted_to}</td>
          <td><ul class="changes">${c.changes.map((x) => html`<li><code>${x.field}</code>: ${x.from === undefined ? '(unset)' : JSON.stringify(x.from)} → ${x.to === undefined ? '(unset)' : JSON.stringify(x.to)}</li>`)}</ul></td></tr>`)}</tbody>
      </table></div>`}
  </section>`;
}

export function ConfigView() {
  const [view, setView] = useState(null);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [preview, setPreview] = useState(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(null);
  const [version, setVersion] = useState(0);
  const load = () =>
    api('/config').then((v) => {
      setView(v);
      setForm(toForm(v.config));
    }, setError);
  useEffect(() => {
    load();
  }, []);
  if (!form) return html`<h1 tabindex="-1">Configuration</h1><${ErrorBox} error=${error} />`;

  const set = (patch) => {
    setForm({ ...form, ...patch });
    setPreview(null);
    setSaved(null);
  };
  const fail = (e) => {
    const field = e instanceof ApiError && e.status === 400 ? fieldOf(e.message) : null;
    setErrors(field ? { [field]: e.message } : {});
    setError(field ? new Error(`Not saved: ${e.message}`) : e);
    // Keyboard and screen-reader users land on the field to fix.
    if (field) requestAnimationFrame(() => document.querySelector('[aria-invalid="true"]')?.focus());
  };
  const save = async (confirmed) => {
    setBusy(true);
    setError(null);
    setErrors({});
    setSaved(null);
    try {
      const body = toBody(form);
      if (!confirmed) {
        const p = await api('/config?preview=true', { method: 'PUT', body });
        setPreview(p);
        if (p.changes.length === 0) return setSaved({ changes: [] });
        if (p.removes_more) return;
      }
      const res = await api('/config', { method: 'PUT', body });
      setSaved(res);
      setPreview(null);
      setView(res);
      setForm(toForm(res.config));
      setVersion(version + 1);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const env = view.env_overrides;
  const retentionRow = (r, i) => {
    const id = `ret-${i}`;
    const field = `backup_retention.${r.env}`;
    const update = (patch) => set({ retention: form.retention.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
    return html`<div class="row">
      ${r.env === 'default'
        ? html`<label for=${id}>Any other environment</label>`
        : html`<label for=${id}><span class="sr-only">Environment ${r.env}: </span><input class="env" value=${r.env} aria-label="Environment name" onInput=${(e) => update({ env: e.currentTarget.value })} /></label>`}
      <input id=${id} name=${field} type="text" inputmode="numeric" value=${r.value} onInput=${(e) => update({ value: e.currentTarget.value })} ...${errProps(errors, field, id)} aria-label=${`Backups kept in ${r.env}`} />
      ${r.env !== 'default' && html`<button type="button" class="link" onClick=${() => set({ retention: form.retention.filter((_, j) => j !== i) })}>Remove ${r.env}</button>`}
      <${FieldError} id=${`${id}-error`} error=${errors[field]} />
    </div>`;
  };
  return html`<h1 tabindex="-1">Configuration</h1>
    <p>Saved to ${view.persisted_to === 'file' ? html`the config file <code>${view.config_file}</code>` : 'the state database'} and applied at once (no restart).
      Root, paths and tables are set in the config file only.</p>
    <form class="config" onSubmit=${(e) => { e.preventDefault(); save(false); }} novalidate>
      <fieldset data-testid="retention"><legend>Backups kept per environment (newest first, at least 1)</legend>
        <div class="row head" aria-hidden="true"><span>Environment</span><span>Kept</span></div>
        ${form.retention.map(retentionRow)}
        <button type="button" onClick=${() => set({ retention: [...form.retention.slice(0, -1), { env: `env${form.retention.length}`, value: '5' }, ...form.retention.slice(-1)] })}>Add an environment</button>
        <${FieldError} id="backup_retention-error" error=${errors.backup_retention} />
      </fieldset>
      <fieldset><legend>Ages (items older than this are removed; empty = default)</legend>
        ${AGES.map((a) => html`<div class="row">
          <label for=${a.key}>${a.label} (${a.unit})</label>
          <input id=${a.key} name=${a.key} type="text" inputmode="numeric" value=${form.ages[a.key]} ...${errProps(errors, a.key, a.key)}
            onInput=${(e) => set({ ages: { ...form.ages, [a.key]: e.currentTarget.value } })} />
          <${FieldError} id=${`${a.key}-error`} error=${errors[a.key]} />
        </div>`)}
      </fieldset>
      <fieldset><legend>Protected paths</legend>
        <label for="protect">Globs relative to the root, one per line (e.g. <code>logs/keep_me*</code>, <code>**/*.pin</code>)</label>
        <textarea id="protect" rows="4" value=${form.protect} ...${errProps(errors, 'protect', 'protect')} onInput=${(e) => set({ protect: e.currentTarget.value })}></textarea>
        <${FieldError} id="protect-error" error=${errors.protect ?? Object.entries(errors).find(([k]) => k.startsWith('protect.'))?.[1]} />
      </fieldset>
      <fieldset><legend>Schedule</legend>
        <div class="row">
          <label for="schedule">Cron expression, or <code>off</code></label>
          <input id="schedule" value=${form.schedule} disabled=${Boolean(env.schedule)} ...${errProps(errors, 'schedule', 'schedule')} onInput=${(e) => set({ schedule: e.currentTarget.value })} />
          ${env.schedule && html`<p class="hint">Set by the environment variable <code>${env.schedule}</code>, which wins over the panel.</p>`}
          <${FieldError} id="schedule-error" error=${errors.schedule} />
        </div>
        <div class="row">
          <label for="timezone">Time zone (empty: the server's local time)</label>
          <input id="timezone" list="zones" value=${form.timezone} disabled=${Boolean(env.timezone)} ...${errProps(errors, 'timezone', 'timezone')} onInput=${(e) => set({ timezone: e.currentTarget.value })} />
          <datalist id="zones">${ZONES.map((z) => html`<option value=${z} />`)}</datalist>
          ${env.timezone && html`<p class="hint">Set by the environment variable <code>${env.timezone}</code>.</p>`}
          <${FieldError} id="timezone-error" error=${errors.timezone} />
        </div>
      </fieldset>
      <details open=${Boolean(form.other) || Boolean(errors.other)}><summary>Other settings (JSON)</summary>
        <label for="other">Further config-file keys (archive target, notifications …) as a JSON object</label>
        <textarea id="other" rows="6" class="code" value=${form.other} ...${errProps(errors, 'other', 'other')} onInput=${(e) => set({ other: e.currentTarget.value })}></textarea>
        <${FieldError} id="other-error" error=${errors.other} />
      </details>
      <${ErrorBox} error=${error} />
      ${preview && preview.changes.length > 0 && html`<section class="card" aria-labelledby="h-preview" data-testid="config-preview">
        <h2 id="h-preview">${preview.removes_more ? 'This change removes more' : 'Effect of this change'}</h2>
        <${Comparison} p=${preview} />
        ${preview.removes_more && html`<p class="warning" role="alert">With the new settings a run would remove more than with the current ones. Save anyway?</p>
          <button type="button" class="danger" disabled=${busy} onClick=${() => save(true)} data-testid="confirm-save">Save anyway</button>
          <button type="button" onClick=${() => setPreview(null)}>Keep editing</button>`}
      </section>`}
      <p><button type="submit" disabled=${busy} data-testid="save-config">${busy ? 'Checking…' : 'Save'}</button>
        <button type="button" onClick=${() => { setForm(toForm(view.config)); setErrors({}); setError(null); setPreview(null); }}>Reset</button></p>
      ${saved && html`<p class="ok" role="status" data-testid="saved">${saved.changes.length ? `Saved and applied: ${saved.changes.map((c) => c.field).join(', ')}.` : 'Nothing changed.'}</p>`}
    </form>
    <${History} version=${version} />`;
}
