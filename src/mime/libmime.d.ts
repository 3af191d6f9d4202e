/**
 * Type declaration for the part of libmime 5 that Letterbox uses (the package ships no types).
 */
declare module 'libmime' {
  interface Libmime {
    /** decodeWords decodes RFC 2047 encoded-words in `str`, joining adjacent words; never decodes anything else. */
    decodeWords(str: string): string;
  }
  const libmime: Libmime;
  export default libmime;
}
