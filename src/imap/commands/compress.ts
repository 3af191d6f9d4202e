/**
 * COMPRESS (RFC 4978): turns on DEFLATE (RFC 1951, raw, no zlib header) for both directions of the
 * connection, starting right after the CRLF of the tagged OK.
 */
import type { CommandSpec } from '../command.js';
import { no } from '../errors.js';

/**
 * compressCommand: `COMPRESS DEFLATE`. An unknown algorithm is a NO; a second COMPRESS is
 * NO [COMPRESSIONACTIVE] (RFC 4978 section 3). The switch happens after the tagged OK was written.
 */
export const compressCommand: CommandSpec<string, 'authenticated' | 'selected'> = {
  name: 'COMPRESS',
  states: ['authenticated', 'selected'],
  parse(r) {
    r.space();
    const algorithm = r.atom().toUpperCase();
    r.end();
    return algorithm;
  },
  async run({ session: s }, algorithm) {
    if (s.compressed) throw no('DEFLATE active', 'COMPRESSIONACTIVE');
    if (algorithm !== 'DEFLATE') throw no(`Unknown compression algorithm ${algorithm}`);
    s.afterTagged(() => s.startCompression());
    return 'DEFLATE active';
  },
};
