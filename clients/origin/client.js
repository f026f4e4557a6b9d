/**
 * @file
 * @brief The origin client (#sameorigin): the shared controls, plus what
 *        the page can tell about the Origin check — its own origin, a link to
 *        the same page from another origin, and a hint when a connection fails.
 */
import { mountClient } from "../shared/kit.js";

/** The address of this page with another loopback name: localhost <-> 127.0.0.2. */
function otherOrigin() {
    const other = new URL(location.href);
    other.hostname = location.hostname === "localhost" ? "127.0.0.2" : "localhost";
    return other.href;
}

// What the browser will send as Origin is exactly this page's origin.
document.getElementById("page-origin").textContent = location.origin;
const link = document.getElementById("other-origin");
link.href = otherOrigin();
link.textContent = link.href;

/** The sockets that opened, so a failure before open can be explained. */
const opened = new WeakSet();

mountClient(document.getElementById("client"), {
    message: "Hello from " + location.origin,
    onOpen: (socket, log) => {
        opened.add(socket);
        log.write(`The server accepted Origin ${location.origin}.`);
    },
    onClose: (event, socket, log) => {
        if (!opened.has(socket)) {
            log.write(`The handshake failed. Was Origin ${location.origin} refused? ` +
                "Devtools' Network tab shows the status (403), the server's log the reason.", "error");
        }
    },
});
