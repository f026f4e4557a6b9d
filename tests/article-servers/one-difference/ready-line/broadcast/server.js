/**
 * Article section #broadcast, on the Express echo server of #echo-server:
 * ws keeps the open clients (clientTracking), and every message goes to all
 * of them but its sender. A new client is announced to the others.
 *
 * ONE DIFFERENCE: the ready line is reworded, `Listening on port <port>`
 * instead of the article's `Server is listening on <port>`.
 */
"use strict";

const port = process.env.DBWEBB_PORT || 1337;
const express = require("express");
const http = require("http");
const url = require("url"); // required by the article, not used yet
const WebSocket = require("ws");

const app = express();
const server = http.createServer(app);
const wss = new WebSocket.Server({
    server: server,
    clientTracking: true // keep the open clients in wss.clients
});

// Every HTTP request gets the same answer.
app.use((req, res) => {
    res.send({ msg: "hello" });
});

// Send data to every open client except ws, the sender.
wss.broadcastExcept = (ws, data) => {
    let clients = 0;

    wss.clients.forEach((client) => {
        if (client !== ws && client.readyState === WebSocket.OPEN) {
            clients++;
            client.send(data);
        }
    });
    console.log(`Broadcasted data to ${clients} (${wss.clients.size}) clients.`);
};

wss.on("connection", (ws, req) => {
    console.log("Connection received. Adding client.");

    wss.broadcastExcept(ws, `New client connected (${wss.clients.size}).`);

    ws.on("message", (message) => {
        console.log("Received: %s", message);
        wss.broadcastExcept(ws, message);
    });

    ws.on("error", (error) => {
        console.log(`Server error: ${error}`);
    });

    ws.on("close", (code, reason) => {
        console.log(`Closing connection: ${code} ${reason}`);
    });
});

server.listen(port, () => {
    console.log(`Listening on port ${port}`);
});
