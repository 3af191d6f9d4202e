/**
 * IDLE (RFC 2177; RFC 9051 section 6.3.13): after `+ idling`, changes from other sessions are pushed
 * as they happen (EXISTS, EXPUNGE, FETCH FLAGS) until the client sends DONE.
 */
import type { CommandSpec } from '../command.js';
import { bad } from '../errors.js';

/** IDLE ... DONE. Any line other than DONE ends IDLE with BAD. */
export const idleCommand: CommandSpec<void, 'authenticated' | 'selected'> = {
  name: 'IDLE',
  states: ['authenticated', 'selected'],
  parse: (r) => r.end(),
  async run({ session: s }) {
    s.setIdling(true);
    s.continuation('idling');
    try {
      for (;;) {
        await s.sync(true);
        await s.out.drain();
        if (s.hasPendingLine()) break;
        await s.waitForChange();
      }
      const line = await s.readLine();
      if (line === null) return;
      const text = line.lines[0]!.toString('latin1').trim().toUpperCase();
      if (text !== 'DONE' || line.literals.length > 0) throw bad('Expected DONE to end IDLE');
    } finally {
      s.setIdling(false);
    }
    return 'IDLE terminated';
  },
};
