import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Folders for embedded data, made in the system's temporary folder and open to other users'
 * passage (0755: as root the server runs as `postgres`, who must enter them), each removed by
 * `removeAll` after the file.
 *
 * @example
 * const folders = dataFolders('rasdb-embedded-'); const folder = folders.make(); afterAll(folders.removeAll);
 */
export function dataFolders(prefix: string): { make: () => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    make: () => {
      const folder = mkdtempSync(join(tmpdir(), prefix));
      chmodSync(folder, 0o755);
      made.push(folder);
      return folder;
    },
    removeAll: () => {
      for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
    },
  };
}
