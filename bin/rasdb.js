#!/usr/bin/env node
// The executable: runs the compiled CLI and exits with the code it returns. Exiting explicitly
// means a forgotten handle can never leave a cron job hanging after its work is done.
import { main } from '../dist/src/cli/main.js';

process.exit(await main(process.argv.slice(2)));
