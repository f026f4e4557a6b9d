/**
 * Article section #echo-server, on the #wsexpress base: Express answers HTTP
 * with JSON, and every WebSocket message goes back to its sender.
 */
"use strict";

const port = process.env.DBWEBB_PORT || 1337;
const express = require("express");
const http = require("http");
const url = require("url"); // required by the article, not used yet
const WebSocket = require("ws");

const app = express();
const server = http.createServer(app);
const wss = new WebSocket.Server({ server });

// Every HTTP request gets the same answer.
app.use((req, res) => {
    res.send({ msg: "hello" });
});

wss.on("connection", (ws, req) => {
    console.log("Connection received.");

    ws.on("message", (message) => {
        console.log("Received: %s", message);
        ws.send(message);
    });

    ws.on("error", (error) => {
        console.log(`Server error: ${error}`);
    });

    ws.on("close", (code, reason) => {
        console.log(`Closing connection: ${code} ${reason}`);
    });
});

server.listen(port, () => {
    console.log(`Server is listening on ${port}`);
});
