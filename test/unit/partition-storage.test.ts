import { describe, expect, it } from 'vitest';
import { identityStatement, storageFrom, withClause } from '../../src/partition/storage.js';

describe('the storage a partition copies from the adopted heap', () => {
  it('reads the catalog columns, TOAST options prefixed', () => {
    expect(storageFrom(['fillfactor=90'], ['autovacuum_enabled=false'], 'f')).toEqual({
      options: ['fillfactor=90', 'toast.autovacuum_enabled=false'],
      replicaIdentity: 'f',
    });
    expect(storageFrom(null, null, 'd')).toEqual({ options: [], replicaIdentity: 'd' });
  });

  it('writes a WITH clause with every value quoted, and refuses a name that is not one', () => {
    expect(withClause({ options: [], replicaIdentity: 'd' })).toBe('');
    expect(
      withClause({ options: ['fillfactor=90', 'toast.autovacuum_enabled=false', "x_y='; DROP"], replicaIdentity: 'd' }),
    ).toBe(` WITH (fillfactor = '90', toast.autovacuum_enabled = 'false', x_y = '''; DROP')`);
    expect(() => withClause({ options: ['fill factor=1'], replicaIdentity: 'd' })).toThrow(/storage parameter/);
    expect(() => withClause({ options: ['=1'], replicaIdentity: 'd' })).toThrow(/storage parameter/);
  });

  it('sets FULL and NOTHING; the default and an index need no statement', () => {
    expect(identityStatement('"t"', { options: [], replicaIdentity: 'f' })).toBe(
      'ALTER TABLE "t" REPLICA IDENTITY FULL',
    );
    expect(identityStatement('"t"', { options: [], replicaIdentity: 'n' })).toBe(
      'ALTER TABLE "t" REPLICA IDENTITY NOTHING',
    );
    expect(identityStatement('"t"', { options: [], replicaIdentity: 'd' })).toBeNull();
    expect(identityStatement('"t"', { options: [], replicaIdentity: 'i' })).toBeNull();
  });
});
