// Types as a CommonJS TypeScript file sees them (node16 resolution: the "require" condition).
import client = require('@herald/client');
import server = require('@herald/server');
import react = require('@herald/react');

const herald: client.HeraldClient = new client.HeraldClient({ url: 'http://127.0.0.1:1', token: 't' });
const api: server.HeraldApi = new server.HeraldApi({ url: 'http://127.0.0.1:1', apiKey: 'k' });
const hook: typeof react.useLiveQuery = react.useLiveQuery;
export { herald, api, hook };
