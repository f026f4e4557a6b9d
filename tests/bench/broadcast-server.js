/**
 * @file
 * @brief The article's broadcast server (#broadcast) on ws@8: every message goes to every
 *        other client, with the greeting on connect and the kit's farewell and heartbeat.
 */
"use strict";

const { WebSocket, log, logMessage, describe, serve } = require("./common");

/** How often idle clients are pinged; one that has not answered by the next round is dropped. */
const heartbeatMs = 30000;

/** What one client may have waiting to be sent before it is dropped, as the kit's send queue cap. */
const sendQueueBytes = Number(process.env.DBWEBB_SEND_QUEUE_BYTES || 4 * 1024 * 1024);

/** Sends data to every open client but `except`, and logs the count as the article does. */
function broadcastExcept(wss, except, data, isBinary) {
    let sent = 0;
    for (const client of wss.clients) {
        if (client !== except && client.readyState === WebSocket.OPEN) {
            // A client that does not read must not make the server hold its messages forever.
            if (client.bufferedAmount > sendQueueBytes) {
                client.close(1008, "send queue full");
                continue;
            }
            sent++;
            client.send(data, { binary: isBinary });
        }
    }
    logMessage(`Broadcasted data to ${sent} (${wss.clients.size}) clients.`);
}

const wss = serve((ws, wss) => {
    log("Connection received. Adding client.");
    ws.isAlive = true;
    ws.on("pong", () => { ws.isAlive = true; });

    broadcastExcept(wss, ws, `New client connected (${wss.clients.size}).`, false);

    ws.on("message", (data, isBinary) => {
        logMessage(`Received: ${describe(data, isBinary)}`);
        broadcastExcept(wss, ws, data, isBinary);
    });

    ws.on("close", (code, reason) => {
        log(`Closing connection: ${code} ${reason}`);
        broadcastExcept(wss, ws, `Client disconnected (${wss.clients.size}).`, false);
    });
});

// The ws heartbeat pattern: ping every client, drop those that missed the last ping.
const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
        if (!ws.isAlive) {
            ws.terminate();
            continue;
        }
        ws.isAlive = false;
        ws.ping();
    }
}, heartbeatMs);
wss.on("close", () => clearInterval(heartbeat));
