import { readdirSync, readFileSync } from 'node:fs';

/**
 * Kills this process's descendants whose command line names `path` (an initdb building a scratch
 * cluster there, and the bootstrap backend it runs), with everything they started, and waits up
 * to `waitMs` for them to be gone. For throwaway work only: a SIGKILLed initdb leaves a cluster
 * that is good for nothing but removing. Reads /proc; where there is none it does nothing.
 *
 * @example
 * await killChildrenNaming('/tmp/rasdb-scratch-x1/pg');
 */
export async function killChildrenNaming(path: string, waitMs = 5_000): Promise<void> {
  const doomed = descendants(process.pid).filter((pid) => commandLine(pid).includes(path));
  const all = new Set(doomed.flatMap((pid) => [pid, ...descendants(pid)]));
  for (const pid of all) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const deadline = Date.now() + waitMs;
  while ([...all].some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function descendants(root: number): number[] {
  let table: { pid: number; parent: number }[];
  try {
    table = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => ({ pid: Number(name), parent: parentOf(Number(name)) }));
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const entry of table) {
      if (entry.parent === parent) {
        found.push(entry.pid);
        queue.push(entry.pid);
      }
    }
  }
  return found;
}

function parentOf(pid: number): number {
  try {
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
