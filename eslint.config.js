// Lint for what the type checker does not catch: promises that are neither awaited nor handled
// (STYLE habit 8) and promises passed where a callback's result is ignored.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.tmp/**', 'dist/**'] },
  // Only the rules below run, so directives written for other linters' rules are not errors here.
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself tracks.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // Folder import rules (written at the top of each folder's main file) that a lint can hold.
  {
    files: ['src/pop3/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)imap/', message: 'src/pop3 never imports src/imap (src/pop3/server.ts): move what both need to a shared folder.' }] }],
    },
  },
  {
    files: ['src/net/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(imap|pop3|lmtp)/', message: 'src/net is shared plumbing: it never imports a protocol folder (src/net/listeners.ts).' }] }],
    },
  },
);
