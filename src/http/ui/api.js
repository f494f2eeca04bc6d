/**
 * The panel's one way to the API: JSON in and out, the bearer token from sessionStorage.
 * A 401 asks for the token once (one prompt shared by every waiting request), keeps it for the
 * tab's session and retries; an error answer becomes an ApiError carrying the server's message.
 */
import { html } from './html.js';

const KEY = 'cleanup-worker-token';
export const API = '/api/system/cleanup';

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let prompt = null;
let pending = null;

/** Installs the function that asks the person for the token: (wrongBefore: boolean) => Promise<string>. */
export function setTokenPrompt(fn) {
  prompt = fn;
}

function askToken(wrong) {
  pending ??= prompt(wrong).finally(() => {
    pending = null;
  });
  return pending;
}

/** Calls `API + path`; resolves with the JSON answer, rejects with ApiError. `prompt: false`: a 401 is an error, not a question. */
export async function api(path, { method = 'GET', body, prompt: mayAsk = true } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { accept: 'application/json' };
    const token = sessionStorage.getItem(KEY);
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && prompt && mayAsk && attempt < 5) {
      if (sessionStorage.getItem(KEY) === token) sessionStorage.removeItem(KEY);
      sessionStorage.setItem(KEY, await askToken(Boolean(token)));
      continue;
    }
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, data?.error?.message ?? `${res.status} ${res.statusText}`, data?.error?.code);
    return data;
  }
}

/** A message box for a failed call (role=alert, so a screen reader reads it). */
export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message ?? String(error)}</p>`;
}
