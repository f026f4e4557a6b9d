/**
 * Article section #standalone: a ws server on a port of its own that only
 * accepts connections. Written as a student following the article would.
 *
 * ONE DIFFERENCE: the ready line is reworded, `Listening on port <port>`
 * instead of the article's `Server is listening on <port>`.
 */
"use strict";

const port = process.env.DBWEBB_PORT || 1337;
const WebSocket = require("ws");
const wss = new WebSocket.Server({ port: port });

wss.on("connection", (socket) => {
    console.log("Connection received: " + socket);
});

console.log(`Listening on port ${port}`);
