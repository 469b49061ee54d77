// ES module consumers: import of each installed package answers with its API (the "import" export).
import assert from 'node:assert';
import { createRequire } from 'node:module';
import { HeraldClient } from '@herald/client';
import { useLiveQuery } from '@herald/react';
import { HeraldApi, insertOutbox } from '@herald/server';
assert.strictEqual(typeof HeraldClient, 'function');
assert.strictEqual(typeof useLiveQuery, 'function');
assert.strictEqual(typeof HeraldApi, 'function');
assert.strictEqual(typeof insertOutbox, 'function');
assert.match(import.meta.resolve('@herald/client'), /index\.js$/);
// The two module systems load different files: the ESM class is not the CJS one.
assert.notStrictEqual(createRequire(import.meta.url)('@herald/client').HeraldClient, HeraldClient);
console.log('esm ok');
