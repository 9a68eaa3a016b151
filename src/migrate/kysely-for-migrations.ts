import { register } from 'node:module';

/**
 * Resolution hooks (run by Node.js on its loader thread): an import of `kysely` or `kysely/...`
 * that the importing file's own folders cannot resolve is resolved from rasdb's install instead.
 */
const HOOKS = `
let from;
export function initialize(data) { from = data.from; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !(specifier === 'kysely' || specifier.startsWith('kysely/'))) throw error;
    return next(specifier, { ...context, parentURL: from });
  }
}`;

let provided = false;

/**
 * Lets a migrations folder outside any Node.js project `import { sql } from 'kysely'`, as a
 * migration written for Kysely does: the import, resolved from the file as Node.js resolves any,
 * falls back to the kysely rasdb itself runs on (the same version that makes the `db` a migration
 * receives). A project that installs its own kysely keeps it. Hooks start a loader thread, so
 * this is done only before the first migration of such a folder is loaded.
 *
 * @example
 * provideKysely(); await import(pathToFileURL('/srv/migrations/phase-0-x/0001-a.js').href);
 */
export function provideKysely(): void {
  if (provided) return;
  provided = true;
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, import.meta.url, { data: { from: import.meta.url } });
}
