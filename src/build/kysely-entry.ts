// The one copy of Kysely a built rasdb runs on: the CLI's chunks and the compiled migrations
// (whose `import ... from 'kysely'` the build points here) share it, so it loads once, fast.
export * from 'kysely';
