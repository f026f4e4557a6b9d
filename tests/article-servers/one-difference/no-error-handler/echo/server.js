/**
 * Article section #echo-server, on the #httpws base: Node's HTTP server says
 * "Hello World", and every WebSocket message goes back to its sender.
 *
 * ONE DIFFERENCE: no `error` handler on the socket. With ws 3 a bad frame or
 * a client's TCP reset then throws `Unhandled 'error' event` and the server
 * exits 1 (README, fact f).
 */
"use strict";

const port = process.env.DBWEBB_PORT || 1337;
const http = require("http");
const WebSocket = require("ws");

const server = http.createServer((request, response) => {
    console.log("Webserver received: " + request.url);
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end("Hello World\n");
});

const wss = new WebSocket.Server({
    server: server
});

wss.on("connection", (ws, req) => {
    console.log("Connection received.");

    ws.on("message", (message) => {
        console.log("Received: %s", message);
        ws.send(message);
    });

    ws.on("close", (code, reason) => {
        console.log(`Closing connection: ${code} ${reason}`);
    });
});

server.listen(port, (err) => {
    if (err) {
        return console.log("Something bad happened", err);
    }
    console.log(`Server is listening on ${port}`);
});
