/**
 * @file
 * @brief The Origin check of 05-origin, seen from chromium: the origin client
 *        from `http://localhost:<port>` connects; the same page served from
 *        another loopback origin, `http://127.0.0.2:<port>`, is refused.
 *
 * The servers listen on loopback only, so the page from 127.0.0.2 comes from a
 * second 05-origin server bound to 127.0.0.2, and connects (through its URL
 * field) to the first: the browser sends that page's origin, and the first
 * server refuses it.
 */
import assert from "node:assert/strict";
import { clientUrl, controls, logLine, missing, screenshot, setUp, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

const server = "05-origin/server|server-express";

test("the origin client connects from localhost and is refused from 127.0.0.2",
    { skip: missing(server) }, async (t) => {
        const { context, servers: [checked, elsewhere] } =
            await setUp(t, server, [server, { DBWEBB_HOST: "127.0.0.2" }]);

        // From localhost, an allowed origin: the connection opens.
        const good = await watchedPage(context);
        await good.goto(clientUrl(checked, "origin"));
        assert.equal(await good.locator("#page-origin").textContent(), `http://localhost:${checked.port}`);
        await controls(good).connect.click();
        await waitForState(good, 1);
        await logLine(good, `The server accepted Origin http://localhost:${checked.port}.`).waitFor();
        await screenshot(good, "origin");

        // The same page from http://127.0.0.2:<port>, pointed at the same server: refused.
        const origin = `http://127.0.0.2:${elsewhere.port}`;
        const bad = await watchedPage(context);
        await bad.goto(clientUrl(elsewhere, "origin", "127.0.0.2") + `?url=ws://localhost:${checked.port}/`);
        assert.equal(await bad.locator("#page-origin").textContent(), origin);
        const from = checked.output.length;
        await controls(bad).connect.click();
        await logLine(bad, `The handshake failed. Was Origin ${origin} refused?`).waitFor();
        await logLine(bad, "Closed: code 1006").waitFor();
        assert.equal(await controls(bad).state.textContent(), "CLOSED (3)");
        await checked.waitForOutput(`Refused connection from origin '${origin}'.`, from);
        await screenshot(bad, "origin-refused");

        // The allowed tab was not disturbed; only the refused one has the browser's console error.
        assert.equal(await controls(good).state.textContent(), "OPEN (1)");
        assert.deepEqual(unexpectedProblems(good), []);
        const refusals = bad.problems.filter((problem) => /WebSocket connection to .* failed/.test(problem));
        assert.ok(refusals.some((problem) => /403/.test(problem)), bad.problems.join("\n"));
        assert.deepEqual(unexpectedProblems(bad, [/WebSocket connection to .* failed/]), []);
    });

test("a server told to allow http://127.0.0.2 accepts that page and refuses localhost",
    { skip: missing(server) }, async (t) => {
        const { context, servers: [checked, elsewhere] } = await setUp(t,
            [server, { DBWEBB_ALLOWED_ORIGINS: "http://127.0.0.2:*" }], [server, { DBWEBB_HOST: "127.0.0.2" }]);

        // The list replaces the defaults: now the page from 127.0.0.2 is the one let in...
        const allowed = await watchedPage(context);
        await allowed.goto(clientUrl(elsewhere, "origin", "127.0.0.2") + `?url=ws://localhost:${checked.port}/`);
        await controls(allowed).connect.click();
        await waitForState(allowed, 1);
        await logLine(allowed, `The server accepted Origin http://127.0.0.2:${elsewhere.port}.`).waitFor();

        // ...and the page from localhost, allowed by default, is not.
        const refused = await watchedPage(context);
        await refused.goto(clientUrl(checked, "origin"));
        await controls(refused).connect.click();
        await logLine(refused, "The handshake failed.").waitFor();
        await checked.waitForOutput(`Refused connection from origin 'http://localhost:${checked.port}'.`);
        assert.deepEqual(unexpectedProblems(allowed), []);
        assert.deepEqual(unexpectedProblems(refused, [/WebSocket connection to .* failed/]), []);
    });
