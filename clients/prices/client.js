/**
 * @file
 * @brief The prices client (#stock-prices): one live line chart per instrument,
 *        drawn with uPlot from the JSON messages of 06-simulate-prices.
 *
 * The server speaks two message types (06-simulate-prices/README.md):
 * - `{"type":"history","points":[{"time":…,"prices":[{"name":…,"price":…},…]},…]}`
 *   once, right after the connection opens: the recent points, oldest first;
 * - `{"type":"prices","time":…,"prices":[…]}` at every tick.
 * Times are milliseconds since 1970 UTC (JavaScript's `Date.now()`).
 *
 * The connection comes from the kit's `keepConnected`: when the server stops,
 * the page keeps its charts, says so, and connects again (1 s, 2 s, 4 s … 30 s);
 * the history it gets then replaces what it had. Names and prices from the
 * network reach the page only as text (uPlot, too, writes labels with textContent).
 */
import uPlot from "../node_modules/uplot/dist/uPlot.esm.js";
import { Log, StatusView, defaultUrl, el, keepConnected } from "../shared/kit.js";

/** Points kept per chart: as many as the server's history, so memory stays bounded. */
const MAX_POINTS = 1000;
/** Lines kept in the log: a page left open for days reconnects many times. */
const MAX_LOG_LINES = 200;
/** Height of one chart's plotting area, in CSS pixels. */
const CHART_HEIGHT = 220;
/** One colour per chart, in turn. */
const COLOURS = ["#1f6feb", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#bf3989"];

const log = new Log(document.getElementById("log"));
const status = new StatusView(document.getElementById("state"));
const lastTick = document.getElementById("last-tick");
const chartsRoot = document.getElementById("charts");

/** The charts by instrument name: {figure, price, plot, times, prices}. */
let charts = new Map();
/** Ticks received since the page opened. */
let ticks = 0;
/** True once the first tick after the latest history has been logged. */
let tickLogged = false;

/** A price with two decimals, as a shop shows it. */
function money(value) {
    return value.toFixed(2);
}

/** The width a chart gets: the width of its section. */
function chartWidth() {
    return Math.max(280, chartsRoot.clientWidth);
}

/** Adds a line to the log and forgets the oldest lines beyond MAX_LOG_LINES. */
function write(text, kind = "info") {
    log.write(text, kind);
    while (log.list.children.length > MAX_LOG_LINES) {
        log.list.firstElementChild.remove();
    }
}

/** Creates the chart of one instrument: a figure with its name, its latest price and a uPlot. */
function makeChart(name, index) {
    const price = el("output", { class: "price-now" }, "--");
    const figure = el("figure", { class: "price-chart", "aria-label": `Price of ${name}` },
        el("figcaption", {}, name, ": ", price));
    chartsRoot.append(figure);
    const times = [];
    const prices = [];
    const plot = new uPlot({
        width: chartWidth(),
        height: CHART_HEIGHT,
        ms: 1,  // the x values are milliseconds, as the server sends them
        scales: { x: { time: true } },
        series: [
            { label: "Time" },
            {
                label: name,
                stroke: COLOURS[index % COLOURS.length],
                width: 2,
                value: (self, value) => (value == null ? "--" : money(value)),
            },
        ],
        axes: [{}, { values: (self, splits) => splits.map(money), size: 60 }],
    }, [times, prices], figure);
    return { figure, price, plot, times, prices };
}

/** Removes every chart (the server now sends other instruments). */
function clearCharts() {
    for (const chart of charts.values()) {
        chart.plot.destroy();
        chart.figure.remove();
    }
    charts = new Map();
}

/**
 * Checks that @p point is `{time: number, prices: [{name: string, price: number}, …]}`.
 * @returns {boolean}
 */
function isPoint(point) {
    return point !== null && typeof point === "object" && Number.isFinite(point.time) &&
        Array.isArray(point.prices) &&
        point.prices.every((p) => p !== null && typeof p === "object" &&
            typeof p.name === "string" && Number.isFinite(p.price));
}

/** Appends one point to the charts (creating a chart for a name not seen before). */
function addPoint(point) {
    for (const { name, price } of point.prices) {
        if (!charts.has(name)) {
            charts.set(name, makeChart(name, charts.size));
        }
        const chart = charts.get(name);
        chart.times.push(point.time);
        chart.prices.push(price);
        // Forget the oldest point once a chart holds as many as the server's history.
        if (chart.times.length > MAX_POINTS) {
            chart.times.shift();
            chart.prices.shift();
        }
        chart.price.textContent = money(price);
    }
}

/** Draws every chart again from its arrays. */
function redraw() {
    for (const chart of charts.values()) {
        chart.plot.setData([chart.times, chart.prices]);
    }
}

/** Handles the `history` message: it replaces everything the charts showed. */
function onHistory(message) {
    if (!Array.isArray(message.points) || !message.points.every(isPoint)) {
        write("Ignored a history message that does not follow the protocol.", "error");
        return;
    }
    // After a restart the server may have other instruments: start the charts over.
    clearCharts();
    tickLogged = false;
    message.points.forEach(addPoint);
    redraw();
    const names = [...charts.keys()].join(", ");
    write(`History: ${message.points.length} points of ${charts.size} instruments (${names}).`, "received");
}

/** Handles a `prices` message: one more point on every chart. */
function onPrices(message) {
    if (!isPoint(message)) {
        write("Ignored a prices message that does not follow the protocol.", "error");
        return;
    }
    addPoint(message);
    redraw();
    ticks += 1;
    const time = new Date(message.time).toLocaleTimeString();
    lastTick.textContent = `${time} (${ticks} received)`;
    // The log shows the first tick of each connection; the rest would bury it (devtools'
    // Network tab shows every message: the WS request, its Messages tab).
    if (!tickLogged) {
        const summary = message.prices.map((p) => `${p.name} ${money(p.price)}`).join(" · ");
        write(`First tick: ${summary} (the next ones update "Last tick" above).`, "received");
        tickLogged = true;
    }
}

/** Reads one message from the server; anything unexpected is logged as text and skipped. */
function onMessage(event) {
    if (typeof event.data !== "string") {
        write(`Ignored a binary message of ${event.data.byteLength} bytes.`, "error");
        return;
    }
    let message;
    try {
        message = JSON.parse(event.data);
    } catch {
        write(`Ignored a message that is not JSON: ${event.data.slice(0, 200)}`, "error");
        return;
    }
    if (message?.type === "history") {
        onHistory(message);
    } else if (message?.type === "prices") {
        onPrices(message);
    } else {
        write(`Ignored a message of unknown type: ${event.data.slice(0, 200)}`, "error");
    }
}

// The charts follow the width of the page.
window.addEventListener("resize", () => {
    for (const chart of charts.values()) {
        chart.plot.setSize({ width: chartWidth(), height: CHART_HEIGHT });
    }
});

// Connect to the server that served this page, and again whenever it comes back.
keepConnected(defaultUrl(), { log, status, onMessage });
