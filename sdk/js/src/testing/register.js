/**
 * Run plugin code under Node.js (unit tests): `node --import ./wasm-connect/testing/register.js
 * --test`. Resolves the component's host imports (`wasm-connect:plugin/host@0.1.0`,
 * `wasm-connect:plugin/source-context@0.1.0`) to the stand-ins in this directory: `log` writes
 * to standard error and remembers each message; `offset` answers from offsets a test sets.
 */
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
