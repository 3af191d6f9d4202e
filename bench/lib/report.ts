/**
 * Figures and how they are printed: percentiles, a side-by-side table with the Letterbox/Dovecot ratio of
 * every figure, a JSON line for machines, the machine description, and command-line flags.
 */
import { execSync } from 'node:child_process';
import os from 'node:os';

/** Figure is one measured quantity for each server; `better` says which direction wins (for the ratio's reading). */
export interface Figure {
  name: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Value per server name; null when the server cannot do it (n/a). */
  values: Record<string, number | null>;
  /** Target, as text, e.g. ">= 1.5x Dovecot" (printed only). */
  target?: string;
}

/** PG_SERVER names Letterbox on PostgreSQL among a figure's servers. */
export const PG_SERVER = 'letterbox-postgres';

/** percentile returns the p-th percentile (0..100) of sorted `xs` (nearest rank), or NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** machine describes where the figures were taken: date (UTC), cores, memory, CPU model, load average. */
export function machine(): Record<string, string | number> {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  let sqlite = '';
  try {
    sqlite = execSync(`"${process.execPath}" -e "console.log(require('better-sqlite3')(':memory:').prepare('select sqlite_version() v').get().v)"`, { encoding: 'utf8' }).trim();
  } catch {
    sqlite = 'unknown';
  }
  return {
    date: new Date().toISOString(),
    nproc: os.cpus().length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    cpu,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    node: process.version,
    sqlite,
  };
}

function fmt(v: number | null): string {
  if (v === null || Number.isNaN(v)) return 'n/a';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** ratio is Letterbox / Dovecot (`server` Letterbox on SQLite by default), or null when either is missing. */
export function ratio(f: Figure, server = 'letterbox'): number | null {
  const a = f.values[server];
  const b = f.values.dovecot;
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

/** printReport prints the table (servers side by side, ratio, target) and then one JSON line `{"bench":...}`. */
export function printReport(bench: string, params: Record<string, unknown>, figures: Figure[], notes: string[] = []): void {
  const servers = [...new Set(figures.flatMap((f) => Object.keys(f.values)))];
  // Letterbox on PostgreSQL, where a benchmark runs it, gets its own ratio column.
  const pg = servers.includes(PG_SERVER);
  const head = ['figure', 'unit', ...servers, 'LB/DC', ...(pg ? ['LB-PG/DC'] : []), 'better', 'target'];
  const rows = figures.map((f) => [
    f.name,
    f.unit,
    ...servers.map((s) => fmt(f.values[s] ?? null)),
    fmt(ratio(f)),
    ...(pg ? [fmt(ratio(f, PG_SERVER))] : []),
    f.better,
    f.target ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(`\n## ${bench} ${JSON.stringify(params)}`);
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
  for (const n of notes) console.log(`note: ${n}`);
  const withRatios = figures.map((f) => ({ ...f, ratio: ratio(f), ...(pg ? { ratioPostgres: ratio(f, PG_SERVER) } : {}) }));
  console.log(JSON.stringify({ bench, params, machine: machine(), figures: withRatios, notes }));
}

/** flags parses `--name value` and `--flag` pairs from argv into a map. */
export function flags(argv = process.argv.slice(2)): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out.set(a.slice(2), next);
      i++;
    } else out.set(a.slice(2), 'true');
  }
  return out;
}

/** numFlag reads a numeric flag, or `dflt`. */
export function numFlag(f: Map<string, string>, name: string, dflt: number): number {
  const v = f.get(name);
  return v === undefined ? dflt : Number(v);
}

/**
 * serversFlag reads --servers: the servers to run, among those the benchmark knows (`known`, also the
 * default). A name it does not know is left out with a line on stderr, never taken for another server, so
 * `npm run bench -- --servers letterbox,letterbox-postgres` runs each benchmark on what it supports.
 */
export function serversFlag(f: Map<string, string>, known: string[]): string[] {
  const asked = listFlag(f, 'servers', known);
  const unknown = asked.filter((s) => !known.includes(s));
  if (unknown.length > 0) console.error(`note: this benchmark does not run ${unknown.join(', ')} (it runs ${known.join(', ')})`);
  return asked.filter((s) => known.includes(s));
}

/** listFlag reads a comma-separated flag, or `dflt`. */
export function listFlag(f: Map<string, string>, name: string, dflt: string[]): string[] {
  const v = f.get(name);
  return v === undefined ? dflt : v.split(',').filter(Boolean);
}

/** now returns a monotonic time in ms. */
export function now(): number {
  return performance.now();
}
