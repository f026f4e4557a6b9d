/**
 * @file
 * @brief What every client page shares, and no WebSocket code: the controls (URL, Protocol,
 *        Connect, Close, Message, Send), the line that shows the readyState, and the log.
 *
 * The WebSocket code of each step lives in that step's own client.js, as in the article:
 * the page calls the client's connect(), close() and send(), and the client writes what
 * happens to the log.
 *
 * One rule runs through this file: text from the network goes into the page only as text
 * (`textContent`, text nodes), never as HTML, so a message such as `<img src=x onerror=...>`
 * is shown, not run.
 */

/** The names of the four ready states, by number (the WebSocket API's `readyState`). */
const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

/** What the common close codes mean (RFC 6455 §7.4.1), for the log. */
const CLOSE_CODES = {
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

/** The most lines a log keeps: a page left open for days must not grow without end. */
const MAX_LOG_LINES = 500;

/**
 * Creates an element: `el("button", {type: "button"}, "Connect")`.
 * @param {string} tag       the element's tag name
 * @param {Object} attrs     attributes to set (`class`, `aria-label`, ...)
 * @param {...(Node|string)} children its content; strings become text nodes, never HTML
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
        element.setAttribute(name, value);
    }
    element.append(...children);
    return element;
}

/**
 * The server to connect to: the page's `?url=...` if it has one, else the server that served
 * the page (`ws://` + its host, `wss://` on an https page), else, for a page opened as a file,
 * the kit's default port on this machine.
 * @returns {string}
 */
export function defaultUrl() {
    const fromQuery = new URLSearchParams(location.search).get("url");
    if (fromQuery) {
        return fromQuery;
    }
    if (location.protocol === "file:") {
        return "ws://localhost:1337/";
    }
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/";
}

/**
 * A log of what happened, newest last, each line with its local time (HH:MM:SS.mmm). The list
 * is a live region (role=log) that a screen reader announces and a test finds by its name.
 */
export class Log {
    /** @param {HTMLElement} list the `<ol>` to write into */
    constructor(list) {
        this.list = list;
        list.classList.add("kit-log");
        list.setAttribute("role", "log");
        list.setAttribute("aria-label", "Log");
    }

    /**
     * Adds one line.
     * @param {string} text the line, always shown as text
     * @param {string} kind "info", "sent", "received" or "error" (for the colour)
     */
    write(text, kind = "info") {
        const now = new Date();
        // The local time as HH:MM:SS, then the milliseconds.
        const ms = String(now.getMilliseconds()).padStart(3, "0");
        const time = `${now.toTimeString().slice(0, 8)}.${ms}`;
        this.list.append(el("li", { class: `kit-${kind}` },
            el("time", { datetime: now.toISOString() }, time), " ", String(text)));
        if (this.list.children.length > MAX_LOG_LINES) {
            this.list.firstElementChild.remove();
        }
        // Keep the newest line in view, as a terminal does (the log scrolls, not the page).
        this.list.scrollTop = this.list.scrollHeight;
        // The browser's console gets the same line, for those who watch devtools.
        console.log(`[${kind}] ${text}`);
    }
}

/**
 * Shows a readyState as its name and number, e.g. "OPEN (1)"; the element's
 * `data-ready-state` attribute carries the number, for the colour and for tests.
 */
export class StatusView {
    /** @param {HTMLElement} output the `<output>` to write into */
    constructor(output) {
        this.output = output;
        this.show(3);  // CLOSED: nothing is connected yet
    }

    /**
     * Shows one state.
     * @param {number} state 0..3, a socket's `readyState`
     * @param {string} extra words after it, e.g. "(reconnecting in 2 s)"
     */
    show(state, extra = "") {
        this.output.dataset.readyState = String(state);
        this.output.textContent = `${READY_STATES[state]} (${state})` + (extra ? ` ${extra}` : "");
    }
}

/**
 * A close event in words for the log: its code, what the code means, and the reason.
 * @param {CloseEvent} event
 * @returns {string}
 */
export function describeClose(event) {
    const meaning = CLOSE_CODES[event.code] || "unknown code";
    const reason = event.reason ? `, reason "${event.reason}"` : "";
    return `Closed: code ${event.code} (${meaning})${reason}.`;
}

/**
 * Builds the controls into @p root and calls the client's functions when they are used:
 * Connect (or Enter in URL) calls `connect(url, offers)`, Close calls `close()`, Send (or Enter
 * in Message) calls `send(text)`.
 *
 * @param {HTMLElement} root where the controls go
 * @param {Object} options
 * @param {string} options.message the Message field's first text
 * @param {{label: string, offers: string[]}[]} [options.protocols] the Protocol selector's
 *        choices: what it shows, and the subprotocols that choice offers (none: no selector)
 * @param {function(string, string[])} options.connect
 * @param {function()} options.close
 * @param {function(string)} options.send
 * @returns {{log: Log, status: StatusView, chosen: HTMLElement}} the log, the readyState line,
 *          and the output that shows the chosen subprotocol (with a Protocol selector only)
 */
export function mountForm(root, { message, protocols, connect, close, send }) {
    const url = el("input", { type: "text", id: "kit-url", size: "30", spellcheck: "false",
        value: defaultUrl() });
    const text = el("input", { type: "text", id: "kit-message", size: "40", value: message });
    const closeButton = el("button", { type: "button" }, "Close");
    const state = el("output", { class: "kit-state" });
    const chosen = el("output", { class: "kit-protocol" }, "(none)");
    const list = el("ol");

    const connectRow = el("p", { class: "kit-row" }, el("label", { for: "kit-url" }, "URL"), url);
    const statusRow = el("p", { class: "kit-row kit-status" }, "State: ", state);
    let protocol = null;
    if (protocols) {
        // The selector's values are indexes into protocols.
        protocol = el("select", { id: "kit-protocol" },
            ...protocols.map((choice, i) => el("option", { value: String(i) }, choice.label)));
        connectRow.append(el("label", { for: "kit-protocol" }, "Protocol"), protocol);
        statusRow.append(" · Chosen protocol (websocket.protocol): ", chosen);
    }
    connectRow.append(el("button", { type: "submit" }, "Connect"), closeButton);

    // Two forms, so that Enter in the URL field connects and Enter in the Message field sends.
    const connectForm = el("form", { class: "kit-controls", autocomplete: "off" }, connectRow);
    const messageForm = el("form", { class: "kit-controls", autocomplete: "off" },
        el("p", { class: "kit-row" }, el("label", { for: "kit-message" }, "Message"), text,
            el("button", { type: "submit" }, "Send")));
    root.append(connectForm, messageForm, statusRow, el("h2", {}, "Log"), list);

    connectForm.addEventListener("submit", (event) => {
        event.preventDefault();  // the page stays; only the script acts
        connect(url.value.trim(), protocol ? protocols[Number(protocol.value)].offers : []);
    });
    closeButton.addEventListener("click", () => close());
    messageForm.addEventListener("submit", (event) => {
        event.preventDefault();
        send(text.value);
    });
    return { log: new Log(list), status: new StatusView(state), chosen };
}
