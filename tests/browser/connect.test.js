/**
 * @file
 * @brief The connect client in chromium: served by 02-echo's server (01's
 *        servers serve no files), pointed at 01-connect's servers.
 */
import assert from "node:assert/strict";
import { clientUrl, controls, logLine, missing, screenshot, setUp, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

test("the connect client opens and closes a connection to 01-connect's server-express",
    { skip: missing("02-echo/server", "01-connect/server-express") }, async (t) => {
        const { context, servers: [pages, target] } = await setUp(t, "02-echo/server", "01-connect/server-express");
        const page = await watchedPage(context);
        // The page's address names the server to connect to.
        const url = `ws://localhost:${target.port}/`;
        await page.goto(clientUrl(pages, "connect") + `?url=${encodeURIComponent(url)}`);
        const c = controls(page);
        assert.equal(await c.url.inputValue(), url);

        await c.connect.click();
        await waitForState(page, 1);
        await logLine(page, `Open: connected to ${url}`).waitFor();
        await target.waitForOutput("Connection received.");
        assert.equal(pages.output.includes("Connection received."), false, "the page's own server saw no WebSocket");
        await screenshot(page, "connect");

        await c.close.click();
        await waitForState(page, 3);
        await logLine(page, "Closed: code 1000").waitFor();
        assert.deepEqual(unexpectedProblems(page), []);
    });

test("the connect client shows a failed connection to server-http, which is no WebSocket server",
    { skip: missing("02-echo/server", "01-connect/server-http") }, async (t) => {
        const { context, servers: [pages, target] } = await setUp(t, "02-echo/server", "01-connect/server-http");
        const page = await watchedPage(context);
        await page.goto(clientUrl(pages, "connect"));
        const c = controls(page);
        await c.url.fill(`ws://localhost:${target.port}/`);
        await c.url.press("Enter");  // Enter in the URL field connects
        await logLine(page, "Error: the connection failed").waitFor();
        await logLine(page, "Closed: code 1006").waitFor();
        assert.equal(await c.state.textContent(), "CLOSED (3)");
        await target.waitForOutput("Webserver received: /");
        // The browser reports the failed handshake in the console; nothing else may be there.
        assert.deepEqual(unexpectedProblems(page, [/WebSocket connection to .* failed/]), []);
    });
