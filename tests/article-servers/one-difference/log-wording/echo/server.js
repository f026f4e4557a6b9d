/**
 * Article section #echo-server, on the #httpws base: Node's HTTP server says
 * "Hello World", and every WebSocket message goes back to its sender.
 *
 * ONE DIFFERENCE: a message is logged as `Got: <message>` instead of the
 * article's `Received: <message>`.
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
        console.log("Got: %s", message);
        ws.send(message);
    });

    ws.on("error", (error) => {
        console.log(`Server error: ${error}`);
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
