/**
 * StoredRecord: a MessageRecord as both backends read it, with the body structure and envelope kept as the
 * stored JSON text and parsed on first use (FETCH FLAGS or dates never parse them; FETCH ENVELOPE never
 * parses the structure), or with the structure parsed already (the store's StructureCache). A part
 * getMessages was told not to read (RecordParts) throws when used.
 */
import type { Envelope, MimePart } from '../mime/types.js';
import type { MessageRecord } from './types.js';

export class StoredRecord implements MessageRecord {
  private structureValue: MimePart | undefined;
  private envelopeValue: Envelope | undefined;

  /**
   * @param modseqValue the message's modseq, or null when it and the flags were not read
   * @param flagsValue the message's flags, or null when they were not read
   * @param structureJson the stored body structure (JSON of MimePart, or parsed already), or null when it was not read
   * @param envelopeJson the stored envelope (JSON of Envelope), or null when it was not read
   * @param envelopeText the stored ENVELOPE text, or null when none is stored or it was not read
   */
  constructor(
    readonly uid: number,
    private readonly modseqValue: number | null,
    private readonly flagsValue: string[] | null,
    readonly internalDate: number,
    readonly size: number,
    readonly saveDate: number,
    readonly bodyId: number,
    readonly sentDate: number | null,
    private readonly structureJson: string | MimePart | null,
    private readonly envelopeJson: string | null,
    readonly envelopeText: string | null = null,
  ) {}

  get modseq(): number {
    if (this.modseqValue === null) throw new Error(`the modseq of UID ${this.uid} was not loaded`);
    return this.modseqValue;
  }

  get flags(): string[] {
    if (this.flagsValue === null) throw new Error(`the flags of UID ${this.uid} were not loaded`);
    return this.flagsValue;
  }

  get structure(): MimePart {
    if (this.structureValue === undefined) {
      if (this.structureJson === null) throw new Error(`the body structure of UID ${this.uid} was not loaded`);
      this.structureValue = typeof this.structureJson === 'string' ? (JSON.parse(this.structureJson) as MimePart) : this.structureJson;
    }
    return this.structureValue;
  }

  get envelope(): Envelope {
    if (this.envelopeValue === undefined) {
      if (this.envelopeJson === null) throw new Error(`the envelope of UID ${this.uid} was not loaded`);
      this.envelopeValue = JSON.parse(this.envelopeJson) as Envelope;
    }
    return this.envelopeValue;
  }
}
