/**
 * Fuzzed API input (SPEC 3 rule 9) through buildApp + inject against the real engine and a real
 * fixture root. Oracle for every case: the body's JSON text is parsed with JSON.parse and checked
 * with TypeBox against the very schema the route declares; a 200 must be a valid body, a refused
 * body must be a 400 (413 oversize, 415 media type) naming the field, nothing is ever a 5xx, and
 * the fixture is byte-for-byte unchanged unless a valid `"dry_run": false` body was answered 200.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CleanupBodySchema } from '../../src/http/schemas/cleanup.js';
import { buildSmallFixture } from './helpers.js';
import { type HttpFixture, makeHttpFixture } from '../helpers/http-app.js';
import { makeTempDir } from '../helpers/temp-root.js';
import { CLEANUP, fingerprint, OWN_STATE } from './helpers.js';

const SEED = 20_260_207;
/** CLEANUP_SOAK=1 runs ten times as many generated cases. */
const SCALE = process.env.CLEANUP_SOAK === '1' ? 10 : 1;
const FIELDS = ['dry_run', 'backup_retention', 'log_age_days', 'task_age_days', 'error_age_days', 'prompt_age_days', 'temp_age_hours', 'categories'];
const RAW_NUMBERS = ['0', '-1', '1', '1.5', '-0', '1.0', '1e2', '1E4', '10000', '10001', '240000', '240001', '9007199254740992', '9007199254740993', '1e309', '-1e309', '2.5e-324', '0.99999999999999999', '1e-7', '01', '+1', '0x10', 'NaN', 'Infinity', '.5', '5.'];

/** Counts for docs/RELIABILITY.md (printed at the end). */
const tally = { cases: 0, byStatus: new Map<number, number>(), realRuns: 0, ms: 0 };

interface Case {
  payload: string | Buffer;
  contentType?: string;
  /** The value the payload means, when it is JSON (undefined: not JSON / empty). */
}

let fixture: HttpFixture;
let pristine: string;
let before: string[];

function restoreFixture(): void {
  for (const name of readdirSync(fixture.root)) if (name !== '.cleanup') rmSync(path.join(fixture.root, name), { recursive: true, force: true });
  cpSync(pristine, fixture.root, { recursive: true, preserveTimestamps: true });
}

/** A fresh app over a fresh copy of the fixture (the helpers close both after each test). */
function setup(): void {
  fixture = makeHttpFixture({ root: makeTempDir('cw-fuzz-root-') });
  restoreFixture();
  before = fingerprint(fixture.root, OWN_STATE);
}

beforeAll(() => {
  // Not makeTempDir: that one is removed after every test, and this copy serves them all.
  pristine = mkdtempSync(path.join(os.tmpdir(), 'cw-fuzz-pristine-'));
  buildSmallFixture(pristine, Date.now());
});

afterAll(() => {
  rmSync(pristine, { recursive: true, force: true });
  const statuses = [...tally.byStatus.entries()].sort().map(([s, n]) => `${s}:${n}`).join(' ');
  // One line for the reliability report.
  console.info(`[reliability] API fuzz: ${tally.cases} requests (${statuses}), ${tally.realRuns} valid real runs, ${tally.ms} ms`);
});

/** Sends one case and checks every guarantee; returns the status. */
async function check(c: Case): Promise<number> {
  const headers: Record<string, string> = {};
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  const res = await fixture.app.inject({ method: 'POST', url: CLEANUP, headers, payload: c.payload });
  tally.cases++;
  tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
  // Like Fastify's JSON parser, the oracle ignores a leading byte order mark (RFC 8259 allows it).
  const text = (Buffer.isBuffer(c.payload) ? c.payload.toString('utf8') : c.payload).replace(/^\uFEFF/, '');
  const isJsonType = c.contentType !== undefined && /^application\/json\s*(;|$)/i.test(c.contentType);
  let parsed: { ok: true; value: unknown } | { ok: false } = { ok: false };
  if (text.trim() === '') parsed = { ok: true, value: {} };
  else {
    try {
      parsed = { ok: true, value: JSON.parse(text) };
    } catch {
      parsed = { ok: false };
    }
  }
  const valid = parsed.ok && Value.Check(CleanupBodySchema, parsed.value);
  const body = res.json() as Record<string, unknown>;
  const describe = `${res.statusCode} for ${c.contentType ?? '(no type)'} ${JSON.stringify(text.slice(0, 200))}: ${res.body.slice(0, 300)}`;

  expect(res.statusCode, describe).toBeLessThan(500);
  if (res.statusCode === 200) {
    expect(valid, `accepted an invalid body: ${describe}`).toBe(true);
    expect(body.success !== undefined && body.run_id, describe).toBeTruthy();
  } else {
    expect([400, 413, 415], describe).toContain(res.statusCode);
    expect(body, describe).toEqual({ success: false, error: { code: expect.stringMatching(/^ERR_CLEANUP_/), message: expect.any(String) } });
    expect(res.body, 'no stack trace leaks').not.toMatch(/at .*\.(js|ts):\d+/);
    // `__proto__` and `constructor.prototype` keys are refused on purpose (prototype poisoning), anywhere.
    const poisoned = /"(__proto__|constructor)"\s*:/.test(text);
    if (res.statusCode === 400 && isJsonType && !poisoned) expect(valid, `refused a valid body: ${describe}`).toBe(false);
    if (res.statusCode === 400 && parsed.ok) expectNamesTheField(parsed.value, String((body.error as { message: string }).message), describe);
  }
  const real = res.statusCode === 200 && body.dry_run === false;
  if (real) {
    expect(valid && (parsed as { value: { dry_run?: unknown } }).value.dry_run === false, describe).toBe(true);
    tally.realRuns++;
    restoreFixture();
    before = fingerprint(fixture.root, OWN_STATE);
  } else {
    expect(fingerprint(fixture.root, OWN_STATE), `fixture changed: ${describe}`).toEqual(before);
  }
  return res.statusCode;
}

/** A refused JSON value's message names the field at fault (or says the body is not an object). */
function expectNamesTheField(value: unknown, message: string, describe: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    expect(message, describe).toMatch(/body must be a JSON object|body is not valid JSON/);
    return;
  }
  if (Object.hasOwn(value, '__proto__') || Object.hasOwn(value, 'constructor')) {
    expect(message, describe).toMatch(/^body/);
    return;
  }
  // Every key that is wrong on its own; the message must name one of them.
  const culprits = Object.entries(value).filter(([k, v]) => !Value.Check(CleanupBodySchema, { [k]: v })).map(([k]) => k);
  if (culprits.length === 0) return; // only the combination is wrong (never, with this schema)
  expect(culprits.some((k) => message.includes(k)), `message does not name any of ${culprits.join(', ')}: ${describe}`).toBe(true);
}

const JSON_TYPE = 'application/json';
const REAL_ERRORS = '{"dry_run": false, "categories": ["errors"]}';
const boundary = fc.oneof(
  fc.constantFrom(0, -1, 1, 1.5, -0.5, 2 ** 53, -(2 ** 53), 2 ** 31, 10_000, 10_001, 240_000, 240_001, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.constantFrom(true, false, null, '', 'false', 'true', '0', '1', [], {}, ['logs'], ['logs', 'logs'], ['bogus'], { prod: 0 }, { prod: 1 }, { default: -1 }, { '': 1 }, { 'a/b': 1 }),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
);
const fieldValue = fc.oneof({ weight: 3, arbitrary: boundary }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
const realFieldObject = fc.record(
  {
    dry_run: fc.oneof(fc.constant(true), fieldValue),
    backup_retention: fc.oneof(fc.integer({ min: -2, max: 12 }), fc.dictionary(fc.constantFrom('prod', 'qa', 'default', 'x', '', 'a/b', '\u0000'), fc.oneof(fc.integer({ min: -1, max: 3 }), fieldValue), { maxKeys: 3 }), fieldValue),
    log_age_days: fieldValue,
    task_age_days: fieldValue,
    error_age_days: fieldValue,
    prompt_age_days: fieldValue,
    temp_age_hours: fieldValue,
    categories: fc.oneof(fc.array(fc.constantFrom('backups', 'logs', 'tasks', 'errors', 'prompts', 'temp', 'bogus', 'LOGS'), { maxLength: 7 }), fieldValue),
    extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 1 }),
  },
  { requiredKeys: [] },
).map(({ extra, ...o }) => ({ ...o, ...(extra ?? {}) }));

describe('fuzzed POST /api/system/cleanup bodies', () => {
  beforeEach(setup);

  it('random JSON values: never a 5xx, refused unless valid, nothing changed', { timeout: 60_000 * SCALE }, async () => {
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
        await check({ payload: JSON.stringify(v) ?? 'null', contentType: JSON_TYPE });
      }),
      { seed: SEED, numRuns: 150 * SCALE },
    );
    tally.ms += Date.now() - t0;
  });

  it('objects of the real field names with wrong types and boundary values: 400 naming the field', { timeout: 60_000 * SCALE }, async () => {
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(realFieldObject, async (o) => {
        await check({ payload: JSON.stringify(o), contentType: JSON_TYPE });
      }),
      { seed: SEED, numRuns: 1500 * SCALE },
    );
    tally.ms += Date.now() - t0;
  });

  it('raw number spellings JSON.stringify cannot produce (1e309, -0, 1.0, 0x10…) in every numeric field', async () => {
    const t0 = Date.now();
    // Every numeric field in the soak; the default run covers the three distinct schemas (day count, hour count, retention).
    const numeric = FIELDS.filter((f) => f !== 'dry_run' && f !== 'categories' && (SCALE > 1 || ['log_age_days', 'temp_age_hours', 'backup_retention'].includes(f)));
    for (const field of numeric) {
      for (const raw of RAW_NUMBERS) {
        // One quick category keeps each accepted case short; validation does not depend on it.
        await check({ payload: `{"dry_run": false, "categories": ["errors"], "${field}": ${raw}}`, contentType: JSON_TYPE });
        if (field === 'backup_retention') await check({ payload: `{"dry_run": false, "categories": ["errors"], "backup_retention": {"prod": ${raw}}}`, contentType: JSON_TYPE });
      }
    }
    tally.ms += Date.now() - t0;
  });

  it('truncated JSON, random bytes, huge strings, deep nesting and oversize bodies', { timeout: 60_000 * SCALE }, async () => {
    const t0 = Date.now();
    const real = '{"dry_run": false, "backup_retention": {"prod": 1, "qa": 1}, "log_age_days": 1, "categories": ["logs", "tasks"]}';
    // Every prefix of a valid real-run body: none of them may delete anything.
    for (let i = 0; i < real.length; i++) await check({ payload: real.slice(0, i), contentType: JSON_TYPE });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((b) => Buffer.from(b).toString('utf8').trim() !== ''), async (bytes) => {
        await check({ payload: Buffer.from(bytes), contentType: JSON_TYPE });
      }),
      { seed: SEED, numRuns: 250 * SCALE },
    );
    const deep = (n: number, open: string, close: string, leaf = '1') => open.repeat(n) + leaf + close.repeat(n);
    const bodies = [
      `{"log_age_days": ${deep(5000, '[', ']')}}`,
      `{"backup_retention": ${deep(3000, '{"a":', '}')}}`,
      deep(8000, '[', ']'),
      `{"dry_run": false, "categories": ["${'x'.repeat(16_000)}"]}`,
      `{"dry_run": false, "${'k'.repeat(16_000)}": 1}`,
      `{"dry_run": false, "backup_retention": {"${'p'.repeat(200)}": 1}}`,
      `{"dry_run": false, "backup_retention": {${Array.from({ length: 300 }, (_, i) => `"e${i}": 1`).join(',')}}}`,
      `{"dry_run": false, "log_age_days": 1, "log_age_days": "x"}`,
      `{"dry_run": "false", "dry_run": false}`,
      `\uFEFF{"dry_run": false}`,
      `{"dry_run": false}garbage`,
      `{"dry_run": false} {"dry_run": false}`,
      `{"dry_run": false, "constructor": {"prototype": {"x": 1}}}`,
      `{"dry_run": false, "__proto__": {"dry_run": false}}`,
      `{"dry_run": false, "backup_retention": {"__proto__": 1}}`,
      `{"dry_run": false, "backup_retention": {"toString": 1, "hasOwnProperty": 1}}`,
      `{"dry_run": fal`,
      '{"dry_run": false, "log_age_days": 1e309}',
      `{"dry_run": false, "pad": "${'x'.repeat(17_000)}"}`,
      'x'.repeat(1_000_000),
    ];
    for (const b of bodies) await check({ payload: b, contentType: JSON_TYPE });
    tally.ms += Date.now() - t0;
  });

  it('wrong and odd content types never run a real cleanup they should not', async () => {
    const t0 = Date.now();
    const types = [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json-patch+json',
      'application/jsonx',
      'application/xml',
      '',
      ' ',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json;',
      'APPLICATION/JSON',
      'Application/Json; Charset=UTF-8',
      'application/*',
      '*/*',
      'application/json, text/plain',
    ];
    for (const type of types) {
      for (const payload of [REAL_ERRORS, '{"dry_run": true, "categories": ["errors"]}', '', 'dry_run=false']) await check({ payload, contentType: type });
    }
    for (const payload of [REAL_ERRORS, '']) await check({ payload }); // no content type at all
    tally.ms += Date.now() - t0;
  });
});
