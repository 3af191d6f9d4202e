/**
 * Variables (RFC 5229): "${name}" expansion in strings, the modifiers of "set", and the flag lists of
 * imap4flags (RFC 5232 section 3), which are space-separated strings kept in variables.
 */

/** VariableLookup answers a variable reference: a name (lower-case; "1" for a match variable), or null when the name is not valid. */
export type VariableLookup = (name: string) => string;

const REFERENCE = /\$\{([^{}]*)\}/g;
const NAME = /^(?:[0-9]+|[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)$/i;

/**
 * expandVariables replaces each well-formed "${name}" in `s` with its value (RFC 5229 section 3: names are
 * case-insensitive; unknown variables are ""; malformed references such as "${}" or "${a b}" stay as written).
 */
export function expandVariables(s: string, lookup: VariableLookup): string {
  if (!s.includes('${')) return s;
  return s.replace(REFERENCE, (whole, name: string) => (NAME.test(name) ? lookup(name.toLowerCase()) : whole));
}

/** applyModifiers applies set's modifiers in precedence order (RFC 5229 section 4.1): case, first-letter case, :quotewildcard, :length. */
export function applyModifiers(value: string, mods: ReadonlySet<string>): string {
  let v = value;
  if (mods.has('lower')) v = v.toLowerCase();
  if (mods.has('upper')) v = v.toUpperCase();
  if (mods.has('lowerfirst')) v = v.charAt(0).toLowerCase() + v.slice(1);
  if (mods.has('upperfirst')) v = v.charAt(0).toUpperCase() + v.slice(1);
  if (mods.has('quotewildcard')) v = v.replace(/[*?\\]/g, (c) => `\\${c}`);
  if (mods.has('length')) v = String(Array.from(v).length);
  return v;
}

/** parseFlags splits flag strings at spaces and drops repeats, compared case-insensitively (RFC 5232 section 3). */
export function parseFlags(list: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of list) {
    for (const f of s.split(' ')) {
      if (f === '' || seen.has(f.toLowerCase())) continue;
      seen.add(f.toLowerCase());
      out.push(f);
    }
  }
  return out;
}

/** addFlags is addflag (RFC 5232 section 3.2): `current` plus `more`, without repeats. */
export function addFlags(current: readonly string[], more: readonly string[]): string[] {
  return parseFlags([...current, ...more]);
}

/** removeFlags is removeflag (RFC 5232 section 3.3): `current` without any of `gone` (case-insensitive). */
export function removeFlags(current: readonly string[], gone: readonly string[]): string[] {
  const drop = new Set(parseFlags(gone).map((f) => f.toLowerCase()));
  return current.filter((f) => !drop.has(f.toLowerCase()));
}
