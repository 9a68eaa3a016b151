#!/usr/bin/env node
// The executable: runs the built CLI and exits with the code it returns. Exiting explicitly
// means a forgotten handle can never leave a cron job hanging after its work is done.
import { main } from '../dist/bundle/rasdb.mjs';

// `rasdb status | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
// Nothing left to run while main still waits means a promise that can never settle: Node would
// end the process with exit 0 and no word, and a CI gate would pass. Say so and fail instead.
let finished = false;
process.on('beforeExit', () => {
  if (finished) return;
  process.stderr.write(
    'rasdb: internal error: the run stopped waiting on something that never answered (this is a bug in rasdb; run with --verbose and report it)\n',
  );
  process.exit(1);
});
const code = await main(process.argv.slice(2));
finished = true;
// Writes to a pipe are asynchronous: exiting at once would cut off what a slow reader has not
// taken yet (anything past the pipe's 64 KiB). An empty write's callback runs once every write
// before it is out, so the exit waits for that, and only that.
const drained = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
