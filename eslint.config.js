// Lint for what the type checker does not catch: promises that are neither awaited nor handled
// (STYLE habit 8) and promises passed where a callback's result is ignored; import cycles between the
// files of src/; and each folder's import rule, where no-restricted-imports can hold it.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/** folderRule is the no-restricted-imports rule of src/<folder>: each pattern is [regex of an import path, message]. */
function folderRule(folder, ...patterns) {
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: patterns.map(([regex, message]) => ({ regex, message })) }] },
  };
}

const STORE_RULE = ['(^|/)(admin|auth|cli|delivery|export|imap|import|lmtp|mailboxes|net|pop3|server|sessions|tls)/', 'src/store imports only config/, mime/, protocol/, src/limits.ts and src/threads.ts: never a server, a protocol folder or the mail logic over it (src/store/types.ts).'];

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
  // No import cycles in src/ (issue 16): a cycle between files means a responsibility is in the wrong file.
  // import-x/no-cycle follows value imports only; `import type` edges vanish at run time and are not counted.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // Folder import rules (each written at the top of its folder's main file) that a lint can hold. A folder's
  // table tests (src/**/*.test.ts) follow its rule too; they may also import test/support.
  folderRule('protocol',
    ['^\\.\\./(?!limits\\.js$|\\.\\./test/support/)', 'src/protocol is the wire layer: it imports nothing from src/ but src/limits.ts (src/protocol/types.ts).'],
    ['^(?!node:|\\.)', 'src/protocol uses no package: pure functions over strings and bytes (src/protocol/types.ts).']),
  folderRule('mime', ['^\\.\\./(?!limits\\.js$|protocol/|\\.\\./test/support/)', 'src/mime imports from src/ only src/protocol (pure wire helpers and types) and src/limits.ts (src/mime/parse.ts).']),
  folderRule('config', ['^\\.\\./(?!limits\\.js$)', 'src/config imports nothing from src/ but src/limits.ts, so every folder may read it (src/config/types.ts).']),
  folderRule('store', STORE_RULE),
  // Later entries replace the rule for their files, so each repeats STORE_RULE.
  folderRule('store/mail', STORE_RULE, ['(^|/)(sqlite|postgres)/', 'src/store/mail holds the mail rules once, for every backend: it never imports a backend (src/store/types.ts).']),
  folderRule('store/sqlite', STORE_RULE, ['(^|/)postgres/', 'src/store/sqlite never imports the PostgreSQL backend: what both need belongs in src/store or src/store/mail (src/store/types.ts).']),
  folderRule('store/postgres', STORE_RULE, ['(^|/)sqlite/', 'src/store/postgres never imports the SQLite backend: what both need belongs in src/store or src/store/mail (src/store/types.ts).']),
  folderRule('imap', ['(^|/)(admin|cli|export|import|lmtp|pop3|server)/', 'src/imap never imports another protocol (pop3/, lmtp/), the node that runs it (server/) or the CLI (src/imap/server.ts).']),
  folderRule('lmtp', ['(^|/)(admin|cli|export|imap|import|pop3|server)/', 'src/lmtp never imports another protocol (imap/, pop3/), the node that runs it (server/) or the CLI (src/lmtp/server.ts).']),
  folderRule('pop3', ['(^|/)imap/', 'src/pop3 never imports src/imap (src/pop3/server.ts): move what both need to a shared folder.']),
  folderRule('managesieve', ['(^|/)(admin|cli|export|imap|import|lmtp|pop3|server|delivery|mailboxes)/', 'src/managesieve never imports another protocol (imap/, pop3/, lmtp/), the node that runs it (server/) or the CLI (src/managesieve/server.ts).'], ['(^|/)store/(mail|sqlite|postgres)/', 'src/managesieve uses the Store interface, never a backend or the mail rules (src/managesieve/server.ts).']),
  folderRule('mailboxes', ['^\\.\\./(?!store/)', 'src/mailboxes imports store/ only, never a protocol (src/mailboxes/operations.ts).']),
  folderRule('sessions', ['^\\.\\./(?!store/)', 'src/sessions imports store/ only, never a protocol (src/sessions/registry.ts).']),
  folderRule('export', ['^\\.\\./(?!store/|formats/|mime/)', 'src/export imports store/, formats/ and mime/ only (src/export/run.ts).']),
  folderRule('metrics', ['^\\.\\./', 'src/metrics imports nothing from src/, so every layer may count (src/metrics/metrics.ts).']),
  folderRule('admin', ['^\\.\\./(?!metrics/)', 'src/admin imports metrics/ only (src/admin/server.ts).']),
  folderRule('sieve',
    ['^\\.\\./(?!limits\\.js$|mime/|\\.\\./test/support/)', 'src/sieve imports from src/ only mime/ and src/limits.ts: never store/, delivery/, a protocol server or cli/ (src/sieve/index.ts).'],
    ['^(?!node:|\\.|libmime$|iconv-lite$|nodemailer/lib/addressparser$)', 'src/sieve uses only libmime, iconv-lite and nodemailer/lib/addressparser among packages (src/sieve/index.ts).']),
  folderRule('net', ['(^|/)(imap|pop3|lmtp)/', 'src/net is shared plumbing: it never imports a protocol folder (src/net/listeners.ts).']),
);
