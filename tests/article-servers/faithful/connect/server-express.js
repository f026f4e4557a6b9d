/**
 * Article section #wsexpress: Express answers every HTTP request with JSON,
 * and ws shares its HTTP server. Connections are only logged.
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
});

server.listen(port, () => {
    console.log(`Server is listening on ${port}`);
});
