/**
 * Hostile hand-in: allocates without end when a client connects. The sandbox's memory
 * limit makes the allocation fail, and the program ends.
 */
"use strict";
const WebSocket = require("ws");
const kept = [];
const emit = WebSocket.Server.prototype.emit;
WebSocket.Server.prototype.emit = function (event, ...rest) {
    if (event === "connection") for (;;) kept.push(Buffer.alloc(64 << 20));
    return emit.call(this, event, ...rest);
};
require("./article-server.js");
