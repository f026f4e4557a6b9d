/**
 * @file
 * @brief The connect client (article #clientconnectcode, servers of 01-connect): open a
 *        WebSocket and close it again. Those servers answer nothing, so there is no message
 *        handler here; the echo client (../echo/client.js) adds one.
 *
 * The page's controls and log come from ../shared/page.js; all WebSocket code is in this file.
 */
import { describeClose, mountForm } from "../shared/page.js";

/** The page's connection: null until the first Connect. */
let websocket = null;

// The page calls connect(), close() and send() below when its buttons are used.
const { log, status } = mountForm(document.getElementById("client"),
    { message: "Anyone there?", connect, close, send });

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
        // Creating the object is all it takes: the browser sends the HTTP upgrade request at
        // once, and devtools' Network tab shows the server's answer, 101 Switching Protocols.
        socket = new WebSocket(url);
    } catch (error) {
        // A URL the browser cannot use (ftp://, a typo) throws here, before any connection.
        log.write(`Cannot connect to "${url}": ${error.message}`, "error");
        return;
    }
    websocket = socket;
    log.write(`Connecting to ${url} ...`);
    status.show(websocket.readyState);

    // The handlers run later, when the browser has news of this connection.
    socket.onopen = () => {
        log.write(`Open: connected to ${socket.url}.`);
        status.show(websocket.readyState);
    };
    socket.onerror = () => {
        // A server that does not upgrade (01's server-http) ends here, then in onclose with 1006.
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
 * Send: sends @p text on an open connection; a server of 01-connect reads it and answers nothing.
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
