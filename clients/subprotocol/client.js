/**
 * @file
 * @brief The subprotocol client (#sub): the shared controls plus a Protocol
 *        selector; with `json` chosen it sends `{"data": ...}` and unpacks the
 *        `{"timestamp", "data"}` (or `{"error"}`) that comes back.
 */
import { mountClient, describeData } from "../shared/kit.js";

/** What the Protocol selector offers: the two the server knows, none, and some it does not know. */
const choices = [
    { label: "text", value: ["text"] },
    { label: "json", value: ["json"] },
    { label: "(none)", value: [] },
    { label: "soap, json", value: ["soap", "json"] },
    { label: "soap", value: ["soap"] },
    { label: "mqtt", value: ["mqtt"] },
];

/** Shows one message received over `json`: its data and when the server sent it, or its error. */
function showJson(text, log) {
    let message;
    try {
        message = JSON.parse(text);
    } catch {
        log.write(`Received (not JSON): ${text}`, "error");
        return;
    }
    if (message && typeof message.error === "string") {
        log.write(`Server says error: ${message.error}`, "error");
    } else if (message && "data" in message) {
        log.write(`Received: ${message.data} (sent ${message.timestamp})`, "received");
    } else {
        log.write(`Received: ${text}`, "received");
    }
}

/** The sockets that got as far as open (a refused one never does). */
const opened = new WeakSet();

mountClient(document.getElementById("client"), {
    protocols: choices,
    message: "Hello, protocols!",
    // The protocol the server chose decides the format, not what we offered.
    prepare: (text, socket) => (socket.protocol === "json" ? JSON.stringify({ data: text }) : text),
    onMessage: (event, socket, log) => {
        if (socket.protocol === "json" && typeof event.data === "string") {
            showJson(event.data, log);
        } else {
            log.write(`Received: ${describeData(event.data)}`, "received");
        }
    },
    onOpen: (socket) => opened.add(socket),
    onClose: (event, socket, log) => {
        // A connection that never opened: the likely reason on this page is the protocol.
        if (!opened.has(socket)) {
            log.write("If the server knew none of the offered protocols, its answer named none, " +
                "and the browser failed the connection (RFC 6455 §4.2.2).");
        }
    },
});
