/**
 * "Restore from the trash": puts back what a real run moved into the trash (POST
 * /runs/<run_id>/restore), shown on the page of a run that trashed something. Nothing is ever
 * overwritten: a file or row that exists again stays in the trash and the server says so (the
 * restore run's errors), which is shown as is.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { html } from '../html.js';

export function RestoreTrash({ runId, mb }) {
  const [trashed, setTrashed] = useState(0);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const [error, setError] = useState(null);
  // Shown only for a run that trashed something (its size may round to 0.00 MB).
  useEffect(() => {
    api(`/runs/${encodeURIComponent(runId)}?action=trash&items_limit=1`).then((d) => setTrashed(d.items_total), () => setTrashed(0));
  }, [runId]);
  const restore = async () => {
    setBusy(true);
    setError(null);
    try {
      setDone(await api(`/runs/${encodeURIComponent(runId)}/restore`, { method: 'POST', body: {} }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    const back = done.items_total;
    const kept = done.errors.length;
    return html`<p class=${kept ? 'error' : 'ok'} role="status" data-testid="restored">
      Restored ${back} item${back === 1 ? '' : 's'}${kept ? `; ${kept} left in the trash (something exists there again)` : ''}.
      See <a href=${`#/runs/${encodeURIComponent(done.run_id)}`}>the restore run</a>.</p>`;
  }
  if (trashed === 0) return null;
  return html`<section aria-labelledby="h-trash"><h2 id="h-trash">Trash</h2>
    <p>This run moved ${trashed} item${trashed === 1 ? '' : 's'} (${mb} MB) into the trash. Restoring puts every item back where it was; nothing that exists there again is overwritten.</p>
    <p><button type="button" disabled=${busy} onClick=${restore} data-testid="restore-trash">${busy ? 'Restoring…' : 'Restore from the trash'}</button></p>
    <${ErrorBox} error=${error} />
  </section>`;
}
