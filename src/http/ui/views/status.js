/**
 * Status: the schedule and its next run (in the schedule's time zone and the viewer's), the
 * last real run, a run in progress with live progress (polling /status every 2 s while one
 * runs, every 15 s otherwise), and the root's free disk space.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { bytes, CATEGORIES, dateTime, viewerZone } from '../format.js';
import { html } from '../html.js';

// Asked as soon as this module loads, in parallel with the first render (a 401 is left to the
// view's own request, which asks for the token).
let early = api('/status', { prompt: false }).catch(() => null);

function Schedule({ s }) {
  const zone = s.timezone ?? 'server local time';
  return html`<section class="card" aria-labelledby="h-schedule">
    <h2 id="h-schedule">Schedule</h2>
    <dl>
      <dt>Expression</dt><dd><code>${s.schedule}</code>${s.schedule === 'off' ? ' (no scheduled runs)' : ''}</dd>
      <dt>Time zone</dt><dd>${zone}</dd>
      <dt>Schedule active</dt><dd>${s.daemon_running ? `yes (pid ${s.daemon_pid})` : 'no'}</dd>
      <dt>Next run</dt>
      <dd data-testid="next-run">${s.next_run
        ? html`${dateTime(s.next_run, s.timezone ?? undefined)}${s.timezone && s.timezone !== viewerZone ? html`<br /><span class="muted">${dateTime(s.next_run)} your time</span>` : ''}`
        : 'none'}</dd>
    </dl>
  </section>`;
}

function LastRun({ s }) {
  return html`<section class="card" aria-labelledby="h-last">
    <h2 id="h-last">Last real run</h2>
    ${s.last_run
      ? html`<p>Finished ${dateTime(s.last_run)}</p>
          <table class="compact">
            <caption class="sr-only">What the last real run removed</caption>
            <tbody>
              ${CATEGORIES.map((c) => html`<tr><th scope="row">${c.label}</th><td class="num">${s.last_stats[c.stat]}</td></tr>`)}
              <tr class="total"><th scope="row">Space freed</th><td class="num">${s.last_stats.space_freed_mb} MB</td></tr>
            </tbody>
          </table>`
      : html`<p>No real run yet.</p>`}
  </section>`;
}

function Running({ r }) {
  return html`<section class="card running" aria-labelledby="h-running">
    <h2 id="h-running">Run in progress</h2>
    <p aria-live="polite" data-testid="progress">
      ${r.dry_run ? 'Dry run' : 'Real run'} (${r.trigger}, pid ${r.pid}) started ${dateTime(r.started_at)}:
      ${r.progress.category ?? 'starting'}${r.progress.phase ? `, ${r.progress.phase}` : ''}, ${r.progress.items_so_far} items so far
    </p>
    <progress aria-label="Run in progress"></progress>
  </section>`;
}

function Disk({ d }) {
  if (!d) return html`<section class="card"><h2>Disk</h2><p>Free space unknown.</p></section>`;
  const used = d.total_bytes - d.free_bytes;
  return html`<section class="card" aria-labelledby="h-disk">
    <h2 id="h-disk">Disk</h2>
    <p data-testid="disk-free">${bytes(d.free_bytes)} free of ${bytes(d.total_bytes)}</p>
    <meter min="0" max=${d.total_bytes} value=${used} low=${d.total_bytes * 0.8} high=${d.total_bytes * 0.9} optimum="0"
      aria-label="Disk used">${Math.round((used / d.total_bytes) * 100)}% used</meter>
  </section>`;
}

export function StatusView() {
  const [s, setS] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let timer;
    let alive = true;
    const load = async () => {
      let next = 15_000;
      try {
        const status = (early && (await early)) || (await api('/status'));
        early = null;
        if (!alive) return;
        setS(status);
        setError(null);
        // The first render with data, for the tests' 300 ms budget (performance.getEntriesByName).
        if (!performance.getEntriesByName('cleanup-panel-status').length) requestAnimationFrame(() => performance.mark('cleanup-panel-status'));
        if (status.running) next = 2_000;
      } catch (e) {
        if (alive) setError(e);
      }
      if (alive) timer = setTimeout(load, next);
    };
    load();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, []);
  return html`<h1 tabindex="-1">Status</h1>
    <${ErrorBox} error=${error} />
    ${s
      ? html`<div class="grid">
          ${s.running && html`<${Running} r=${s.running} />`}
          <${Schedule} s=${s} />
          <${LastRun} s=${s} />
          <${Disk} d=${s.disk} />
        </div>`
      : !error && html`<p class="loading">Loading…</p>`}`;
}
