/**
 * @file
 * @brief The echo client (and the index page) in chromium against 02-echo's
 *        `server`: connect, send, receive, close; a hostile message stays text;
 *        sending while closed and a bad URL get a clear line in the log.
 */
import assert from "node:assert/strict";
import { clientUrl, controls, logLine, missing, screenshot, setUp, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

const skip = missing("02-echo/server");

// Both of the step's programs, the plain one and the Express-like one, serve and answer the client alike.
for (const program of ["server", "server-express"]) {
    test(`the echo client connects to ${program}, which served it, sends, receives and closes`,
        { skip: missing(`02-echo/${program}`) }, async (t) => {
        const { context, servers: [server] } = await setUp(t, `02-echo/${program}`);
        const page = await watchedPage(context);
        await page.goto(clientUrl(server, "echo"));
        const c = controls(page);

        // The URL field defaults to the server that served the page.
        assert.equal(await c.url.inputValue(), `ws://localhost:${server.port}/`);
        assert.equal(await c.state.textContent(), "CLOSED (3)");
        await c.connect.click();
        await waitForState(page, 1);
        assert.equal(await c.state.textContent(), "OPEN (1)");
        await server.waitForOutput("Connection received.");

        await c.message.fill("Hello, echo!");
        await c.send.click();
        await logLine(page, "Received: Hello, echo!").waitFor();
        await server.waitForOutput("Received: Hello, echo!");
        // Enter in the Message field sends too.
        await c.message.fill("second, by Enter");
        await c.message.press("Enter");
        await logLine(page, "Received: second, by Enter").waitFor();
        if (program === "server") {
            await screenshot(page, "echo");
        }

        await c.close.click();
        await waitForState(page, 3);
        await logLine(page, "Closed: code 1000").waitFor();
        await server.waitForOutput("Closing connection: 1000");
        // Every line of the log starts with its time.
        const times = await c.log.locator("li > time").allTextContents();
        assert.ok(times.length >= 6 && times.every((time) => /^\d\d:\d\d:\d\d\.\d\d\d$/.test(time)), times.join(" "));
        assert.deepEqual(unexpectedProblems(page), []);
    });
}

test("a hostile message comes back as text and never runs", { skip }, async (t) => {
    const { context, servers: [server] } = await setUp(t, "02-echo/server");
    const page = await watchedPage(context);
    await page.goto(clientUrl(server, "echo"));
    const c = controls(page);
    await c.connect.click();
    await waitForState(page, 1);

    const hostile = "<img src=x onerror=\"window.kitHacked=1\"><b>bold?</b><script>window.kitHacked=2</script>";
    await c.message.fill(hostile);
    await c.send.click();
    const line = logLine(page, "Received: <img");
    await line.waitFor();
    // The text is there, character for character; no element was made from it.
    assert.ok((await line.textContent()).endsWith(`Received: ${hostile}`));
    assert.equal(await c.log.locator("img, b, script").count(), 0);
    assert.equal(await page.evaluate(() => window.kitHacked), undefined);
    assert.deepEqual(unexpectedProblems(page), []);
});

test("sending while closed, and a URL that is no WebSocket URL, get a clear line in the log", { skip }, async (t) => {
    const { context, servers: [server] } = await setUp(t, "02-echo/server");
    const page = await watchedPage(context);
    await page.goto(clientUrl(server, "echo"));
    const c = controls(page);

    await c.send.click();
    await logLine(page, "The websocket is not connected to a server.").waitFor();
    await c.close.click();
    assert.equal(await logLine(page, "The websocket is not connected to a server.").count(), 2);

    // (Browsers now take http:// and https:// too, as ws:// and wss://; other schemes throw.)
    await c.url.fill("ftp://localhost/");
    await c.connect.click();
    await logLine(page, 'Cannot connect to "ftp://localhost/"').waitFor();
    assert.equal(await c.state.textContent(), "CLOSED (3)");
    assert.deepEqual(unexpectedProblems(page), []);
});

test("Connect while connected closes the old connection and goes on with the new one", { skip }, async (t) => {
    const { context, servers: [server] } = await setUp(t, "02-echo/server");
    const page = await watchedPage(context);
    await page.goto(clientUrl(server, "echo"));
    const c = controls(page);
    await c.connect.click();
    await waitForState(page, 1);
    await c.connect.click();
    // The old connection closes (its close is logged), the new one opens and stays shown as open.
    await logLine(page, "Closed: code 1000").waitFor();
    await server.waitForOutput("Closing connection: 1000");
    assert.equal(await logLine(page, "Open: connected to").count(), 2);
    await waitForState(page, 1);
    await c.message.fill("still here");
    await c.send.click();
    await logLine(page, "Received: still here").waitFor();
    assert.equal(await c.state.textContent(), "OPEN (1)");
    assert.deepEqual(unexpectedProblems(page), []);
});

test("the index page lists every client with its article section", { skip }, async (t) => {
    const { context, servers: [server] } = await setUp(t, "02-echo/server");
    const page = await watchedPage(context);
    await page.goto(`http://localhost:${server.port}/clients/`);
    const anchors = await page.locator(".kit-clients li").evaluateAll((items) =>
        items.map((item) => [item.querySelector("a").textContent,
            item.querySelector("a[href*='#']").href.split("#")[1]]));
    assert.deepEqual(anchors, [
        ["connect", "clientconnect"], ["echo", "echo-server"], ["broadcast", "broadcast"],
        ["subprotocol", "sub"], ["origin", "sameorigin"], ["prices", "stock-prices"],
    ]);
    await screenshot(page, "index");
    // Each client's link leads to a page with its own title.
    await page.getByRole("link", { name: "echo", exact: true }).click();
    await page.waitForURL(clientUrl(server, "echo"));
    assert.equal(await page.title(), "Echo client");
    assert.deepEqual(unexpectedProblems(page), []);
});
