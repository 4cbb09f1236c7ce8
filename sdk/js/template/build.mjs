// Builds this project into a WebAssembly component with componentize-js:
//
//     node build.mjs [--world <wit world>] [--out <file.wasm>]
//
// (`wasm-connect plugin build` runs it with the world and output of wasm-connect.toml.)
// componentize-js comes from this project's node_modules (`npm install`), or else from the
// directory named by WASM_CONNECT_JS_TOOLS, where it was installed with
// `npm install --prefix <dir> @bytecodealliance/componentize-js@0.23.0`.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const project = dirname(fileURLToPath(import.meta.url));
// componentize-js maps the current directory into the component: relative imports of
// src/index.js resolve against the project.
process.chdir(project);

const { values: args } = parseArgs({
  options: {
    world: { type: 'string', default: '@WORLD@' },
    out: { type: 'string', default: '@OUT@' },
  },
});

const PACKAGE = 'node_modules/@bytecodealliance/componentize-js';
const tools = process.env.WASM_CONNECT_JS_TOOLS;
let location;
if (existsSync(join(project, PACKAGE))) location = join(project, PACKAGE);
else if (tools && existsSync(join(tools, PACKAGE))) location = join(resolve(tools), PACKAGE);
else {
  console.error('componentize-js is not installed: run `npm install` (or set WASM_CONNECT_JS_TOOLS)');
  process.exit(1);
}
const { componentize, version } = await import(pathToFileURL(join(location, 'src/componentize.js')).href);

const started = Date.now();
const { component } = await componentize({
  sourcePath: 'src/index.js',
  witPath: 'wit',
  worldName: args.world,
  // No fetch() and no HTTP server unless the world imports wasi:http.
  disableFeatures: args.world.includes('http') ? ['fetch-event'] : ['http', 'fetch-event'],
});
await mkdir(dirname(resolve(args.out)), { recursive: true });
await writeFile(args.out, component);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const megabytes = (component.length / 1e6).toFixed(1);
console.error(`componentize-js ${version}: ${args.out} (${megabytes} MB, world ${args.world}) in ${seconds} s`);
