/**
 * @file
 * @brief The subprotocol client in chromium against 04-subprotocol: every
 *        choice of its Protocol selector, and a `json` tab and a `text` tab
 *        talking to each other, each in its own format.
 */
import assert from "node:assert/strict";
import { clientUrl, controls, logLine, missing, screenshot, setUp, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

const server = "04-subprotocol/server|server-express";
const skip = missing(server);

/** Opens the client in a new tab and connects with the Protocol choice @p label. */
async function connectWith(context, s, label) {
    const page = await watchedPage(context);
    await page.goto(clientUrl(s, "subprotocol"));
    const c = controls(page);
    await c.protocol.selectOption({ label });
    await c.connect.click();
    return { page, c };
}

/** The page's "Chosen protocol" output. */
function chosen(page) {
    return page.locator(".kit-protocol");
}

test("each protocol the server knows is chosen and shown, in the order offered", { skip }, async (t) => {
    const { context, servers: [s] } = await setUp(t, server);
    for (const [label, expected] of [["text", "'text'"], ["json", "'json'"], ["soap, json", "'json'"], ["(none)", "(none)"]]) {
        const { page, c } = await connectWith(context, s, label);
        await waitForState(page, 1);
        assert.equal(await chosen(page).textContent(), expected, label);
        await c.close.click();
        await waitForState(page, 3);
        assert.deepEqual(unexpectedProblems(page), [], label);
        await page.close();
    }
});

test("offering only protocols the server does not know fails the connection, and says why", { skip }, async (t) => {
    const { context, servers: [s] } = await setUp(t, server);
    for (const label of ["soap", "mqtt"]) {
        const { page } = await connectWith(context, s, label);
        await logLine(page, "If the server knew none of the offered protocols").waitFor();
        assert.equal(await controls(page).state.textContent(), "CLOSED (3)");
        assert.equal(await chosen(page).textContent(), "(none)");
        // Chromium reports the failed handshake in the console; that is the point here.
        assert.deepEqual(unexpectedProblems(page, [/WebSocket connection to .* failed/]), [], label);
        await page.close();
    }
});

test("a json tab and a text tab each get the other's messages in their own format", { skip }, async (t) => {
    const { context, servers: [s] } = await setUp(t, server);
    const json = await connectWith(context, s, "json");
    await waitForState(json.page, 1);
    const text = await connectWith(context, s, "text");
    await waitForState(text.page, 1);

    // The json tab gets the greeting as {"timestamp", "data"}; the page shows both.
    const greeting = logLine(json.page, "Received: New client connected (2) using 'text'. (sent ");
    await greeting.waitFor();
    assert.match(await greeting.textContent(), /\(sent \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z\)$/);

    // A tab in the background gets few animation frames; the one we type in comes first.
    await text.page.bringToFront();
    await text.c.message.fill("plain words");
    await text.c.send.click();
    await logLine(json.page, "Received: plain words (sent ").waitFor();

    // The json tab sends {"data": ...}; the text tab gets the bare text.
    await json.page.bringToFront();
    await json.c.message.fill("from json");
    await json.c.send.click();
    await logLine(json.page, 'Sent: {"data":"from json"}').waitFor();
    await logLine(text.page, "Received: from json").waitFor();
    assert.equal(await logLine(text.page, "Received: {").count(), 0);
    await screenshot(json.page, "subprotocol");
    assert.deepEqual(unexpectedProblems(json.page), []);
    assert.deepEqual(unexpectedProblems(text.page), []);
});
