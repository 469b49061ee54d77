// Types as an ES module TypeScript file sees them (node16 resolution: the "import" condition).
import { HeraldClient } from '@herald/client';
import { useLiveQuery } from '@herald/react';
import { HeraldApi, insertOutbox, type OutboxEvent } from '@herald/server';

const herald: HeraldClient = new HeraldClient({ url: 'http://127.0.0.1:1', token: 't' });
const api: HeraldApi = new HeraldApi({ url: 'http://127.0.0.1:1', apiKey: 'k' });
const event: OutboxEvent = { channel: 'match:1', type: 'goal', data: { player: 'Ann' } };
export { herald, api, event, insertOutbox, useLiveQuery };
