/**
 * @file
 * @brief The broadcast client in two tabs of chromium against 03-broadcast's
 *        `server`: each tab sees the other come and go, and gets the other's
 *        messages but not its own.
 */
import assert from "node:assert/strict";
import { clientUrl, controls, logLine, missing, screenshot, setUp, test, unexpectedProblems, waitForState,
    watchedPage } from "./helpers.js";

test("two tabs on the broadcast server get each other's messages, not their own",
    { skip: missing("03-broadcast/server") }, async (t) => {
        const { context, servers: [server] } = await setUp(t, "03-broadcast/server");
        const first = await watchedPage(context);
        const second = await watchedPage(context);
        for (const page of [first, second]) {
            await page.goto(clientUrl(server, "broadcast"));
            await controls(page).connect.click();
            await waitForState(page, 1);
        }
        // The first tab hears of the second; the second was not there to hear of the first.
        await logLine(first, "Received: New client connected (2).").waitFor();

        const a = controls(first);
        const b = controls(second);
        await second.bringToFront();
        await b.message.fill("Hi from the second tab");
        await b.send.click();
        await logLine(first, "Received: Hi from the second tab").waitFor();
        // A tab in the background gets few animation frames; the one we type in comes first.
        await first.bringToFront();
        await a.message.fill("Hi back from the first");
        await a.send.click();
        await logLine(second, "Received: Hi back from the first").waitFor();
        await server.waitForOutput("Broadcasted data to 1 (2) clients.");
        // Neither got its own message back.
        assert.equal(await logLine(first, "Received: Hi back").count(), 0);
        assert.equal(await logLine(second, "Received: Hi from the second").count(), 0);
        await screenshot(first, "broadcast");

        await b.close.click();
        await waitForState(second, 3);
        await logLine(first, "Received: Client disconnected (1).").waitFor();
        assert.deepEqual(unexpectedProblems(first), []);
        assert.deepEqual(unexpectedProblems(second), []);
    });
