/**
 * What a secret looks like, by the name of its key and by the shape of its value. Used to refuse
 * a connection_config that holds one; a false alarm costs a rename, a miss costs a leaked key, so
 * the rules lean towards refusing. No rule ever reports the value it matched, only where it was.
 */

/** Key names that hold nothing but a secret: any string under one is refused. */
const SECRET_WORDS =
  /secret|passw(or)?d|passwd|^pass$|^pwd$|^pw$|passphrase|token|apikey|accesskey|privatekey|credential|cookie|bearer|licensekey/;

/** Words that often but not always name a secret (auth_method: "basic" is fine): refused when the value looks random. */
const MAYBE_SECRET = /^auth|session|signature|^key$|signingkey|sharedkey|^(?:client|app)key$/;

/** A key ending in one of these describes where or how, it does not hold: `token_url`, `auth_header_name`. */
const DESCRIBES =
  /(?:url|uri|endpoint|path|name|type|method|mode|scheme|format|field|param|location|env|file|expiry|ttl|seconds|minutes)$/;

/** Letters and digits only, lower case: `client_secret`, `clientSecret` and `Client-Secret` read alike. */
function normal(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * How strongly a key's name says its value is a secret.
 *
 * @example
 * secretKeyKind('client_secret') // => 'secret'
 * secretKeyKind('auth_method')   // => 'maybe'
 * secretKeyKind('token_url')     // => 'none'
 */
export function secretKeyKind(key: string): 'secret' | 'maybe' | 'none' {
  const name = normal(key);
  if (name === '' || DESCRIBES.test(name)) return 'none';
  if (SECRET_WORDS.test(name)) return 'secret';
  return MAYBE_SECRET.test(name) ? 'maybe' : 'none';
}

const VALUE_SHAPES: readonly [string, RegExp][] = [
  ['an Authorization header value', /^\s*(?:authorization\s*:\s*)?(?:bearer|basic|token|digest)\s+\S{8,}/i],
  ['a JSON Web Token', /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/],
  ['a PEM block', /-----BEGIN [A-Z0-9 ]+-----/],
  ['an AWS access key id', /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/],
  ['a URL with a password', /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i],
  [
    'a URL carrying a key or token',
    /[?&#](?:access_?token|token|api_?key|apikey|key|secret|password|sig|signature|x-amz-signature)=[^&\s]{6,}/i,
  ],
  [
    'a GitHub, Slack or Stripe token',
    /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_(?:live|test)_[A-Za-z0-9]{16,})\b/,
  ],
];

/**
 * Names the kind of secret a string looks like, wherever it sits; undefined when none.
 *
 * @example
 * secretValueShape('Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig') // => 'an Authorization header value'
 * secretValueShape('accessKey={access_key};secretKey={secret_key}') // => undefined
 */
export function secretValueShape(value: string): string | undefined {
  return VALUE_SHAPES.find(([, shape]) => shape.test(value))?.[0];
}

/**
 * A long string without spaces whose characters are spread like a random key's: at least 16
 * characters, lower and upper case letters and something else (a digit, `+`, `=`...) or else 32+
 * hex digits, and at least 3.5 bits of Shannon entropy per character. Words, paths, identifiers
 * and templates fall short of it.
 *
 * @example
 * looksRandom('dGhpcyBpcyBhIHNlY3JldCBrZXk=') // => true
 * looksRandom('basic')                        // => false
 */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || /\s/.test(value)) return false;
  const mixed = /[a-z]/.test(value) && /[A-Z]/.test(value) && /[^a-zA-Z]/.test(value);
  if (!mixed && !/^[0-9a-f]{32,}$/i.test(value)) return false;
  return entropyPerChar(value) >= 3.5;
}

function entropyPerChar(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
