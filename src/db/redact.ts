/**
 * Secrets rasdb learns (a password from a URL or PGPASSWORD) are registered here. rasdb builds its
 * own labels and messages without them (connection-options.ts labels name host, port, database and
 * user only), so nothing rasdb writes itself is rewritten. What is left is text rasdb did not
 * write: a server's or a driver's message. `redactServerText` is the last net over such text only,
 * never over JSON, numbers or rasdb's own words: a password `1` must not turn 127.0.0.1 into
 * ***27.0.0.***, nor a password `true` break a JSON document.
 *
 * The rule for registered secrets: only those of MIN_SECRET_LENGTH or more characters, and only
 * where one stands as a whole token (no letter or digit right before or after it). A shorter one
 * would match ordinary words and numbers; it is still never printed, because no label has it.
 */
const secrets = new Set<string>();

/** Shorter secrets are not searched for in text: they would match ordinary words and numbers. */
export const MIN_SECRET_LENGTH = 4;

/**
 * Remembers a secret so that server text quoting it is masked.
 *
 * @example
 * registerSecret(process.env.PGPASSWORD);
 */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length > 0) {
    secrets.add(secret);
    // A password may also show up percent-encoded, as it was written in a URL.
    secrets.add(encodeURIComponent(secret));
  }
}

const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s/]*)@/gi;

/**
 * Masks the password part of every URL (`scheme://user:***@host`): safe over any text, since
 * nothing else has that shape.
 *
 * @example
 * redactUrls('postgres://app:pw@db/ras') // => 'postgres://app:***@db/ras'
 */
export function redactUrls(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@');
}

/**
 * The last net over a message a server or driver wrote: URL passwords, and every registered secret
 * of MIN_SECRET_LENGTH+ characters standing as a whole token, become `***`.
 *
 * @example
 * redactServerText('syntax error at or near "tiger-lily"') // => 'syntax error at or near "***"' once registered
 */
export function redactServerText(text: string): string {
  let out = redactUrls(text);
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(secret)}(?![\\p{L}\\p{N}])`, 'gu'), '***');
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
