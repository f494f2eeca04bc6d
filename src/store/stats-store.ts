/**
 * Space freed over time: items and bytes per category, per hour, day or week, summed in SQL
 * over the runs of a time range (index `runs_started`) joined to their per-category totals
 * (`run_category_totals`). Months of hourly runs are a few thousand rows: one range scan.
 */
import type Database from 'better-sqlite3';
import type { Trigger } from '../domain/types.js';

export type Bucket = 'hour' | 'day' | 'week';

export interface StatsQuery {
  bucket: Bucket;
  /** Inclusive start and exclusive end, ISO-8601 UTC (`toISOString()` form). */
  from: string;
  to: string;
  trigger?: Trigger;
  /** Dry runs instead of real ones (default: real runs only). */
  dryRun?: boolean;
}

export interface CategoryAmount {
  items: number;
  bytes: number;
}

export interface StatsBucket {
  /** The bucket's first instant (UTC; weeks start on Monday). */
  start: string;
  runs: number;
  items: number;
  bytes: number;
  by_category: Record<string, CategoryAmount>;
}

export interface SpaceFreed {
  buckets: StatsBucket[];
  totals: Omit<StatsBucket, 'start'>;
}

/** The SQL expression of each bucket's start, from `started_at` (always `YYYY-MM-DDTHH:MM:SS.sssZ`). */
const BUCKET_SQL: Record<Bucket, string> = {
  hour: "substr(r.started_at, 1, 13) || ':00:00.000Z'",
  day: "substr(r.started_at, 1, 10) || 'T00:00:00.000Z'",
  week: "date(substr(r.started_at, 1, 10), '-6 days', 'weekday 1') || 'T00:00:00.000Z'",
};

// A refused run's items are its plan, never removed: not space freed.
const RANGE = `r.dry_run = @dry AND r.started_at >= @from AND r.started_at < @to AND r.status NOT IN ('running', 'refused')
  AND (@trigger IS NULL OR r.trigger = @trigger)`;

export interface StatsStore {
  /** Every bucket from `from` to `to` (empty ones included, so a chart shows the gaps as zero). */
  spaceFreed(q: StatsQuery): SpaceFreed;
}

/** Prepares the aggregate queries on the state database `db`. */
export function createStatsStore(db: Database.Database): StatsStore {
  const queries = new Map<Bucket, { runs: Database.Statement; amounts: Database.Statement }>();
  for (const b of Object.keys(BUCKET_SQL) as Bucket[]) {
    queries.set(b, {
      runs: db.prepare(`SELECT ${BUCKET_SQL[b]} AS bucket, count(*) AS runs FROM runs r WHERE ${RANGE} GROUP BY bucket`),
      amounts: db.prepare(
        `SELECT ${BUCKET_SQL[b]} AS bucket, t.category AS category, sum(t.items) AS items, sum(t.bytes) AS bytes
           FROM runs r JOIN run_category_totals t ON t.run_id = r.run_id WHERE ${RANGE} GROUP BY bucket, t.category`,
      ),
    });
  }
  return {
    spaceFreed(q) {
      const stmts = queries.get(q.bucket);
      if (!stmts) throw new Error(`unknown bucket ${q.bucket}`);
      const params = { dry: q.dryRun ? 1 : 0, from: q.from, to: q.to, trigger: q.trigger ?? null };
      const byStart = new Map<string, StatsBucket>();
      for (const start of bucketStarts(q.bucket, q.from, q.to)) byStart.set(start, emptyBucket(start));
      const at = (start: string) => byStart.get(start) ?? byStart.set(start, emptyBucket(start)).get(start)!;
      for (const row of stmts.runs.all(params) as { bucket: string; runs: number }[]) at(row.bucket).runs = row.runs;
      for (const row of stmts.amounts.all(params) as { bucket: string; category: string; items: number; bytes: number }[]) {
        const b = at(row.bucket);
        b.by_category[row.category] = { items: row.items, bytes: row.bytes };
        b.items += row.items;
        b.bytes += row.bytes;
      }
      const buckets = [...byStart.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
      return { buckets, totals: sumBuckets(buckets) };
    },
  };
}

function emptyBucket(start: string): StatsBucket {
  return { start, runs: 0, items: 0, bytes: 0, by_category: {} };
}

function sumBuckets(buckets: readonly StatsBucket[]): SpaceFreed['totals'] {
  const t: SpaceFreed['totals'] = { runs: 0, items: 0, bytes: 0, by_category: {} };
  for (const b of buckets) {
    t.runs += b.runs;
    t.items += b.items;
    t.bytes += b.bytes;
    for (const [c, a] of Object.entries(b.by_category)) {
      const s = (t.by_category[c] ??= { items: 0, bytes: 0 });
      s.items += a.items;
      s.bytes += a.bytes;
    }
  }
  return t;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The first instant of the bucket holding `ms` (UTC; weeks start on Monday, like SQLite's `weekday 1`). */
export function bucketStart(bucket: Bucket, ms: number): number {
  if (bucket === 'hour') return Math.floor(ms / HOUR_MS) * HOUR_MS;
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  if (bucket === 'day') return day;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return day - weekday * DAY_MS;
}

/** Every bucket start from the one holding `from` up to (not including) `to`. */
export function bucketStarts(bucket: Bucket, from: string, to: string): string[] {
  const step = bucket === 'hour' ? HOUR_MS : bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const end = Date.parse(to);
  const out: string[] = [];
  for (let t = bucketStart(bucket, Date.parse(from)); t < end; t += step) out.push(new Date(t).toISOString());
  return out;
}
