/**
 * @file
 * @brief The prices client (article #stock-prices, server 06-simulate-prices): one live line
 *        chart per cake, drawn with uPlot from the server's JSON messages, over a WebSocket
 *        that connects again by itself when the server comes back.
 *
 * The server sends two kinds of message (06-simulate-prices/README.md), times in milliseconds
 * since 1970 UTC, as `Date.now()` gives them:
 * - `{"type":"history","points":[{"time":…,"prices":[{"name":…,"price":…},…]},…]}`
 *   once, right after the connection opens: the recent points, oldest first;
 * - `{"type":"prices","time":…,"prices":[…]}` at every tick.
 * Names and prices reach the page only as text (uPlot, too, writes its labels with textContent).
 */
import uPlot from "../node_modules/uplot/dist/uPlot.esm.js";
import { Log, StatusView, defaultUrl, describeClose, el } from "../shared/page.js";

/** Points kept per chart: as many as the server's history, so memory stays bounded. */
const MAX_POINTS = 1000;
/** One colour per chart, in turn. */
const COLOURS = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989"];

const log = new Log(document.getElementById("log"));
const status = new StatusView(document.getElementById("state"));
const lastTick = document.getElementById("last-tick");
const chartsRoot = document.getElementById("charts");

/** The charts by instrument name: {figure, price (the caption's output), plot, times, prices}. */
const charts = new Map();
/** Ticks received since the page opened. */
let ticks = 0;

/** A price with two decimals, as a shop shows it. */
const money = (value) => value.toFixed(2);
/** The size of a chart: as wide as its section. */
const size = () => ({ width: Math.max(280, chartsRoot.clientWidth), height: 220 });

/** The chart of @p name, made if it is new: a figure with the name, latest price and a uPlot. */
function chart(name) {
    if (!charts.has(name)) {
        const price = el("output", { class: "price-now" }, "--");
        const figure = el("figure", { class: "price-chart", "aria-label": `Price of ${name}` },
            el("figcaption", {}, name, ": ", price));
        chartsRoot.append(figure);
        const times = [];
        const prices = [];
        const plot = new uPlot({
            ...size(),
            ms: 1,  // the times are milliseconds, as the server sends them
            series: [{ label: "Time" }, {
                label: name, stroke: COLOURS[charts.size % COLOURS.length], width: 2,
                value: (self, value) => (value == null ? "--" : money(value)),
            }],
            axes: [{}, { values: (self, splits) => splits.map(money), size: 60 }],
        }, [times, prices], figure);
        charts.set(name, { figure, price, plot, times, prices });
    }
    return charts.get(name);
}

/** Adds one point, `{time, prices: [{name, price}, …]}`, to the charts (not yet drawn). */
function addPoint(point) {
    if (!Number.isFinite(point?.time) || !Array.isArray(point.prices)) {
        throw new Error("a point without a time and a list of prices");
    }
    for (const { name, price } of point.prices) {
        if (typeof name !== "string" || !Number.isFinite(price)) {
            throw new Error("a price without a name or a number");
        }
        const { price: output, times, prices } = chart(name);
        times.push(point.time);
        prices.push(price);
        // Forget the oldest point once a chart holds as many as the server's history.
        if (times.length > MAX_POINTS) {
            times.shift();
            prices.shift();
        }
        output.textContent = money(price);
    }
}

/** Draws every chart again from its points. */
function redraw() {
    charts.forEach(({ plot, times, prices }) => plot.setData([times, prices]));
}

/** Handles one message from the server; one that breaks the protocol is logged and skipped. */
function onMessage(text) {
    try {
        const message = JSON.parse(text);
        if (message?.type === "history" && Array.isArray(message.points)) {
            // A restarted server may have other cakes: the history replaces every chart.
            for (const { plot, figure } of charts.values()) {
                plot.destroy();
                figure.remove();
            }
            charts.clear();
            message.points.forEach(addPoint);
            redraw();
            const names = [...charts.keys()].join(", ");
            log.write(`History: ${message.points.length} points of ${names}.`, "received");
        } else if (message?.type === "prices") {
            addPoint(message);
            redraw();
            ticks += 1;
            // Every tick in the log would bury the rest; "Last tick" counts them instead.
            const time = new Date(message.time).toLocaleTimeString();
            lastTick.textContent = `${time} (${ticks} received)`;
        } else {
            throw new Error("no known type");
        }
    } catch (error) {
        log.write(`Ignored a message (${error.message}): ${String(text).slice(0, 200)}`, "error");
    }
}

/** The pause before the next try to connect: 1 s, doubled after every failure, at most 30 s. */
let delay = 1000;

/** Connects to the server that served the page, and again after every close. */
function connect() {
    let websocket;
    try {
        websocket = new WebSocket(defaultUrl());
    } catch (error) {
        // A ?url= the browser cannot use (ftp://, a typo) throws here; no retry would help.
        log.write(`Cannot connect to "${defaultUrl()}": ${error.message}`, "error");
        return;
    }
    log.write(`Connecting to ${websocket.url} ...`);
    status.show(websocket.readyState);

    websocket.onopen = () => {
        delay = 1000;
        log.write(`Open: connected to ${websocket.url}.`);
        status.show(websocket.readyState);
    };
    websocket.onmessage = (event) => onMessage(event.data);
    websocket.onerror = () => {
        // The browser tells the page no more, on purpose; devtools' console says why.
        log.write("Error: the connection failed (devtools' console tells why).", "error");
    };
    websocket.onclose = (event) => {
        log.write(describeClose(event), "error");
        // Wait before the next try, longer each time, so a server that is down is not flooded.
        log.write(`Reconnecting in ${delay / 1000} s ...`);
        status.show(websocket.readyState, `(reconnecting in ${delay / 1000} s)`);
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
    };
}

// The charts follow the width of the page.
window.addEventListener("resize", () => charts.forEach(({ plot }) => plot.setSize(size())));
connect();
