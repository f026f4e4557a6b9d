/**
 * @file
 * @brief What both Node reference servers share: the settings from the environment,
 *        the log, the HTTP server with its ready line, and a clean shutdown.
 *
 * These servers are the article's echo and broadcast servers on `ws@8`, written for the
 * benchmark so that the kit is compared with what the article teaches, under the same
 * contract as the kit's servers (SPEC.md): `DBWEBB_PORT` (0 = any free port),
 * `DBWEBB_HOST`, `DBWEBB_LOG=quiet` (no line per message), `DBWEBB_MAX_MESSAGE`.
 */
"use strict";

const http = require("http");
const WebSocket = require("ws");

const port = Number(process.env.DBWEBB_PORT ?? 1337);
const host = process.env.DBWEBB_HOST || "0.0.0.0";
const quiet = process.env.DBWEBB_LOG === "quiet";
const maxPayload = Number(process.env.DBWEBB_MAX_MESSAGE || 1024 * 1024);

/** One log line on stdout, as the article's console.log. */
const log = (line) => console.log(line);

/** A per-message log line: dropped with DBWEBB_LOG=quiet, as the kit's servers do. */
const logMessage = quiet ? () => {} : log;

/** What a received message looks like in the log: text as text, binary as its size. */
const describe = (data, isBinary) => (isBinary ? `${data.length} bytes` : data.toString());

/**
 * Starts an HTTP server that answers "Hello World" with a WebSocket server on the same port,
 * calls onConnection(ws, wss) for every client, prints the ready line, and on SIGINT/SIGTERM
 * says "going away" (1001) to every client and exits.
 */
function serve(onConnection) {
    const server = http.createServer((req, res) => {
        log(`Webserver received: ${req.url}`);
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("Hello World\n");
    });
    const wss = new WebSocket.Server({ server, clientTracking: true, maxPayload });

    wss.on("connection", (ws) => {
        ws.on("error", (error) => log(`Server error: ${error}`));
        onConnection(ws, wss);
    });

    server.on("error", (error) => {
        console.error(`cannot listen on ${host}:${port}: ${error.message}`);
        process.exit(1);
    });
    server.listen(port, host, () => log(`Server is listening on ${server.address().port}`));

    const stop = () => {
        server.close();
        for (const client of wss.clients) client.close(1001, "");
        // Clients get a second to answer the close frame, as the kit's servers give them.
        setTimeout(() => process.exit(0), 1000).unref();
        wss.close(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    return wss;
}

module.exports = { WebSocket, log, logMessage, describe, serve };
