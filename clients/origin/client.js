/**
 * @file
 * @brief The origin client (article #sameorigin, server 05-origin): the broadcast client's code,
 *        plus what a page can tell about the server's Origin check. The browser sends this
 *        page's origin in the upgrade request; the server accepts the connection or answers
 *        403, and a refused page sees only a failed connection (code 1006), never the 403.
 *
 * The page's controls and log come from ../shared/page.js; all WebSocket code is in this file.
 */
import { describeClose, mountForm } from "../shared/page.js";

// What the browser will send as Origin is exactly this page's origin (no script can change it).
document.getElementById("page-origin").textContent = location.origin;
// The same page from another loopback name (localhost <-> 127.0.0.2), to compare.
const other = new URL(location.href);
other.hostname = location.hostname === "localhost" ? "127.0.0.2" : "localhost";
const link = document.getElementById("other-origin");
link.href = other.href;
link.textContent = other.href;

/** The page's connection: null until the first Connect. */
let websocket = null;

// The page calls connect(), close() and send() below when its buttons are used.
const { log, status } = mountForm(document.getElementById("client"),
    { message: "Hello from " + location.origin, connect, close, send });

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
        // Creating the object starts the HTTP upgrade, with this page's Origin in it.
        socket = new WebSocket(url);
    } catch (error) {
        // A URL the browser cannot use (ftp://, a typo) throws here, before any connection.
        log.write(`Cannot connect to "${url}": ${error.message}`, "error");
        return;
    }
    websocket = socket;
    log.write(`Connecting to ${url} ...`);
    status.show(websocket.readyState);
    // Whether the server let this socket in: a refused one closes without ever opening.
    let opened = false;

    socket.onopen = () => {
        opened = true;
        log.write(`Open: connected to ${socket.url}.`);
        log.write(`The server accepted Origin ${location.origin}.`);
        status.show(websocket.readyState);
    };
    socket.onmessage = (event) => {
        log.write(`Received: ${event.data}`, "received");
    };
    socket.onerror = () => {
        // The browser tells the page no more, on purpose; devtools' console says why.
        log.write("Error: the connection failed (devtools' console tells why).", "error");
    };
    socket.onclose = (event) => {
        log.write(describeClose(event), event.code === 1000 ? "info" : "error");
        if (!opened) {
            log.write(`The handshake failed. Was Origin ${location.origin} refused? Devtools' ` +
                "Network tab shows the status (403), the server's log the reason.", "error");
        }
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
