/**
 * @file
 * @brief Checks on the clients' sources that back up what the browser tests
 *        see: no script in clients/ turns a string into HTML; each step's
 *        client.js holds the WebSocket code the article shows, and the shared
 *        module none; every client page uses the shared look and asks for no favicon.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test, top } from "./helpers.js";

const clients = path.join(top, "clients");

/** Every file under clients/ with one of @p extensions, except installed packages. */
function files(extensions, dir = clients) {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : files(extensions, full);
        }
        return extensions.some((extension) => entry.name.endsWith(extension)) ? [full] : [];
    });
}

test("no client script parses strings as HTML", () => {
    const scripts = files([".js", ".html"]);
    assert.ok(scripts.length >= 12, `found only ${scripts.length} files`);
    for (const file of scripts) {
        const source = readFileSync(file, "utf8");
        for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "DOMParser", "createContextualFragment"]) {
            assert.equal(source.includes(sink), false, `${path.relative(top, file)} uses ${sink}`);
        }
    }
});

test("every client page uses the shared look and asks for no favicon", () => {
    for (const name of ["connect", "echo", "broadcast", "subprotocol", "origin", "prices"]) {
        const page = readFileSync(path.join(clients, name, "index.html"), "utf8");
        assert.match(page, /<link rel="stylesheet" href="\.\.\/shared\/kit\.css">/, name);
        assert.match(page, /<link rel="icon" href="data:,">/, name);
        assert.match(page, /<html lang="en">/, name);
    }
});

/** The step clients, and whether each has the Message form (the prices client has charts). */
const steps = {
    connect: true, echo: true, broadcast: true, subprotocol: true, origin: true, prices: false,
};

test("each step's client.js holds the WebSocket code the article shows for its section", () => {
    for (const [name, form] of Object.entries(steps)) {
        const file = `clients/${name}/client.js`;
        const source = readFileSync(path.join(top, file), "utf8");
        const has = (pattern, what) => assert.match(source, pattern, `${file} has no ${what}`);
        has(/new WebSocket\(/, "new WebSocket(url)");
        for (const handler of ["onopen", "onclose", "onerror"]) {
            has(new RegExp(`\\.${handler} = `), `${handler} handler`);
        }
        // The connect client talks to 01-connect's servers, which answer nothing.
        if (name !== "connect") {
            has(/\.onmessage = /, "onmessage handler");
        }
        if (form) {
            has(/readyState !== WebSocket\.OPEN\)[^]*?\.send\(/, "send() after a readyState check");
            has(/\.close\(1000/, "close()");
        }
    }
    const subprotocol = readFileSync(path.join(clients, "subprotocol", "client.js"), "utf8");
    assert.match(subprotocol, /new WebSocket\(url, offers\)/, "subprotocol: no offered protocols");
});

test("the shared client code has no WebSocket code in it", () => {
    const shared = files([".js"], path.join(clients, "shared"));
    assert.ok(shared.length >= 1, "no shared module in clients/shared/");
    for (const file of shared) {
        const source = readFileSync(file, "utf8");
        for (const pattern of [/new\s+WebSocket/, /\.send\(/, /\.on(open|message|close|error)\b/,
            /addEventListener\(\s*["'](open|message|close|error)["']/]) {
            assert.doesNotMatch(source, pattern,
                `${path.relative(top, file)} has WebSocket code; it belongs in a step's client.js`);
        }
    }
});
