/**
 * parseSize reads a storage size as people write it: a whole number of octets ("1048576") or a number with a
 * binary unit K, M, G or T (optionally followed by "B" or "iB", case-insensitive: "500M", "10G", "1.5GiB"),
 * each unit 1024 times the last, as Dovecot's quota settings read them. Returns octets, rounded down.
 * Throws Error with a one-line reason for anything else.
 */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new Error(`expected a size such as 500M, 10G or a number of octets, got ${JSON.stringify(text)}`);
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  const octets = Math.floor(Number(m[1]) * 1024 ** power);
  if (!Number.isSafeInteger(octets)) throw new Error(`size ${JSON.stringify(text)} is too large`);
  return octets;
}

/** formatSize renders octets for people: the largest binary unit that keeps the number >= 1, one decimal, e.g. "1.5G", "512K", "300B". */
export function formatSize(octets: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = octets;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = i === 0 ? String(v) : v.toFixed(1).replace(/\.0$/, '');
  return `${text}${units[i]}`;
}
