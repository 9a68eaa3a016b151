import { describe, expect, it } from 'vitest';
import { redact, registerSecret } from '../../src/db/redact.js';

// The registry of secrets lives for the process; each test registers secrets of its own.
describe('redact', () => {
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
});
