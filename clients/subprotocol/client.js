/**
 * @file
 * @brief The subprotocol client (article #sub, server 04-subprotocol): the broadcast client's
 *        code, plus a subprotocol. `new WebSocket(url, offers)` names the protocols this page
 *        speaks; the server picks one and the browser shows it in `websocket.protocol`. With
 *        `json` the page sends `{"data": ...}` and unpacks the `{"timestamp", "data"}` (or
 *        `{"error"}`) that arrives.
 *
 * The page's controls and log come from ../shared/page.js; all WebSocket code is in this file.
 */
import { describeClose, mountForm } from "../shared/page.js";

/** The Protocol selector's choices: the two the server knows, none, and some it does not know. */
const protocols = [
    { label: "text", offers: ["text"] },
    { label: "json", offers: ["json"] },
    { label: "(none)", offers: [] },
    { label: "soap, json", offers: ["soap", "json"] },
    { label: "soap", offers: ["soap"] },
    { label: "mqtt", offers: ["mqtt"] },
];

/** The page's connection: null until the first Connect. */
let websocket = null;

// The page calls connect(), close() and send() below when its buttons are used.
const { log, status, chosen } = mountForm(document.getElementById("client"),
    { message: "Hello, protocols!", protocols, connect, close, send });

/**
 * Connect: opens a connection to @p url that offers the subprotocols @p offers.
 * @param {string} url      the server, `ws://host:port/`
 * @param {string[]} offers subprotocols, the one this page likes best first
 */
function connect(url, offers) {
    // One connection per page: a new Connect closes the one before.
    if (websocket && websocket.readyState <= WebSocket.OPEN) {
        websocket.close(1000, "Reconnecting");
    }
    let socket;
    try {
        // The offers go in the upgrade request's Sec-WebSocket-Protocol header; with none
        // the header is left out, and the connection is plain text.
        socket = offers.length ? new WebSocket(url, offers) : new WebSocket(url);
    } catch (error) {
        // A URL the browser cannot use (ftp://, a typo) throws here, before any connection.
        log.write(`Cannot connect to "${url}": ${error.message}`, "error");
        return;
    }
    websocket = socket;
    chosen.textContent = "(none)";
    const offered = offers.map((name) => `'${name}'`).join(", ");
    log.write(`Connecting to ${url}${offers.length ? ` offering ${offered}` : ""} ...`);
    status.show(websocket.readyState);
    // Whether the connection opened: a server that picks none of the offers fails it.
    let opened = false;

    socket.onopen = () => {
        opened = true;
        // The server's choice, or "" when it chose none and nothing was offered.
        const protocol = socket.protocol;
        chosen.textContent = protocol ? `'${protocol}'` : "(none)";
        const using = protocol ? ` using protocol '${protocol}'` : "";
        log.write(`Open: connected to ${socket.url}${using}.`);
        status.show(websocket.readyState);
    };
    socket.onmessage = (event) => {
        // What arrives depends on the protocol the server chose for this page, not on the sender.
        if (socket.protocol === "json") {
            showJson(event.data);
        } else {
            log.write(`Received: ${event.data}`, "received");
        }
    };
    socket.onerror = () => {
        // The browser tells the page no more, on purpose; devtools' console says why.
        log.write("Error: the connection failed (devtools' console tells why).", "error");
    };
    socket.onclose = (event) => {
        log.write(describeClose(event), event.code === 1000 ? "info" : "error");
        if (!opened) {
            log.write("If the server knew none of the offered protocols, its answer named none, " +
                "and the browser failed the connection (RFC 6455 §4.2.2).");
        }
        // The page's connection, which may be a newer one than this socket.
        status.show(websocket.readyState);
    };
}

/**
 * Shows one message of the `json` protocol: its data and when the server sent it, or its error.
 * @param {string} text the message as it arrived
 */
function showJson(text) {
    let message;
    try {
        message = JSON.parse(text);
    } catch {
        log.write(`Received (not JSON): ${text}`, "error");
        return;
    }
    if (typeof message?.error === "string") {
        log.write(`Server says error: ${message.error}`, "error");
    } else if (message?.data !== undefined) {
        log.write(`Received: ${message.data} (sent ${message.timestamp})`, "received");
    } else {
        log.write(`Received: ${text}`, "received");
    }
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
 * Send: sends @p text, but only on an open connection; over `json`, wrapped as `{"data": text}`.
 * @param {string} text what was typed in Message
 */
function send(text) {
    // Not only CLOSED (3): send() throws while CONNECTING (0) and drops the data while CLOSING (2).
    if (!websocket || websocket.readyState !== WebSocket.OPEN) {
        log.write("The websocket is not connected to a server.", "error");
        return;
    }
    const data = websocket.protocol === "json" ? JSON.stringify({ data: text }) : text;
    websocket.send(data);
    log.write(`Sent: ${data}`, "sent");
}
