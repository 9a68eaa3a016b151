import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  resolveConnection,
  targetFromUrl,
  type ConnectionChoice,
  type ServerTarget,
} from '../../src/db/connection-options.js';
import { redactServerText as redact } from '../../src/db/redact.js';
import { ExitCode, RasdbError } from '../../src/errors.js';
import { wordError } from '../../src/cli/words.js';

// targetFromUrl falls back to the process's PGUSER and USER for a URL without a user.
beforeEach(() => {
  vi.stubEnv('PGUSER', '');
  vi.stubEnv('USER', 'os-user');
  return () => vi.unstubAllEnvs();
});

function server(choice: ConnectionChoice): ServerTarget {
  if (choice.source === 'embedded') throw new Error('expected a server, got the embedded one');
  return choice;
}

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    // As the command line says it: options the library points at named by their flags.
    if (error instanceof RasdbError && error.exitCode === ExitCode.usage) return wordError(error);
    throw error;
  }
  throw new Error('expected a usage error, but the call returned');
}

const fromUrl = (url: string) => targetFromUrl(url, 'DATABASE_URL');

describe('resolveConnection: where the database comes from', () => {
  const env = { DATABASE_URL: 'postgres://env@envhost/envdb', PGHOST: 'pghost', PGDATABASE: 'pgdb' };

  it('takes --database-url over DATABASE_URL and PG*', () => {
    const target = server(resolveConnection({ databaseUrl: 'postgres://flag@flaghost/flagdb' }, env));
    expect(target.source).toBe('databaseUrl');
    expect(target.host).toBe('flaghost');
    expect(target.database).toBe('flagdb');
  });

  it('takes DATABASE_URL over PG* when no flag is given', () => {
    const target = server(resolveConnection({}, env));
    expect(target.source).toBe('DATABASE_URL');
    expect(target.label).toBe('envhost:5432/envdb as env');
  });

  it('takes PG* when PGHOST or PGDATABASE is set and nothing above is', () => {
    expect(server(resolveConnection({}, { PGHOST: 'pghost' })).label).toBe('pghost:5432/os-user as os-user');
    expect(server(resolveConnection({}, { PGDATABASE: 'pgdb' })).label).toBe('localhost:5432/pgdb as os-user');
    expect(resolveConnection({}, { PGHOST: 'pghost' }).source).toBe('PG* environment');
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(usageMessage(() => resolveConnection({}, { DATABASE_URL: '', PGHOST: 'pghost' }))).toBe(
      'DATABASE_URL is set but empty; set it, or unset it to use the embedded PostgreSQL',
    );
    expect(usageMessage(() => resolveConnection({}, { PGHOST: ' ' }))).toMatch(/^PGHOST is set but empty/);
    expect(resolveConnection({}, {}).source).toBe('embedded');
  });

  it('refuses an empty RASDB_DATA_DIR instead of using ./.rasdb in its place', () => {
    expect(usageMessage(() => resolveConnection({}, { RASDB_DATA_DIR: '' }))).toBe(
      'RASDB_DATA_DIR is set but empty; set it to a folder, or unset it to keep the embedded PostgreSQL in ./.rasdb',
    );
    expect(resolveConnection({}, { RASDB_DATA_DIR: '/var/tmp/x' }).source).toBe('embedded');
  });

  it('falls back to the embedded server on a bare environment, or with PG* that name no server', () => {
    expect(resolveConnection({}, {})).toEqual({ source: 'embedded' });
    const noServer = { PGUSER: 'someone', PGPORT: '5433', PGPASSWORD: 'x' };
    expect(resolveConnection({}, noServer)).toEqual({ source: 'embedded' });
  });

  it('refuses an empty --database-url instead of falling through to the environment', () => {
    expect(usageMessage(() => resolveConnection({ databaseUrl: '' }, env))).toBe(
      '--database-url is not a valid URL; expected postgres://user@host:5432/database',
    );
  });
});

describe('PG* variables', () => {
  it('reads host, port, user, password, database and sslmode', () => {
    const env = {
      PGHOST: 'db.internal',
      PGPORT: '6543',
      PGUSER: 'app',
      PGPASSWORD: 's3cret',
      PGDATABASE: 'ras',
      PGSSLMODE: 'require',
    };
    const target = server(resolveConnection({}, env));
    const expected = { host: 'db.internal', port: 6543, user: 'app', password: 's3cret', database: 'ras' };
    expect(target.config).toMatchObject(expected);
    expect(target.config.ssl).toEqual({ rejectUnauthorized: false });
    expect(target.label).toBe('db.internal:6543/ras as app');
  });

  it('carries user names, passwords and databases with URL characters through unchanged', () => {
    const env = { PGHOST: 'h', PGUSER: 'a@b', PGPASSWORD: 'p@ss w/rd:%', PGDATABASE: 'my db' };
    const target = server(resolveConnection({}, env));
    expect(target.config).toMatchObject({ user: 'a@b', password: 'p@ss w/rd:%', database: 'my db' });
  });

  it('passes a socket directory in PGHOST through as the host', () => {
    const target = server(resolveConnection({}, { PGHOST: '/var/run/postgresql', PGDATABASE: 'ras' }));
    expect(target.host).toBe('/var/run/postgresql');
    expect(target.config.host).toBe('/var/run/postgresql');
    expect(target.label).toBe('/var/run/postgresql:5432/ras as os-user');
  });

  it('refuses a PGPORT that is not a port number, out of range included, never falling back to 5432', () => {
    const port = (PGPORT: string) => usageMessage(() => resolveConnection({}, { PGHOST: 'h', PGPORT }));
    for (const given of ['five', '-1', '5432 ', '0', '65536', '99999', '0x1f', '1e3']) {
      expect(port(given)).toBe(`PGPORT must be a port number from 1 to 65535, got "${given}"`);
    }
    expect(server(resolveConnection({}, { PGHOST: 'h', PGPORT: '65535' })).port).toBe(65535);
  });

  it('refuses a PGHOST that is not one host, never falling back to localhost', () => {
    const host = (PGHOST: string) => usageMessage(() => resolveConnection({}, { PGHOST }));
    for (const given of ['db.example.invalid:6000', 'a b', '[zz]', 'host%41', 'h/x']) {
      expect(host(given)).toBe(
        `PGHOST "${given}" is not a host name or address (a port goes in PGPORT, a socket folder starts with /)`,
      );
    }
    expect(host('h1,h2')).toBe('PGHOST lists several hosts ("h1,h2"); rasdb connects to one: set PGHOST to that host');
  });

  it('takes an IPv6 address, upper-case and non-ASCII names in PGHOST as given', () => {
    for (const given of ['::1', 'fe80::1', 'DB.Example.com', 'bücher.example', 'my_host', '10.0.0.1']) {
      const target = server(resolveConnection({}, { PGHOST: given, PGPORT: '6000' }));
      expect([target.host, target.config.host, target.port]).toEqual([given, given, 6000]);
    }
  });

  it('refuses an unknown PGSSLMODE', () => {
    expect(usageMessage(() => resolveConnection({}, { PGHOST: 'h', PGSSLMODE: 'bogus' }))).toBe(
      'PG* environment: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, no-verify, ' +
        'got "bogus"',
    );
  });
});

describe('targetFromUrl', () => {
  it("keeps a password given in the query string out of psql's URL, as one before the @", () => {
    const target = targetFromUrl('postgres://u@h:5432/db?password=S3cret&sslmode=require', 'databaseUrl');
    expect(target.config.password).toBe('S3cret');
    expect(target.libpqUrl).toBe('postgres://u@h:5432/db?sslmode=require');
    expect(targetFromUrl('postgres://u:S3cret@h/db', 'databaseUrl').libpqUrl).toBe('postgres://u@h/db');
  });

  it('names a certificate file it cannot read plainly', () => {
    const url = 'postgres://u@h/db?sslmode=verify-full&sslrootcert=/nonexistent/root.crt';
    expect(usageMessage(() => targetFromUrl(url, 'databaseUrl'))).toBe(
      '--database-url: cannot read /nonexistent/root.crt: no such file or folder (ENOENT)',
    );
  });

  it('reads every part of a URL and defaults the port to 5432', () => {
    const target = fromUrl('postgresql://me:pw@db.example/ras');
    expect(target).toMatchObject({ source: 'DATABASE_URL', host: 'db.example', port: 5432, database: 'ras' });
    expect(target.user).toBe('me');
    expect(target.config).toMatchObject({ host: 'db.example', port: 5432, user: 'me', password: 'pw' });
    expect(target.config.application_name).toBe('rasdb');
  });

  it('defaults the host to localhost, the user to PGUSER or the OS user, and the database to the user', () => {
    expect(fromUrl('postgres:///').label).toBe('localhost:5432/os-user as os-user');
    vi.stubEnv('PGUSER', 'from-pguser');
    expect(fromUrl('postgres://h').label).toBe('h:5432/from-pguser as from-pguser');
  });

  it('keeps an application_name given in the URL', () => {
    expect(fromUrl('postgres://h/db?application_name=nightly').config.application_name).toBe('nightly');
  });

  it('decodes percent-encoded user, password and database', () => {
    const target = fromUrl('postgres://a%40b:p%40ss%2Fw%3Ard@h:6543/my%20db');
    expect(target.config).toMatchObject({ user: 'a@b', password: 'p@ss/w:rd', database: 'my db' });
    expect(target.label).toBe('h:6543/my db as a@b');
  });

  it('never puts the password in the label, and registers it for redaction, encoded or not', () => {
    const target = fromUrl('postgres://me:hunter%2F2@h/db');
    expect(target.label).not.toContain('hunter');
    expect(JSON.stringify({ ...target, config: undefined })).not.toContain('hunter');
    expect(redact('error: password hunter/2 rejected')).toBe('error: password *** rejected');
    expect(redact('connect postgres://me:hunter%2F2@h/db')).toBe('connect postgres://me:***@h/db');
  });

  it.each([
    [
      'no // after the scheme',
      'postgres:/me:s3cret-pw@h:5432/db',
      'DATABASE_URL must start with postgres:// or postgresql://',
    ],
    [
      'one slash and a colon',
      'postgresql:me:s3cret-pw@h/db',
      'DATABASE_URL must start with postgres:// or postgresql://',
    ],
    [
      'a / in the password, unencoded',
      'postgres://me:9876/s3cret-pw@h:5432/db',
      'DATABASE_URL has an @ after the host',
    ],
    ['a ? in the password, unencoded', 'postgres://me:12?s3cret-pw@h:5432/db', 'DATABASE_URL has an @ after the host'],
    ['a # in the password, unencoded', 'postgres://me:12#s3cret-pw@h:5432/db', 'DATABASE_URL has an @ after the host'],
    ['a ? after letters', 'postgres://me:ab?s3cret-pw@h:5432/db', 'DATABASE_URL is not a valid URL'],
  ])('refuses a URL that hides a password elsewhere (%s), never echoing it', (_, url, start) => {
    const message = usageMessage(() => fromUrl(url));
    expect(message.startsWith(start), message).toBe(true);
    expect(message).not.toContain('s3cret');
  });

  it('refuses text that is not a URL', () => {
    for (const url of ['not a url', '//h/db', '']) {
      const message = usageMessage(() => fromUrl(url));
      expect(message).toBe('DATABASE_URL is not a valid URL; expected postgres://user@host:5432/database');
    }
  });

  it('reads a host:port without a scheme as a scheme, and refuses it as one', () => {
    expect(usageMessage(() => fromUrl('localhost:5432/db'))).toBe(
      'DATABASE_URL must start with postgres:// or postgresql://, not localhost://',
    );
  });

  it('refuses schemes other than postgres and postgresql', () => {
    const mysql = usageMessage(() => fromUrl('mysql://h/db'));
    expect(mysql).toBe('DATABASE_URL must start with postgres:// or postgresql://, not mysql://');
    const https = usageMessage(() => targetFromUrl('https://h/db', 'databaseUrl'));
    expect(https).toContain('--database-url must start with postgres://');
  });

  it('refuses ports out of range', () => {
    expect(usageMessage(() => fromUrl('postgres://h:0/db'))).toBe('DATABASE_URL has an invalid port "0"');
    // The URL parser itself refuses a port above 65535.
    expect(usageMessage(() => fromUrl('postgres://h:65536/db'))).toContain('is not a valid URL');
    expect(fromUrl('postgres://h:65535/db').port).toBe(65535);
  });

  describe('sslmode', () => {
    const ssl = (mode: string) => fromUrl(`postgres://h/db?sslmode=${mode}`).config.ssl;

    it('leaves ssl unset without an sslmode', () => {
      expect(fromUrl('postgres://h/db').config.ssl).toBeUndefined();
    });

    it('disable turns TLS off', () => {
      expect(ssl('disable')).toBe(false);
    });

    it('prefer and require encrypt without checking the certificate, as libpq does', () => {
      expect(ssl('prefer')).toEqual({ rejectUnauthorized: false });
      expect(ssl('require')).toEqual({ rejectUnauthorized: false });
    });

    it('verify-full checks the certificate and the host name', () => {
      expect(ssl('verify-full')).toEqual({});
    });

    it('allow and no-verify are accepted and verify the certificate: never a silent downgrade', () => {
      expect(ssl('allow')).toEqual({});
      expect(ssl('no-verify')).toEqual({});
    });

    it('verify-ca needs a root certificate, and then checks it but not the host name', () => {
      const warning = usageMessage(() => ssl('verify-ca'));
      expect(warning).toMatch(/^DATABASE_URL: SECURITY WARNING: Using sslmode=verify-ca requires/);
      const folder = mkdtempSync(join(tmpdir(), 'rasdb-unit-'));
      try {
        writeFileSync(join(folder, 'root.crt'), 'not really a certificate');
        const config = fromUrl(`postgres://h/db?sslmode=verify-ca&sslrootcert=${join(folder, 'root.crt')}`).config.ssl;
        expect(config).toMatchObject({ ca: 'not really a certificate' });
        expect(config).not.toHaveProperty('rejectUnauthorized');
        expect(config).toHaveProperty('checkServerIdentity', expect.any(Function));
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('refuses an unknown mode, naming the valid ones', () => {
      expect(usageMessage(() => ssl('on'))).toBe(
        'DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full, no-verify, ' +
          'got "on"',
      );
      expect(usageMessage(() => ssl('REQUIRE'))).toContain('got "REQUIRE"');
    });
  });
});

afterAll(() => vi.unstubAllEnvs());
