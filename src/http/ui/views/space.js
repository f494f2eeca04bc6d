/**
 * Space freed over time: bytes freed per category and bucket (GET /stats, summed server-side),
 * drawn with uPlot, and the same numbers as a table (the table is what screen readers use;
 * the chart is hidden from them). uPlot loads with this view, not before.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ErrorBox } from '../api.js';
import { bytes, CATEGORIES } from '../format.js';
import { html } from '../html.js';

const RANGES = {
  hour: [[1, 'Last 24 hours'], [3, 'Last 3 days'], [7, 'Last 7 days']],
  day: [[14, 'Last 14 days'], [30, 'Last 30 days'], [90, 'Last 90 days'], [365, 'Last year']],
  week: [[91, 'Last 13 weeks'], [182, 'Last 26 weeks'], [364, 'Last 52 weeks']],
};
const COLORS = { backups: '#2f6fd6', logs: '#d9822b', tasks: '#2e9e5b', errors: '#c23b4a', prompts: '#8a55c7', temp: '#6b7785' };

/** Y-axis steps that read well in binary units: 1, 2, 5, 10, 20, 50 … of B, KB, MB, GB, TB. */
const BYTE_STEPS = [0, 1, 2, 3, 4].flatMap((k) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** k));

let uPlotLoading = null;
/** Loads uPlot's script and stylesheet once. */
function loadUPlot() {
  uPlotLoading ??= new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = 'vendor/uPlot.min.css';
    document.head.append(css);
    const js = document.createElement('script');
    js.src = 'vendor/uPlot.iife.min.js';
    js.onload = () => resolve(window.uPlot);
    js.onerror = reject;
    document.head.append(js);
  });
  return uPlotLoading;
}

function Chart({ data, bucket }) {
  const box = useRef(null);
  useEffect(() => {
    let plot;
    let observer;
    loadUPlot().then((uPlot) => {
      if (!box.current) return;
      const shown = CATEGORIES.filter((c) => data.totals.by_category[c.name]);
      const xs = data.buckets.map((b) => Date.parse(b.start) / 1000);
      const series = shown.map((c) => data.buckets.map((b) => b.by_category[c.name]?.bytes ?? 0));
      const text = getComputedStyle(box.current).color;
      const grid = 'rgba(128,128,128,0.25)';
      const opts = {
        width: box.current.clientWidth,
        height: 300,
        series: [
          {},
          ...shown.map((c) => ({
            label: c.label,
            stroke: COLORS[c.name],
            fill: `${COLORS[c.name]}22`,
            width: 2,
            points: { show: data.buckets.length <= 60 },
            value: (_u, v) => (v == null ? '–' : bytes(v)),
          })),
        ],
        axes: [
          { stroke: text, grid: { stroke: grid } },
          { stroke: text, grid: { stroke: grid }, size: 80, incrs: BYTE_STEPS, values: (_u, ticks) => ticks.map((t) => bytes(t)) },
        ],
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 1024)] } },
        legend: { live: true },
      };
      plot = new uPlot(opts, [xs, ...series], box.current);
      observer = new ResizeObserver(() => plot.setSize({ width: box.current.clientWidth, height: 300 }));
      observer.observe(box.current);
    });
    return () => {
      observer?.disconnect();
      plot?.destroy();
    };
  }, [data, bucket]);
  return html`<div class="chart" ref=${box} aria-hidden="true" data-testid="chart"></div>`;
}

function Table({ data, bucket }) {
  const shown = CATEGORIES.filter((c) => data.totals.by_category[c.name]);
  const label = (iso) => (bucket === 'hour' ? new Date(iso).toLocaleString() : new Date(iso).toLocaleDateString(undefined, { timeZone: 'UTC' }));
  return html`<div class="scroll" tabindex="0" role="region" aria-labelledby="space-table-caption">
    <table data-testid="space-table">
      <caption id="space-table-caption">Space freed per ${bucket}${bucket === 'hour' ? '' : ' (UTC)'}, by category</caption>
      <thead><tr><th scope="col">${bucket === 'week' ? 'Week of' : bucket === 'day' ? 'Day' : 'Hour'}</th><th scope="col" class="num">Runs</th>
        ${shown.map((c) => html`<th scope="col" class="num">${c.label}</th>`)}<th scope="col" class="num">Total</th></tr></thead>
      <tbody>
        ${data.buckets.slice().reverse().map((b) => html`<tr>
          <th scope="row">${label(b.start)}</th><td class="num">${b.runs}</td>
          ${shown.map((c) => html`<td class="num">${b.by_category[c.name] ? `${bytes(b.by_category[c.name].bytes)} (${b.by_category[c.name].items})` : '–'}</td>`)}
          <td class="num">${bytes(b.bytes)}</td></tr>`)}
      </tbody>
      <tfoot><tr><th scope="row">All</th><td class="num">${data.totals.runs}</td>
        ${shown.map((c) => html`<td class="num">${bytes(data.totals.by_category[c.name].bytes)} (${data.totals.by_category[c.name].items})</td>`)}
        <td class="num">${bytes(data.totals.bytes)}</td></tr></tfoot>
    </table>
  </div>`;
}

export function SpaceView() {
  const [bucket, setBucket] = useState('day');
  const [days, setDays] = useState(30);
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const from = new Date(Date.now() - days * 86_400_000).toISOString();
    api(`/stats?bucket=${bucket}&from=${encodeURIComponent(from)}`).then(
      (d) => { setData(d); setError(null); },
      setError,
    );
  }, [bucket, days]);
  const changeBucket = (b) => {
    setBucket(b);
    setDays(RANGES[b][1]?.[0] ?? RANGES[b][0][0]);
  };
  return html`<h1 tabindex="-1">Space freed over time</h1>
    <form class="controls" onSubmit=${(e) => e.preventDefault()}>
      <label>Per <select value=${bucket} onChange=${(e) => changeBucket(e.currentTarget.value)}>
        <option value="hour">hour</option><option value="day">day</option><option value="week">week</option></select></label>
      <label>Range <select value=${days} onChange=${(e) => setDays(Number(e.currentTarget.value))}>
        ${RANGES[bucket].map(([d, l]) => html`<option value=${d}>${l}</option>`)}</select></label>
    </form>
    <${ErrorBox} error=${error} />
    ${data && html`
      <p data-testid="space-summary">${bytes(data.totals.bytes)} freed by ${data.totals.items} items in ${data.totals.runs} real runs.</p>
      <${Chart} data=${data} bucket=${bucket} />
      <${Table} data=${data} bucket=${bucket} />`}`;
}
