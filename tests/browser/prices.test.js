/**
 * @file
 * @brief The prices client in chromium against 06-simulate-prices, ticking
 *        fast: one chart per instrument, drawn at once from the history and
 *        growing with every tick; and a reconnect when the server comes back.
 */
import assert from "node:assert/strict";
import { clientUrl, missing, patience, resolve, screenshot, setUp, startServer, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

const server = "06-simulate-prices/server|server-express";

/** What a chart's canvas shows: how many pixels are painted, and the picture itself. */
function picture(page, name) {
    return page.getByRole("figure", { name: `Price of ${name}` }).locator("canvas").evaluate((canvas) => {
        const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) {
            painted += data[i] > 0 ? 1 : 0;
        }
        return { painted, image: canvas.toDataURL() };
    });
}

/** The number of ticks the page says it has received. */
async function ticks(page) {
    const text = await page.getByLabel("Last tick").textContent();
    const match = /\((\d+) received\)/.exec(text);
    return match ? Number(match[1]) : 0;
}

test("the prices client draws a chart per cake and the charts grow with every tick",
    { skip: missing(server) }, async (t) => {
        const { context, servers: [s] } = await setUp(t, [server, { PRICES_INTERVAL_MS: "150", PRICES_SEED: "7" }]);
        const page = await watchedPage(context);
        await page.goto(clientUrl(s, "prices"));
        await waitForState(page, 1);

        // One chart for each of the two default cakes, with a price on it.
        for (const name of ["Princesstårta", "Mandel kubb"]) {
            const figure = page.getByRole("figure", { name: `Price of ${name}` });
            await figure.locator("canvas").waitFor();
            assert.match(await figure.locator(".price-now").textContent(), /^\d+\.\d\d$/);
        }

        // The line grows: more ticks arrive and more of the canvas is painted.
        await page.waitForFunction(() => /\(([3-9]|\d\d+) received\)/.test(
            document.getElementById("last-tick").textContent), null, { timeout: patience });
        const before = await picture(page, "Princesstårta");
        const ticksBefore = await ticks(page);
        await page.waitForFunction((n) => {
            const m = /\((\d+) received\)/.exec(document.getElementById("last-tick").textContent);
            return m && Number(m[1]) >= n + 10;
        }, ticksBefore, { timeout: 2 * patience });
        const after = await picture(page, "Princesstårta");
        assert.ok(before.painted > 0 && after.painted > 0, "the chart is drawn");
        assert.notEqual(after.image, before.image, "the chart changed as it grew");
        await screenshot(page, "prices");
        assert.deepEqual(unexpectedProblems(page), []);
    });

test("the prices client reconnects by itself when the server comes back",
    { skip: missing(server) }, async (t) => {
        const env = { PRICES_INTERVAL_MS: "200", PRICES_SEED: "7" };
        const { context, servers: [first] } = await setUp(t, [server, env]);
        const page = await watchedPage(context);
        await page.goto(clientUrl(first, "prices"));
        await waitForState(page, 1);

        // The server goes away: the page says so and keeps trying.
        await first.stop();
        await page.getByRole("log", { name: "Log" }).locator("li", { hasText: "Reconnecting in 1 s" }).waitFor();
        assert.match(await page.locator(".kit-state").textContent(), /^CLOSED \(3\) \(reconnecting in \d+ s\)$/);

        // A new server on the same port: the page connects again and gets its history.
        const [step, program] = resolve(server);
        const second = await startServer(step, program, { ...env, DBWEBB_PORT: String(first.port) });
        t.after(() => second.stop());
        await page.locator('.kit-state[data-ready-state="1"]').waitFor({ timeout: 15000 });
        await second.waitForOutput("Connection received.");
        assert.equal(await page.getByRole("log", { name: "Log" }).locator("li", { hasText: "History:" }).count(), 2);
        // Refused tries show up in the console as failed connections; nothing else may.
        assert.deepEqual(unexpectedProblems(page, [/WebSocket connection to .* failed/]), []);
    });
