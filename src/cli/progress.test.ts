/** Progress lines when stderr is not a terminal: what they say, and how often. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { formatDuration, startProgress } from './progress.js';

/** sink collects what is written to it; it is not a terminal. */
function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { stream, text: () => out };
}

describe('progress lines when stderr is not a terminal', () => {
  it('writes a line with count, percent, rate and time left at most once per interval', async () => {
    const out = sink();
    let t = 1_000_000;
    const p = await startProgress({ verb: 'exporting', total: 4000, unit: 'messages', stream: out.stream, now: () => t, intervalS: 5 });
    t += 1000;
    p.update(200);
    t += 3999;
    p.update(999, 'Archive');
    assert.equal(out.text(), '', 'nothing before the first interval has passed');
    t += 1;
    p.update(1000, 'Archive');
    t += 2000;
    p.update(1400);
    t += 5000;
    p.update(2000);
    p.stop();
    t += 5000;
    p.update(3000);
    assert.equal(out.text(), 'exporting: 1000 of 4000 messages (25%), 200 messages/s, Archive, about 15 s left\nexporting: 2000 of 4000 messages (50%), 167 messages/s, about 12 s left\n');
  });

  it('shows octets in MiB, and a line at every update with an interval of 0', async () => {
    const out = sink();
    let t = 0;
    const p = await startProgress({ verb: 'importing', total: 64 * 1048576, unit: 'octets', stream: out.stream, now: () => t, intervalS: 0 });
    t = 2000;
    p.update(16 * 1048576, '412 messages');
    t = 4000;
    p.setTotal(32 * 1048576);
    p.update(32 * 1048576, '800 messages');
    assert.equal(
      out.text(),
      'importing: 16.0 of 64.0 MiB (25%), 8.0 MiB/s, 412 messages, about 6 s left\nimporting: 32.0 of 32.0 MiB (100%), 8.0 MiB/s, 800 messages\n',
    );
  });

  it('formats durations', () => {
    assert.deepEqual([formatDuration(0.2), formatDuration(59), formatDuration(185), formatDuration(7800)], ['1 s', '59 s', '3 min 5 s', '2 h 10 min']);
  });
});
