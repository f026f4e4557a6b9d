/**
 * @file
 * @brief What every browser test shares: start a step server from the build
 *        tree and stop it, start Debian's chromium through playwright-core
 *        with a fresh profile, watch a page for console errors, and save
 *        screenshots (into the build tree; `make screenshots` puts them in docs/images/).
 *
 * Every wait here has a timeout, and everything started is ended by its own
 * handle (the server by its PID, the browser through playwright).
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";
import { after, test as nodeTest } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

/** The top of the kit. */
export const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The build tree: $BUILD, or build/ at the top. */
export const build = path.resolve(process.env.BUILD || path.join(top, "build"));
/**
 * Where the screenshots go: $SCREENSHOTS_DIR, or screenshots/ in the build tree, so
 * that a test run leaves the committed pictures in docs/images/ alone.
 */
export const images = path.resolve(process.env.SCREENSHOTS_DIR || path.join(build, "screenshots"));
/**
 * How long a test waits for something that should happen at once: generous,
 * because a browser on a busy two-core machine (CI) can be slow to start; a
 * passing test never waits this long.
 */
export const patience = 10000;
/**
 * The most one test may take, 2 minutes. Set on each test in code, because
 * Debian 12's Node 18 has no --test-timeout.
 */
export const testTimeout = 120000;
/** The browser: Debian's chromium, never a downloaded one (CHROMIUM overrides the path). */
export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";

/**
 * node:test's `test()`, with `testTimeout` unless the options set another:
 * test(name, fn) or test(name, options, fn).
 */
export function test(name, options, fn) {
    if (typeof options === "function") {
        [options, fn] = [{}, options];
    }
    return nodeTest(name, { timeout: testTimeout, ...options }, fn);
}

/** The path of a step's program in the build tree. */
export function programPath(step, program) {
    return path.join(build, step, program);
}

/**
 * The step and program a name stands for: "02-echo/server" is itself; in
 * "03-broadcast/server|server-express" the first one built wins.
 * @returns {[string, string]|null} null when none is built
 */
export function resolve(name) {
    const [step, programs] = name.split("/");
    for (const program of programs.split("|")) {
        try {
            accessSync(programPath(step, program), constants.X_OK);
            return [step, program];
        } catch {
            // not this one; try the next
        }
    }
    return null;
}

/**
 * Why a test cannot run yet, or false when it can: each named program
 * (`"02-echo/server"`) must be built. A test passes this to `skip`.
 * @param {...string} programs step/program names, as resolve() reads them
 * @returns {string|false}
 */
export function missing(...programs) {
    for (const name of programs) {
        if (!resolve(name)) {
            const [step, programs] = name.split("/");
            return `${step} is not built here (no ${programs.split("|").join(" or ")} in ${path.join(build, step)})`;
        }
    }
    try {
        accessSync(chromiumPath, constants.X_OK);
    } catch {
        return `no browser at ${chromiumPath} (tools/setup installs Debian's chromium)`;
    }
    return false;
}

/** Waits until @p condition() is true, polling every 20 ms; throws after @p timeout ms. */
export async function waitUntil(condition, what, timeout = patience) {
    const deadline = Date.now() + timeout;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

/**
 * A step server running as a child process, started with DBWEBB_PORT=0 and
 * DBWEBB_HOST=127.0.0.1; resolves once it has printed its ready line.
 * @param {string} step     e.g. "02-echo"
 * @param {string} program  e.g. "server"
 * @param {Object} env      more environment (DBWEBB_HOST may be overridden)
 */
export async function startServer(step, program, env = {}) {
    const child = spawn(programPath(step, program), [], {
        env: { ...process.env, DBWEBB_PORT: "0", DBWEBB_HOST: "127.0.0.1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const server = {
        pid: child.pid,
        port: 0,
        output: "",
        errors: "",
        exited: false,
        /** Waits until stdout has @p text (after character @p from). */
        waitForOutput: (text, from = 0, timeout = patience) =>
            waitUntil(() => server.output.indexOf(text, from) >= 0, `"${text}" in the server's output`, timeout),
        /** Sends SIGTERM to the PID and waits (bounded) for the exit; SIGKILL after that. */
        stop: async () => {
            if (server.exited) {
                return;
            }
            process.kill(child.pid, "SIGTERM");
            try {
                await waitUntil(() => server.exited, "the server to exit after SIGTERM", 5000);
            } catch (error) {
                process.kill(child.pid, "SIGKILL");
                throw error;
            }
        },
    };
    child.stdout.setEncoding("utf8").on("data", (chunk) => { server.output += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk) => { server.errors += chunk; });
    child.on("exit", () => { server.exited = true; });
    try {
        await waitUntil(() => /Server is listening on \d+/.test(server.output) || server.exited,
            `the ready line of ${step}/${program}`, 10000);
    } catch (error) {
        child.kill("SIGKILL");
        throw error;
    }
    if (server.exited) {
        throw new Error(`${step}/${program} ended before it was ready: ${server.output} ${server.errors}`);
    }
    server.port = Number(/Server is listening on (\d+)/.exec(server.output)[1]);
    return server;
}

/**
 * A fresh browser context (its own cookies, storage and pages) in this file's chromium;
 * close() ends it.
 * @returns {Promise<{context: import("playwright-core").BrowserContext, close: function}>}
 */
export async function startBrowser() {
    const browser = await sharedBrowser();
    const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    context.setDefaultTimeout(patience);
    return { context, close: () => context.close() };
}

/** The one chromium of this test file (a promise of it), started by the first test that needs it. */
let shared = null;

/**
 * Starts chromium once per test file: a launch costs a second or two of CPU, and each test still
 * gets a context of its own (its own cookies, storage and pages), as a fresh profile would give.
 * Playwright gives the browser a new, empty --user-data-dir and removes it when it closes.
 */
function sharedBrowser() {
    if (!shared) {
        shared = chromium.launch({
            executablePath: chromiumPath,
            headless: true,
            timeout: 30000,
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }
    return shared;
}

// The browser closes after the file's last test (registered as this module loads, at the top
// level of the test file that imports it: inside a test, after() would close it with that test).
after(async () => {
    if (shared) {
        await (await shared).close();
    }
});

/**
 * Opens a new tab that records every console error and uncaught exception
 * in `page.problems`, so a test can check that there were none.
 * @param {import("playwright-core").BrowserContext} context
 */
export async function watchedPage(context) {
    const page = await context.newPage();
    page.problems = [];
    page.on("console", (message) => {
        if (message.type() === "error") {
            page.problems.push(`console error: ${message.text()}`);
        }
    });
    page.on("pageerror", (error) => page.problems.push(`uncaught: ${error.message}`));
    return page;
}

/** The page's problems, less those that match one of @p expected (regular expressions). */
export function unexpectedProblems(page, expected = []) {
    return page.problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
}

/** The controls every client has, found by their accessible names, as a person finds them. */
export function controls(page) {
    return {
        url: page.getByLabel("URL", { exact: true }),
        protocol: page.getByLabel("Protocol", { exact: true }),
        connect: page.getByRole("button", { name: "Connect", exact: true }),
        close: page.getByRole("button", { name: "Close", exact: true }),
        message: page.getByLabel("Message", { exact: true }),
        send: page.getByRole("button", { name: "Send", exact: true }),
        log: page.getByRole("log", { name: "Log" }),
        state: page.locator(".kit-state"),
    };
}

/** Saves a screenshot of the whole page as <name>.png in `images`. */
export async function screenshot(page, name) {
    mkdirSync(images, { recursive: true });
    await page.screenshot({ path: path.join(images, `${name}.png`), fullPage: true, animations: "disabled" });
}

/**
 * Starts a browser and the named step servers for one test, and registers
 * their cleanup with the test (`t.after`), so nothing outlives it.
 * @param {import("node:test").TestContext} t
 * @param {...(string|[string, Object])} programs "02-echo/server", or
 *        ["05-origin/server", {DBWEBB_HOST: "127.0.0.2"}] with more environment
 * @returns {Promise<{context, servers: Object[]}>}
 */
export async function setUp(t, ...programs) {
    const servers = [];
    t.after(async () => {
        // Every server is stopped, even when one of them fails to stop cleanly.
        const results = await Promise.allSettled(servers.map((server) => server.stop()));
        const failed = results.find((result) => result.status === "rejected");
        if (failed) {
            throw failed.reason;
        }
    });
    for (const entry of programs) {
        const [name, env] = Array.isArray(entry) ? entry : [entry, {}];
        const [step, program] = resolve(name) ?? name.split("/");
        servers.push(await startServer(step, program, env));
    }
    const browser = await startBrowser();
    t.after(() => browser.close());
    return { context: browser.context, servers };
}

/** The log's line (an `li`) that contains @p text. */
export function logLine(page, text) {
    return page.getByRole("log", { name: "Log" }).locator("li", { hasText: text });
}

/** Waits until the client shows readyState @p state (0..3). */
export async function waitForState(page, state) {
    await page.locator(`.kit-state[data-ready-state="${state}"]`).waitFor({ timeout: patience });
}

/** The page address of client @p name on a server: http://localhost:<port>/clients/<name>/ */
export function clientUrl(server, name, host = "localhost") {
    return `http://${host}:${server.port}/clients/${name}/`;
}
