/**
 * StructureCache keeps parsed body structures (MimePart) of the bodies read last, by "account/body", up to
 * STRUCTURE_CACHE_OCTETS of their stored JSON text: a body never changes and its id is never given to
 * another (ids only grow per account, accounts' too), so an entry is never stale. Clients fetch the same
 * messages' structures, headers and sections again and again (each FETCH of a section needs the structure
 * to find it); with the structure kept, such a FETCH reads only the messages rows.
 */
import { LRUCache } from 'lru-cache';
import { STRUCTURE_CACHE_OCTETS } from '../limits.js';
import type { MimePart } from '../mime/types.js';

/** StructureCache: see the module doc. The structures it hands out are shared: callers must not change them. */
export class StructureCache {
  private readonly parts = new LRUCache<string, MimePart>({ maxSize: STRUCTURE_CACHE_OCTETS });

  /** get returns the kept structure of body `bodyId` of the account, or undefined. */
  get(accountId: number, bodyId: number): MimePart | undefined {
    return this.parts.get(`${accountId}/${bodyId}`);
  }

  /** keep parses `json` (the body's stored structure), keeps it, and returns it. Throws SyntaxError for text that is not JSON. */
  keep(accountId: number, bodyId: number, json: string): MimePart {
    const part = JSON.parse(json) as MimePart;
    this.parts.set(`${accountId}/${bodyId}`, part, { size: Math.max(1, json.length) });
    return part;
  }
}
