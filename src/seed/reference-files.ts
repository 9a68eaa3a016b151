import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, RasdbError } from '../errors.js';
import { packageRoot } from '../version.js';

/**
 * The project's `seeds/reference` folder. The data files are not compiled, so compiled code and
 * TypeScript runners alike find them at the package root.
 *
 * @example
 * readFileSync(join(referenceDir(), 'cisa-kev.csv'), 'utf8')
 */
function referenceDir(): string {
  const dir = join(packageRoot(), 'seeds', 'reference');
  if (!existsSync(join(dir, 'README.md'))) {
    throw new RasdbError(
      ExitCode.failed,
      `the reference data folder ${dir} is missing from this installation of rasdb; reinstall it`,
    );
  }
  return dir;
}

/** Reads a reference JSON file by its path under `seeds/reference`. */
export function readReferenceJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(referenceDir(), name), 'utf8')) as T;
}

/**
 * Reads a reference CSV file into objects keyed by its header. Quoted fields may hold commas,
 * doubled quotes and line breaks (RFC 4180); that is all the reference files need.
 *
 * @example
 * readReferenceCsv('fedramp-poam-columns.csv')[0] // { order: '1', excel_column: 'A', name: 'POAM ID' }
 */
export function readReferenceCsv(name: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(readFileSync(join(referenceDir(), name), 'utf8'));
  return records.map((fields) => Object.fromEntries(header.map((column, i) => [column, fields[i] ?? ''])));
}

/** Splits CSV text into records of fields. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push(fields);
      fields = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || fields.length) records.push([...fields, field]);
  return records.filter((record) => record.length > 1 || record[0] !== '');
}
