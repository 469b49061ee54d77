#!/usr/bin/env node
// Raw `ws` broadcast server: the floor of the comparison (bench/PEER-CONTRACT.md).
// Every text frame a client sends is broadcast, as is, to every OTHER connected client.
// Usage: node ws-server.js PORT
'use strict';
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node ws-server.js PORT');
  process.exit(2);
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port,
  perMessageDeflate: false,
  clientTracking: true,
  maxPayload: 16 * 1024 * 1024,
});

wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary) return; // the contract speaks text frames only
    for (const client of wss.clients) {
      if (client !== socket && client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: false });
      }
    }
  });
  socket.on('error', () => socket.terminate());
});

wss.on('listening', () => console.log(`listening ${port}`));
wss.on('error', (err) => {
  console.error(`ws-server: ${err.message}`);
  process.exit(1);
});

const stop = () => wss.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
