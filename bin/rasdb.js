#!/usr/bin/env node
// The executable: runs the built CLI and exits with the code it returns. Exiting explicitly
// means a forgotten handle can never leave a cron job hanging after its work is done.
import { main } from '../dist/bundle/rasdb.mjs';

// `rasdb status | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exit(await main(process.argv.slice(2)));
