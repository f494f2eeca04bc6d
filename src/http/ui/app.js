/**
 * The panel's shell: navigation between the five views (the URL hash names the view, so the
 * browser's back button and bookmarks work), focus moved to each view's heading, and the token
 * prompt shown when the API answers 401. Views other than Status load on first use.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { setTokenPrompt } from './api.js';
import { html } from './html.js';
import { StatusView } from './views/status.js';

const VIEWS = [
  { id: 'status', label: 'Status' },
  { id: 'space', label: 'Space freed', load: () => import('./views/space.js').then((m) => m.SpaceView) },
  { id: 'runs', label: 'Runs', load: () => import('./views/runs.js').then((m) => m.RunsView) },
  { id: 'preview', label: 'Preview', load: () => import('./views/preview.js').then((m) => m.PreviewView) },
  { id: 'config', label: 'Configuration', load: () => import('./views/config.js').then((m) => m.ConfigView) },
];

/** `#/runs/abc` -> { view: 'runs', arg: 'abc' }. */
function parseHash() {
  const [, view = 'status', ...rest] = location.hash.split('/');
  return { view: VIEWS.some((v) => v.id === view) ? view : 'status', arg: rest.length ? decodeURIComponent(rest.join('/')) : null };
}

function TokenDialog({ wrong, onToken }) {
  const input = useRef(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (e) => {
    e.preventDefault();
    const value = input.current.value.trim();
    if (value) onToken(value);
  };
  return html`<div class="overlay">
    <form class="card token" role="dialog" aria-modal="true" aria-labelledby="token-title" onSubmit=${submit}>
      <h2 id="token-title">API token</h2>
      <p>This service requires its <code>CLEANUP_API_TOKEN</code>. It is kept for this tab only (sessionStorage).</p>
      ${wrong && html`<p class="error" role="alert">That token was refused. Try again.</p>`}
      <label for="token-input">Token</label>
      <input id="token-input" ref=${input} type="password" autocomplete="current-password" required />
      <button type="submit">Continue</button>
    </form>
  </div>`;
}

function App() {
  const [route, setRoute] = useState(parseHash);
  const [views, setViews] = useState({ status: StatusView });
  const [token, setToken] = useState(null);
  const main = useRef(null);
  const shown = useRef(false);

  useEffect(() => {
    const onHash = () => setRoute(parseHash());
    addEventListener('hashchange', onHash);
    setTokenPrompt((wrong) => new Promise((resolve) => setToken({ wrong, resolve })));
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const entry = VIEWS.find((v) => v.id === route.view);
  useEffect(() => {
    if (!views[entry.id]) entry.load().then((View) => setViews((v) => ({ ...v, [entry.id]: View })));
  }, [entry.id]);
  useEffect(() => {
    document.title = `${entry.label} · cleanup-worker`;
    // A new view moves focus to its heading (screen readers announce it); the first page load does not.
    if (!views[entry.id]) return;
    if (shown.current) main.current?.querySelector('h1')?.focus();
    shown.current = true;
  }, [entry.id, views[entry.id]]);

  const View = views[entry.id];
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); main.current?.querySelector('h1')?.focus(); }}>Skip to content</a>
    <header inert=${Boolean(token)}>
      <p class="brand">cleanup-worker</p>
      <nav aria-label="Panel sections">
        <ul>
          ${VIEWS.map((v) => html`<li><a href=${`#/${v.id}`} aria-current=${v.id === route.view ? 'page' : undefined}>${v.label}</a></li>`)}
        </ul>
      </nav>
    </header>
    <main id="main" ref=${main} inert=${Boolean(token)}>
      ${View ? html`<${View} arg=${route.arg} />` : html`<p class="loading">Loading…</p>`}
    </main>
    ${token && html`<${TokenDialog} wrong=${token.wrong} onToken=${(t) => { token.resolve(t); setToken(null); }} />`}
  `;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" line of index.html
render(html`<${App} />`, root);
