// ESLint flat config: `npm run lint` (with Prettier's check), `npm run format` to fix.
//
// The .ts files are linted with type information from the project's own TypeScript and
// tsconfig.test.json (src, migrations, seeds, test, bench), because the bug that hurts a database
// tool most is a promise nobody awaits: a query, a ROLLBACK or a lock release that runs later or
// never. Plain JavaScript (bin/, src/build/*.mjs, bench/*.mjs, test fixtures) has no type
// information and gets the syntactic rules only.
//
// Every rule is an error or off: a warning nobody has to fix is noise in CI.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // generated/ is kysely-codegen output, never edited by hand.
    ignores: ['dist/', 'node_modules/', 'generated/', '.rasdb/', 'coverage/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // One program for the whole tree: tsconfig.json leaves out test/ and bench/.
        project: ['./tsconfig.test.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The reason for type-aware linting. All three are in recommendedTypeChecked; named here so
      // that nobody switches them off by accident. A promise deliberately left running is written
      // `void promise` with a comment saying why.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `try { return work(); } finally { release(); }` releases before work() has settled: inside
      // try/catch/finally a returned promise must be awaited. Elsewhere either spelling is fine.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // The code base writes `import type { X }` (never inline `{ type X }` mixed in a value import).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',

      // Off: its 8 reports were all `async` on purpose, to return the promise an interface asks for
      // (a pool's connect/end, a close callback, vitest's teardown) so that a throw rejects. The
      // forgotten await it may hint at is reported exactly by no-floating-promises.
      '@typescript-eslint/require-await': 'off',

      // Off on purpose. `strict` already forbids implicit any; the explicit ones are conventions:
      // migrations and the session that runs them take `Kysely<any>` (migrations are frozen in
      // time, ENGINEERING.md), and pg rows, JSON.parse and commander's opts() are `any` at the I/O
      // boundary. The no-unsafe-* family reported ~600 such uses and no bug: its fix would be an
      // unchecked row-type annotation on every query, which reads as safety without being any.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
