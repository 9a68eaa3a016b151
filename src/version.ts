import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the rasdb package, found from this file whether it runs from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && JSON.parse(readFileSync(candidate, 'utf8')).name === 'rasdb') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('rasdb: cannot find its own package.json (a broken install)');
    dir = parent;
  }
}

/** rasdb's own version, as recorded next to every migration it applies. */
export function rasdbVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}
