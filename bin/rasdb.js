#!/usr/bin/env node
// The executable: runs the built CLI and exits with the code it returns. Exiting explicitly
// means a forgotten handle can never leave a cron job hanging after its work is done.
import { main } from '../dist/bundle/rasdb.mjs';

// `rasdb status | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const code = await main(process.argv.slice(2));
// Writes to a pipe are asynchronous: exiting at once would cut off what a slow reader has not
// taken yet (anything past the pipe's 64 KiB). An empty write's callback runs once every write
// before it is out, so the exit waits for that, and only that.
const drained = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
