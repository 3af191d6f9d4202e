/**
 * Progress of the long commands (import, export, backup, migrate-storage), on stderr so that stdout stays
 * the command's result: a bar on a terminal (cli-progress), and where stderr is not a terminal (cron, a
 * systemd unit, a pipe to a log) a plain line every LETTERBOX_PROGRESS_INTERVAL seconds (default 5) with
 * what is done, the rate and the time left, so a log shows that a long copy advances.
 */
import type { SingleBar } from 'cli-progress';

/** DEFAULT_INTERVAL_S: seconds between two progress lines when stderr is not a terminal. */
export const DEFAULT_INTERVAL_S = 5;

/** ProgressUnit says what the total counts: messages, octets (shown in MiB) or database pages. */
export type ProgressUnit = 'messages' | 'octets' | 'pages';

/** Progress reports how far a command is; update() may be called as often as wanted (it is cheap). */
export interface Progress {
  /** done: units of the total so far; `extra` is shown after it (e.g. "1200 messages", an account). */
  update(done: number, extra?: string): void;
  /** Changes the total (a copy that found more to do). */
  setTotal(total: number): void;
  /** Ends the bar; no line is written after it. */
  stop(): void;
}

/** ProgressOptions: the verb ("importing"), the total in `unit`, and for tests the stream, whether it is a terminal, the clock (ms) and the interval (s). */
export interface ProgressOptions {
  verb: string;
  total: number;
  unit: ProgressUnit;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  now?: () => number;
  intervalS?: number;
}

/**
 * startProgress starts reporting on `opts.stream` (default stderr): a cli-progress bar when it is a
 * terminal, else lines. The interval comes from LETTERBOX_PROGRESS_INTERVAL (seconds; 0 writes a line at
 * every update) unless given. Never throws on output.
 */
export async function startProgress(opts: ProgressOptions): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY) return startBar(opts, stream);
  const fromEnv = Number(process.env.LETTERBOX_PROGRESS_INTERVAL);
  const intervalMs = (opts.intervalS ?? (process.env.LETTERBOX_PROGRESS_INTERVAL && Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv : DEFAULT_INTERVAL_S)) * 1000;
  return lines(opts, stream, intervalMs, opts.now ?? Date.now);
}

async function startBar(opts: ProgressOptions, stream: NodeJS.WritableStream): Promise<Progress> {
  const { default: cliProgress } = await import('cli-progress');
  const bar: SingleBar = new cliProgress.SingleBar(
    { stream: stream as NodeJS.WritableStream & { isTTY: boolean }, format: `${opts.verb} [{bar}] {percentage}% | {shown} | ETA {eta_formatted}`, hideCursor: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(opts.total, 1), 0, { shown: '' });
  let total = opts.total;
  return {
    update: (done, extra) => bar.update(done, { shown: [amount(done, total, opts.unit), extra].filter(Boolean).join(', ') }),
    setTotal: (t) => {
      total = t;
      bar.setTotal(Math.max(t, 1));
    },
    stop: () => bar.stop(),
  };
}

/** lines writes "verb: done of total unit (p%), rate/s, extra, about N s left" at most every intervalMs. */
function lines(opts: ProgressOptions, stream: NodeJS.WritableStream, intervalMs: number, now: () => number): Progress {
  const start = now();
  let last = start;
  let total = opts.total;
  let stopped = false;
  return {
    update(done, extra) {
      const t = now();
      if (stopped || t - last < intervalMs) return;
      last = t;
      const seconds = (t - start) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const left = rate > 0 && total > done ? `, about ${formatDuration((total - done) / rate)} left` : '';
      const percent = total > 0 ? ` (${Math.min(100, Math.floor((done / total) * 100))}%)` : '';
      const parts = [`${opts.verb}: ${amount(done, total, opts.unit)}${percent}`, `${perSecond(rate, opts.unit)}/s`, ...(extra ? [extra] : [])];
      try {
        stream.write(`${parts.join(', ')}${left}\n`);
      } catch {
        // a closed stderr must not stop the work
      }
    },
    setTotal(t) {
      total = t;
    },
    stop() {
      stopped = true;
    },
  };
}

function amount(done: number, total: number, unit: ProgressUnit): string {
  if (unit === 'octets') return `${mib(done)} of ${mib(total)} MiB`;
  return `${done} of ${total} ${unit}`;
}

function perSecond(rate: number, unit: ProgressUnit): string {
  return unit === 'octets' ? `${mib(rate)} MiB` : `${Math.round(rate)} ${unit}`;
}

function mib(octets: number): string {
  return (octets / 1048576).toFixed(1);
}

/** formatDuration renders seconds as "42 s", "3 min 5 s" or "2 h 10 min". */
export function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
