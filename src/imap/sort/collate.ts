/**
 * String comparison for SORT and THREAD: the i;ascii-casemap collation (RFC 4790 section 9.2) that
 * RFC 5256 uses: ASCII lower-case letters map to upper case, then strings compare as UTF-8 octets.
 * Other letters keep their case ("é" and "É" differ), as the collation says; Dovecot folds them too
 * (i;unicode-casemap), so its order differs for non-ASCII case variants only.
 */

/** casemapKey returns `s` with ASCII a-z mapped to A-Z, the form compareOctets orders (i;ascii-casemap). */
export function casemapKey(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

/** lift moves UTF-16 surrogates above U+FFFF, where the code points they encode are. */
function lift(unit: number): number {
  return unit >= 0xd800 && unit < 0xe000 ? unit + 0x2800 : unit;
}

/**
 * compareOctets orders two strings as their UTF-8 octets would (negative, 0, positive). UTF-16 code
 * unit order equals it except that surrogates (U+10000 and up) must sort after U+E000-U+FFFF.
 */
export function compareOctets(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return lift(x) - lift(y);
  }
  return a.length - b.length;
}
