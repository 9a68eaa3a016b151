import { hostname, userInfo } from 'node:os';

/**
 * Who is running this, as the ledger records it next to the database role: the OS account and
 * host. The role itself is added by the server (`current_user`), so it cannot be claimed.
 *
 * @example
 * actor() // 'ops@bastion'
 */
export function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry, as in some containers */
  }
  return `${user}@${hostname()}`;
}
