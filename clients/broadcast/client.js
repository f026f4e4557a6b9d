/**
 * @file
 * @brief The broadcast client (article #broadcast, server 03-broadcast): the echo client's code,
 *        unchanged, for the change is all on the server. What this page receives now comes from
 *        the other clients, and from the server when a client comes or goes; never its own
 *        messages. Open it in two tabs.
 *
 * The page's controls and log come from ../shared/page.js; all WebSocket code is in this file.
 */
import { describeClose, mountForm } from "../shared/page.js";

/** The page's connection: null until the first Connect. */
let websocket = null;

// The page calls connect(), close() and send() below when its buttons are used.
const { log, status } = mountForm(document.getElementById("client"),
    { message: "Hello, everyone!", connect, close, send });

/**
 * Connect: opens a connection to @p url and logs what happens to it.
 * @param {string} url the server, `ws://host:port/`
 */
function connect(url) {
    // One connection per page: a new Connect closes the one before.
    if (websocket && websocket.readyState <= WebSocket.OPEN) {
        websocket.close(1000, "Reconnecting");
    }
    let socket;
    try {
        // Creating the object starts the HTTP upgrade; devtools' Network tab shows the 101.
        socket = new WebSocket(url);
    } catch (error) {
        // A URL the browser cannot use (ftp://, a typo) throws here, before any connection.
        log.write(`Cannot connect to "${url}": ${error.message}`, "error");
        return;
    }
    websocket = socket;
    log.write(`Connecting to ${url} ...`);
    status.show(websocket.readyState);

    socket.onopen = () => {
        log.write(`Open: connected to ${socket.url}.`);
        status.show(websocket.readyState);
    };
    // Another client's message, or the server's notice of a client that came or went.
    socket.onmessage = (event) => {
        log.write(`Received: ${event.data}`, "received");
    };
    socket.onerror = () => {
        // The browser tells the page no more, on purpose; devtools' console says why.
        log.write("Error: the connection failed (devtools' console tells why).", "error");
    };
    socket.onclose = (event) => {
        log.write(describeClose(event), event.code === 1000 ? "info" : "error");
        // The page's connection, which may be a newer one than this socket.
        status.show(websocket.readyState);
    };
}

/** Close: starts the closing handshake (code 1000); the close handler logs its end. */
function close() {
    if (!websocket || websocket.readyState >= WebSocket.CLOSING) {
        log.write("The websocket is not connected to a server.", "error");
        return;
    }
    log.write("Closing ...");
    websocket.close(1000, "Client closed");
    status.show(websocket.readyState);
}

/**
 * Send: sends @p text, but only on an open connection.
 * @param {string} text what was typed in Message
 */
function send(text) {
    // Not only CLOSED (3): send() throws while CONNECTING (0) and drops the data while CLOSING (2).
    if (!websocket || websocket.readyState !== WebSocket.OPEN) {
        log.write("The websocket is not connected to a server.", "error");
        return;
    }
    websocket.send(text);
    log.write(`Sent: ${text}`, "sent");
}
