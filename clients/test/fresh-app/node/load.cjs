// CommonJS consumers: require() of each installed package answers with its API (the "require" export).
const assert = require('node:assert');
const client = require('@herald/client');
const react = require('@herald/react');
const server = require('@herald/server');
assert.strictEqual(typeof client.HeraldClient, 'function', '@herald/client HeraldClient');
assert.strictEqual(typeof react.useLiveQuery, 'function', '@herald/react useLiveQuery');
assert.strictEqual(typeof server.HeraldApi, 'function', '@herald/server HeraldApi');
assert.strictEqual(typeof server.insertOutbox, 'function', '@herald/server insertOutbox');
assert.match(require.resolve('@herald/client'), /index\.cjs$/);
console.log('cjs ok');
