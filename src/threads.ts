/**
 * threadEntry: how to start a worker thread of src/ from both builds. Imports nothing.
 */

/**
 * threadEntry returns what `new Worker` needs to run the module `module` (a URL without its extension,
 * made from the caller's import.meta.url): its compiled .js file beside the caller in dist/, or, when the
 * caller runs from src/ through tsx (the tests), code that registers tsx's loader first (a thread does not
 * inherit the loader hooks of the process) and then imports the .ts file.
 */
export function threadEntry(module: URL): { code: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { code: new URL(`${module.href}.js`), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = `${module.href}.ts`;
  return { code: `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(thread)}); });`, eval: true };
}
