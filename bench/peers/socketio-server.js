#!/usr/bin/env node
// Socket.IO 4.8 peer (bench/PEER-CONTRACT.md): WebSocket transport only, no compression.
//   42["join",room]              -> socket joins room, replies 42["joined",room]
//   42["publish",{room,data}]    -> io.to(room).emit('tick', data)   (every member, sender included)
// Usage: node socketio-server.js PORT
'use strict';
const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error('usage: node socketio-server.js PORT');
  process.exit(2);
}

const httpServer = http.createServer((req, res) => {
  res.writeHead(404).end();
});

const io = new Server(httpServer, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  maxHttpBufferSize: 16 * 1024 * 1024,
});

io.on('connection', (socket) => {
  socket.on('join', (room) => {
    if (typeof room !== 'string' || room.length === 0) return;
    socket.join(room);
    socket.emit('joined', room);
  });
  socket.on('publish', (msg) => {
    if (!msg || typeof msg.room !== 'string') return;
    io.to(msg.room).emit('tick', msg.data);
  });
});

httpServer.on('error', (err) => {
  console.error(`socketio-server: ${err.message}`);
  process.exit(1);
});
httpServer.listen(port, '127.0.0.1', () => console.log(`listening ${port}`));

const stop = () => io.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
