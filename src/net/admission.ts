/**
 * Admission decides whether a new connection or a new login may go ahead: the total number of open
 * connections, connections per IP address, and logged-in sessions per user and IP address (Dovecot's
 * mail_max_userip_connections). Counts are in memory, per node; each protocol server (IMAP, POP3) keeps
 * its own, with the limits of its config section.
 */

/** AdmissionLimits: the caps Admission enforces (see limits.ts for the defaults and their reasons). */
export interface AdmissionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerUserIp: number;
}

/** Admission counts connections and logins; every successful acquire must be matched by one release. */
export class Admission {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private readonly perUserIp = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * acceptConnection counts a new connection from `ip`, or returns the reason it is refused
   * ('total' or 'ip') without counting it.
   */
  acceptConnection(ip: string): 'ok' | 'total' | 'ip' {
    if (this.total >= this.limits.maxConnections) return 'total';
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.limits.maxConnectionsPerIp) return 'ip';
    this.total++;
    this.perIp.set(ip, n + 1);
    return 'ok';
  }

  /** releaseConnection undoes an accepted acceptConnection. */
  releaseConnection(ip: string): void {
    this.total--;
    decrement(this.perIp, ip);
  }

  /** acceptLogin counts a logged-in session of `accountId` from `ip`; false (not counted) when at the limit. */
  acceptLogin(accountId: number, ip: string): boolean {
    const key = `${accountId} ${ip}`;
    const n = this.perUserIp.get(key) ?? 0;
    if (n >= this.limits.maxConnectionsPerUserIp) return false;
    this.perUserIp.set(key, n + 1);
    return true;
  }

  /** releaseLogin undoes an accepted acceptLogin when the session ends. */
  releaseLogin(accountId: number, ip: string): void {
    decrement(this.perUserIp, `${accountId} ${ip}`);
  }

  /** connections is the number of open connections counted. */
  get connections(): number {
    return this.total;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
