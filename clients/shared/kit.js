/**
 * @file
 * @brief The code every browser client of the kit shares: a timestamped log,
 *        a display of the socket's readyState, and the connection controls
 *        (URL, Connect, Close, Message, Send, and a Protocol selector where a
 *        step has one).
 *
 * Each client page imports what it needs from here, so a step's own script
 * holds only what that step adds (how to send, how to show what arrives).
 *
 * One rule runs through this file: text that comes from the network is only
 * ever put into the page as text (`textContent`, `createTextNode`), never as
 * HTML, so a message such as `<img src=x onerror=...>` is shown, not run.
 */

/** The names of the four ready states of a WebSocket, by number (WebSocket API). */
export const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

/** What the common close codes mean (RFC 6455 §7.4.1), for the log. */
export const CLOSE_CODES = {
    1000: "normal closure",
    1001: "going away (the server shuts down, or the page is left)",
    1002: "protocol error",
    1003: "unsupported data",
    1005: "no status code in the close frame",
    1006: "closed without a close frame (refused handshake, or the connection dropped)",
    1007: "invalid data (for example text that is not UTF-8)",
    1008: "policy violation",
    1009: "message too big",
    1011: "server error",
    1013: "try again later",
};

/**
 * Creates an element: `el("button", {type: "button"}, "Connect")`.
 * Children that are strings become text nodes, never HTML.
 * @param {string} tag       the element's tag name
 * @param {Object} attrs     attributes to set (`class`, `aria-label`, ...)
 * @param {...(Node|string)} children the element's content
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        element.setAttribute(name, value);
    }
    // Strings become text nodes, so nothing here is ever parsed as markup.
    element.append(...children);
    return element;
}

/**
 * The WebSocket URL of the server that served this page, `ws://` + host (or
 * `wss://` on an https page), unless the page's address says `?url=...`;
 * `ws://localhost:1337` for a page opened from a file.
 * @param {string} path the path on that server
 * @returns {string}
 */
export function defaultUrl(path = "/") {
    const fromQuery = new URLSearchParams(location.search).get("url");
    if (fromQuery) {
        return fromQuery;
    }
    // A page opened as a file has no server: assume the kit's default port on this machine.
    if (location.protocol === "file:") {
        return "ws://localhost:1337" + path;
    }
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + location.host + path;
}

/** A two-digit (or three-digit) number with leading zeros. */
function pad(number, width = 2) {
    return String(number).padStart(width, "0");
}

/**
 * A log of what happened, newest last, each line with the local time
 * (HH:MM:SS.mmm) in a `<time>` element. The list is a live region
 * (role=log) that a screen reader announces and a test finds by its name.
 */
export class Log {
    /**
     * @param {HTMLElement} list an `<ol>` (or any element) to write into
     * @param {string} label     its accessible name
     */
    constructor(list, label = "Log") {
        this.list = list;
        list.classList.add("kit-log");
        list.setAttribute("role", "log");
        list.setAttribute("aria-label", label);
    }

    /**
     * Adds one line.
     * @param {string} text the line, always shown as text
     * @param {string} kind "info", "sent", "received" or "error" (for the colour)
     */
    write(text, kind = "info") {
        const now = new Date();
        const stamp = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
        const line = el("li", { class: `kit-${kind}` },
            el("time", { datetime: now.toISOString() }, stamp), " ", String(text));
        this.list.append(line);
        // Keep the newest line in view, as a terminal does (scrolling the log only, not the page).
        this.list.scrollTop = this.list.scrollHeight;
        // The browser's console gets the same line, for those who watch devtools.
        console.log(`[${kind}] ${text}`);
    }

    /** Removes every line. */
    clear() {
        this.list.replaceChildren();
    }
}

/**
 * Shows a WebSocket's readyState as a name and its number, e.g. "OPEN (1)";
 * the element's `data-ready-state` attribute carries the number for styling
 * and tests.
 */
export class StatusView {
    /** @param {HTMLElement} output an `<output>` (or any element) to write into */
    constructor(output) {
        this.output = output;
        this.show(WebSocket.CLOSED);
    }

    /**
     * Shows one state.
     * @param {number} state 0..3, as in `WebSocket.readyState`
     * @param {string} extra optional words after it (e.g. "reconnecting in 2 s")
     */
    show(state, extra = "") {
        this.output.dataset.readyState = String(state);
        this.output.textContent = `${READY_STATES[state]} (${state})` + (extra ? ` ${extra}` : "");
    }
}

/**
 * Describes a close event in words for the log: code, meaning, reason.
 * @param {CloseEvent} event
 * @returns {string}
 */
export function describeClose(event) {
    const meaning = CLOSE_CODES[event.code] || "unknown code";
    const reason = event.reason ? `, reason "${event.reason}"` : "";
    return `Closed: code ${event.code} (${meaning})${reason}.`;
}

/**
 * Describes received data in words for the log: text as it is, binary as its size.
 * @param {string|ArrayBuffer} data
 * @returns {string}
 */
export function describeData(data) {
    return typeof data === "string" ? data : `(binary message, ${data.byteLength} bytes)`;
}

/**
 * Opens a WebSocket and reports everything it does to a log and a status view.
 * @param {string} url                the server, `ws://host:port/path`
 * @param {Object} options
 * @param {string[]} [options.protocols] subprotocols to offer, in order of preference
 * @param {Log} options.log            where to write what happens
 * @param {StatusView} [options.status] where to show the readyState
 * @param {function(MessageEvent, WebSocket)} [options.onMessage] what to do with a message
 *        (default: log it as text)
 * @param {function(WebSocket)} [options.onOpen]  called once the socket is open
 * @param {function(CloseEvent, WebSocket)} [options.onClose] called once it has closed
 * @returns {WebSocket|null} the socket, or null when the URL was not valid
 */
export function openSocket(url, { protocols = [], log, status, onMessage, onOpen, onClose } = {}) {
    let socket;
    try {
        // The browser starts the HTTP upgrade at once; devtools' Network tab shows the 101.
        socket = protocols.length ? new WebSocket(url, protocols) : new WebSocket(url);
    } catch (error) {
        // A malformed URL (not ws:// or wss://) throws here instead of failing later.
        log.write(`Cannot connect to "${url}": ${error.message}`, "error");
        return null;
    }
    // Binary messages arrive as ArrayBuffers, so their size is at hand.
    socket.binaryType = "arraybuffer";
    const offered = protocols.length ? ` offering ${protocols.map((p) => `'${p}'`).join(", ")}` : "";
    log.write(`Connecting to ${url}${offered} ...`);
    status?.show(socket.readyState);

    socket.addEventListener("open", () => {
        const chosen = socket.protocol ? ` using protocol '${socket.protocol}'` : "";
        log.write(`Open: connected to ${socket.url}${chosen}.`);
        status?.show(socket.readyState);
        onOpen?.(socket);
    });
    socket.addEventListener("message", (event) => {
        if (onMessage) {
            onMessage(event, socket);
        } else {
            log.write(`Received: ${describeData(event.data)}`, "received");
        }
    });
    socket.addEventListener("error", () => {
        // Browsers say nothing more to the page, on purpose; devtools' console has the details.
        log.write("Error: the connection failed (devtools' console tells why).", "error");
        status?.show(socket.readyState);
    });
    socket.addEventListener("close", (event) => {
        log.write(describeClose(event), event.code === 1000 ? "info" : "error");
        status?.show(socket.readyState);
        onClose?.(event, socket);
    });
    return socket;
}

/**
 * Keeps a connection open: opens it, and when it closes, opens it again after
 * a pause that doubles each time (1 s, 2 s, 4 s, ... up to 30 s) and starts
 * over at 1 s once a connection has opened. Takes the options of openSocket().
 * @returns {{socket: function(): WebSocket|null, stop: function()}} the current
 *          socket, and a way to stop reconnecting (and close)
 */
export function keepConnected(url, options = {}) {
    let socket = null;
    let delay = 1000;
    let timer = null;
    let stopped = false;
    const connect = () => {
        timer = null;
        socket = openSocket(url, {
            ...options,
            onOpen: (ws) => {
                delay = 1000;
                options.onOpen?.(ws);
            },
            onClose: (event, ws) => {
                options.onClose?.(event, ws);
                if (stopped) {
                    return;
                }
                // Wait before the next try, so a server that is down is not flooded.
                options.log.write(`Reconnecting in ${delay / 1000} s ...`);
                options.status?.show(WebSocket.CLOSED, `(reconnecting in ${delay / 1000} s)`);
                timer = setTimeout(connect, delay);
                delay = Math.min(delay * 2, 30000);
            },
        });
    };
    connect();
    return {
        socket: () => socket,
        stop: () => {
            stopped = true;
            if (timer) {
                clearTimeout(timer);
            }
            socket?.close(1000, "Client closed");
        },
    };
}

/**
 * Builds the standard controls into @p root and wires them to a WebSocket:
 * a field labelled URL, a Protocol selector (when options.protocols is
 * given), Connect and Close buttons, a field labelled Message with a Send
 * button, the readyState, and the log.
 *
 * @param {HTMLElement} root  where the controls go
 * @param {Object} options
 * @param {string} [options.path]  the path on the server the page came from (default "/")
 * @param {{label: string, value: string[]}[]} [options.protocols] the Protocol
 *        choices: what the list shows, and the offers it makes
 * @param {function(string, WebSocket): (string|null)} [options.prepare] turns
 *        what the user typed into what is sent (null: send nothing)
 * @param {function(MessageEvent, WebSocket, Log)} [options.onMessage] shows a
 *        received message (default: as text)
 * @param {function(WebSocket, Log)} [options.onOpen]  extra work once open
 * @param {function(CloseEvent, WebSocket, Log)} [options.onClose] extra work once closed
 * @param {string} [options.message] the Message field's first value
 * @returns {{log: Log, status: StatusView, socket: function(): (WebSocket|null)}}
 */
export function mountClient(root, options = {}) {
    const url = el("input", { type: "text", id: "kit-url", name: "url", size: "30", spellcheck: "false", value: defaultUrl(options.path) });
    const connect = el("button", { type: "submit" }, "Connect");
    const close = el("button", { type: "button" }, "Close");
    const message = el("input", { type: "text", id: "kit-message", name: "message", size: "40", value: options.message ?? "" });
    const send = el("button", { type: "submit" }, "Send");
    const state = el("output", { class: "kit-state" });
    const chosen = el("output", { class: "kit-protocol" }, "(none)");
    const list = el("ol");

    const connectRow = el("p", { class: "kit-row" }, el("label", { for: "kit-url" }, "URL"), url);
    let protocol = null;
    if (options.protocols) {
        // The selector's values are indexes into options.protocols.
        protocol = el("select", { id: "kit-protocol", name: "protocol" },
            ...options.protocols.map((choice, i) => el("option", { value: String(i) }, choice.label)));
        connectRow.append(el("label", { for: "kit-protocol" }, "Protocol"), protocol);
    }
    connectRow.append(connect, close);

    const statusRow = el("p", { class: "kit-row kit-status" }, "State: ", state);
    if (options.protocols) {
        statusRow.append(" · Chosen protocol (websocket.protocol): ", chosen);
    }
    // Two forms, so that Enter in the URL field connects and Enter in the Message field sends.
    const connectForm = el("form", { class: "kit-controls", autocomplete: "off" }, connectRow);
    const messageForm = el("form", { class: "kit-controls", autocomplete: "off" },
        el("p", { class: "kit-row" }, el("label", { for: "kit-message" }, "Message"), message, send));
    root.append(connectForm, messageForm, statusRow, el("h2", {}, "Log"), list);

    const log = new Log(list);
    const status = new StatusView(state);
    let socket = null;
    // Which Connect is the current one: a replaced socket still closes later, and must not
    // then show its CLOSED over the state of the socket that replaced it.
    let generation = 0;

    connectForm.addEventListener("submit", (event) => {
        event.preventDefault();
        // One connection per page: a new Connect replaces the old socket.
        if (socket && socket.readyState <= WebSocket.OPEN) {
            socket.close(1000, "Reconnecting");
        }
        const protocols = protocol ? options.protocols[Number(protocol.value)].value : [];
        chosen.textContent = "(none)";
        const mine = ++generation;
        socket = openSocket(url.value.trim(), {
            protocols,
            log,
            status: { show: (...args) => mine === generation && status.show(...args) },
            onMessage: (event, ws) => {
                if (options.onMessage) {
                    options.onMessage(event, ws, log);
                } else {
                    log.write(`Received: ${describeData(event.data)}`, "received");
                }
            },
            onOpen: (ws) => {
                chosen.textContent = ws.protocol ? `'${ws.protocol}'` : "(none)";
                options.onOpen?.(ws, log);
            },
            onClose: (event, ws) => options.onClose?.(event, ws, log),
        });
    });

    close.addEventListener("click", () => {
        if (!socket || socket.readyState >= WebSocket.CLOSING) {
            log.write("The websocket is not connected to a server.", "error");
            return;
        }
        log.write("Closing ...");
        socket.close(1000, "Client closed");
        status.show(socket.readyState);
    });

    // Send is its form's submit button, so Enter in the Message field sends too.
    messageForm.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!socket || socket.readyState !== WebSocket.OPEN) {
            log.write("The websocket is not connected to a server.", "error");
            return;
        }
        const text = message.value;
        const data = options.prepare ? options.prepare(text, socket) : text;
        if (data === null) {
            return;
        }
        socket.send(data);
        log.write(`Sent: ${data}`, "sent");
    });

    return { log, status, socket: () => socket };
}
