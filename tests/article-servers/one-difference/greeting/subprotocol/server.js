/**
 * Article section #sub, on the broadcast server of #broadcast: handleProtocols
 * picks the first of "text" or "json" in the client's order, and a message
 * from a json client goes out wrapped as {timestamp: Date(), data}.
 *
 * ONE DIFFERENCE: the others are greeted with `Joined chat.` instead of
 * the article's `New client connected (<n>).`.
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
    clientTracking: true, // keep the open clients in wss.clients
    handleProtocols: handleProtocols // choose the subprotocol
});

// Every HTTP request gets the same answer.
app.use((req, res) => {
    res.send({ msg: "hello" });
});

/**
 * Choose the subprotocol: the first offer the server knows, or false.
 *
 * @param {Array} protocols The offers of the client, in its order.
 *
 * @return {string|boolean} The chosen protocol, or false for none.
 */
function handleProtocols(protocols /*, request */) {
    console.log(`Incoming protocol requests '${protocols}'.`);
    for (const protocol of protocols) {
        if (protocol === "text" || protocol === "json") {
            return protocol;
        }
    }
    return false;
}

// Send data to every open client except ws, formatted by the protocol of ws.
wss.broadcastExcept = (ws, data) => {
    let clients = 0;

    wss.clients.forEach((client) => {
        if (client !== ws && client.readyState === WebSocket.OPEN) {
            clients++;
            if (ws.protocol === "json") {
                let msg = {
                    timestamp: Date(),
                    data: data
                };

                client.send(JSON.stringify(msg));
            } else {
                client.send(data);
            }
        }
    });
    console.log(`Broadcasted data to ${clients} (${wss.clients.size}) clients.`);
};

wss.on("connection", (ws, req) => {
    console.log("Connection received. Adding client.");

    wss.broadcastExcept(ws, "Joined chat.");

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
    console.log(`Server is listening on ${port}`);
});
