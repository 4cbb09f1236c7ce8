/** Module resolution hooks (see `register.js`): host imports resolve to local stand-ins. */
const STANDINS = {
  'wasm-connect:plugin/host@0.1.0': './host.js',
  'wasm-connect:plugin/source-context@0.1.0': './source-context.js',
};

export async function resolve(specifier, context, nextResolve) {
  const standin = STANDINS[specifier];
  if (standin) return { url: new URL(standin, import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
