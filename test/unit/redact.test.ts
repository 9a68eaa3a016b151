import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, redactServerText as redact, redactUrls, registerSecret } from '../../src/db/redact.js';

// The registry of secrets lives for the process; each test registers secrets of its own.
describe('redactServerText, the last net over server text', () => {
  it('masks the password of any URL, registered or not', () => {
    expect(redact('could not connect to postgres://app:never-registered@db:5432/ras')).toBe(
      'could not connect to postgres://app:***@db:5432/ras',
    );
    const two = redact('postgresql://u:p@h and https://x:y@example.org/path');
    expect(two).toBe('postgresql://u:***@h and https://x:***@example.org/path');
  });

  it('leaves a URL without a password alone', () => {
    for (const text of ['postgres://app@db/ras', 'postgres://db:5432/ras', 'see https://example.org/a:b@c']) {
      expect(redact(text)).toBe(text);
    }
  });

  it('masks an empty password too, keeping the shape of the URL', () => {
    expect(redact('postgres://app:@db/ras')).toBe('postgres://app:***@db/ras');
  });

  it('masks every occurrence of a registered secret, anywhere in the text', () => {
    registerSecret('tiger-lily');
    const text = redact('password "tiger-lily" failed; retrying with tiger-lily');
    expect(text).toBe('password "***" failed; retrying with ***');
  });

  it('masks the percent-encoded spelling of a registered secret', () => {
    registerSecret('p@ss/wörd');
    expect(redact('url had p%40ss%2Fw%C3%B6rd in it')).toBe('url had *** in it');
    expect(redact('plain p@ss/wörd')).toBe('plain ***');
  });

  it('ignores empty and missing secrets instead of masking everything', () => {
    registerSecret('');
    registerSecret(undefined);
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });

  it('does not mask text that only resembles a secret', () => {
    registerSecret('orchid-42');
    expect(redact('orchid-4 and rchid-42')).toBe('orchid-4 and rchid-42');
  });

  it('leaves short secrets alone: they would match ordinary words and numbers', () => {
    for (const secret of ['1', '127', 'tru']) registerSecret(secret);
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(redact('connect to 127.0.0.1:5432 failed; tru')).toBe('connect to 127.0.0.1:5432 failed; tru');
  });

  it('masks a secret only where it stands as a whole token, not inside a longer word or number', () => {
    registerSecret('rasdb');
    registerSecret('2468');
    expect(redact('role "rasdb" rejected')).toBe('role "***" rejected');
    expect(redact('database rasdbx and 124680 and rasdb_1')).toBe('database rasdbx and 124680 and ***_1');
  });

  it('redactUrls masks URL passwords only, never a registered secret', () => {
    registerSecret('saffron-9');
    expect(redactUrls('saffron-9 at postgres://u:saffron-9@h/d')).toBe('saffron-9 at postgres://u:***@h/d');
  });
});
