/**
 * Every secret rasdb learns (a password from a URL or PGPASSWORD) is registered here, and every
 * line rasdb prints goes through `redact`. Messages are written so they never include a secret in
 * the first place; this is the second belt.
 */
const secrets = new Set<string>();

export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length > 0) {
    secrets.add(secret);
    // A password may also show up percent-encoded, as it was written in a URL.
    secrets.add(encodeURIComponent(secret));
  }
}

/** Replaces every registered secret, and the password part of any URL, with `***`. */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s/]*)@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}
