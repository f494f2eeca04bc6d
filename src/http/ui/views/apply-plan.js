/**
 * "Apply this plan": removes exactly a plan's items (POST /plans/<plan_id>/apply), shown under a
 * preview's result and on a plan's run page (a dry run, or a run the brake refused). The server
 * refuses a plan applied already (another tab, a script) or expired; its message is shown as is.
 */
import { useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { statsLine } from '../format.js';
import { html } from '../html.js';

export function ApplyPlan({ planId, count, onApplied }) {
  const [applying, setApplying] = useState(false);
  const [applied, setApplied] = useState(null);
  const [error, setError] = useState(null);
  const apply = async () => {
    setApplying(true);
    setError(null);
    try {
      const res = await api(`/plans/${encodeURIComponent(planId)}/apply`, { method: 'POST', body: {} });
      setApplied(res);
      onApplied?.(res);
    } catch (e) {
      setError(e);
    } finally {
      setApplying(false);
    }
  };
  if (applied) {
    return html`<p class="ok" role="status" data-testid="applied">Applied: ${statsLine(applied.stats)}. See <a href=${`#/runs/${encodeURIComponent(applied.run_id)}`}>the run</a>.</p>`;
  }
  return html`<div>
    ${count > 0 && html`<p><button type="button" class="danger" disabled=${applying} onClick=${apply} data-testid="apply-plan">
      ${applying ? 'Applying…' : `Apply this plan (remove these ${count} items)`}</button></p>`}
    <${ErrorBox} error=${error} />
  </div>`;
}
