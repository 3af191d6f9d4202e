/**
 * redactUrl, apart from db.ts so that naming a database in a message does not load the PostgreSQL driver.
 */

/** redactUrl is `url` without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}
