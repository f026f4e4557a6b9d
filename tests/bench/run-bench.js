/**
 * @file
 * @brief The benchmark's driver (`make bench`): runs the kit's servers and the Node reference
 *        servers side by side under the load generator and writes the table of docs/benchmarks.md.
 *
 * Each scenario runs kit, Node, kit, Node, … (A/B/A/B) RUNS times, with the server and the generator
 * pinned to different cores where the machine has two. Every run is bounded: the generator has a
 * deadline of its own, and this driver kills whatever outlives it.
 *
 * Usage: node run-bench.js <release build dir>
 * Environment: RUNS (3), DURATION (5 s), WARMUP (1 s), CONNECTIONS (50), INFLIGHT (16), SIZE (32),
 * RATE (40000), RECEIVERS (1000), BROADCAST_INFLIGHT (16), IDLE_CONNECTIONS (10000), IDLE_MESSAGE_SIZE (2000),
 * SCENARIOS (comma-separated names, default all), BENCH_OUT (docs/benchmarks.md; "-" = print only),
 * KIT_ECHO_CMD / KIT_BROADCAST_CMD (another start command in the kit's place, e.g. to try a change).
 */
"use strict";

const { spawn, execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const here = __dirname;
const top = path.resolve(here, "../..");
const build = path.resolve(process.argv[2] || path.join(top, "build-release"));
const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);

const runs = env("RUNS", 3);
const duration = env("DURATION", 5);
const warmup = env("WARMUP", 1);
const connections = env("CONNECTIONS", 50);
const inflight = env("INFLIGHT", 16);
const size = env("SIZE", 32);
const rate = env("RATE", 40000);
const receivers = env("RECEIVERS", 1000);
const broadcastInflight = env("BROADCAST_INFLIGHT", 16);
const idleConnections = env("IDLE_CONNECTIONS", 10000);
// The one message each idle connection sends at the end: larger than the kit's first read
// (128 bytes), so that a server which keeps what a longer message needed shows it.
const idleMessageSize = env("IDLE_MESSAGE_SIZE", 2000);
const out = process.env.BENCH_OUT || path.join(top, "docs/benchmarks.md");
const logs = path.join(build, "bench/logs");
const loadgen = path.join(build, "bench/loadgen");

// Two cores or more: the server gets the last core, the generator the first.
const cores = os.cpus().length;
const pinned = cores >= 2 && hasTaskset();
const serverCore = String(cores - 1);
const generatorCore = "0";
// As root, both the server and the generator run at nice -10, so that other work on a shared
// machine (a build) takes their cores less often; both sides alike. Without root: as they are.
const niced = typeof process.getuid === "function" && process.getuid() === 0 ? ["nice", "-n", "-10"] : [];
const launch = (core, command) => [...niced, ...(pinned ? ["taskset", "-c", core] : []), ...command];

/** The servers compared: the kit's step programs and the article's servers on ws@8. */
const servers = {
    echo: {
        kit: process.env.KIT_ECHO_CMD ? process.env.KIT_ECHO_CMD.split(" ") : [path.join(build, "02-echo/server")],
        node: ["node", path.join(here, "echo-server.js")],
    },
    broadcast: {
        kit: process.env.KIT_BROADCAST_CMD ? process.env.KIT_BROADCAST_CMD.split(" ") : [path.join(build, "03-broadcast/server")],
        node: ["node", path.join(here, "broadcast-server.js")],
    },
};

const common = ["--warmup", warmup, "--duration", duration];
const echoLoad = ["echo", "--connections", connections, "--inflight", inflight, "--size", size, ...common];

/** What is measured: which servers, which log flavour, which load. */
const scenarios = [
    { name: "echo", title: `Echo, ${connections} connections × ${inflight} in flight × ${size} B, quiet`,
      servers: servers.echo, quiet: true, args: echoLoad },
    { name: "echo-rate", title: `Echo at a steady ${rate} messages/s (${connections} connections), quiet`,
      servers: servers.echo, quiet: true,
      args: ["echo", "--connections", connections, "--inflight", 1000, "--size", size, "--rate", rate, ...common] },
    { name: "echo-logging", title: `Echo, ${connections} × ${inflight} × ${size} B, logging every message (to a file)`,
      servers: servers.echo, quiet: false, args: echoLoad },
    { name: "broadcast", title: `Broadcast to ${receivers} receivers, ${broadcastInflight} messages in flight × ${size} B, quiet`,
      servers: servers.broadcast, quiet: true,
      args: ["broadcast", "--receivers", receivers, "--inflight", broadcastInflight, "--size", size, ...common] },
    { name: "broadcast-logging", title: `Broadcast to ${receivers} receivers, logging every message (to a file)`,
      servers: servers.broadcast, quiet: false,
      args: ["broadcast", "--receivers", receivers, "--inflight", broadcastInflight, "--size", size, ...common] },
    { name: "idle", title: `${idleConnections} idle connections to the echo servers, quiet`,
      servers: servers.echo, quiet: true,
      args: ["idle", "--connections", idleConnections, "--parallel", 200, "--size", idleMessageSize] },
];

function hasTaskset() {
    try {
        execFileSync("taskset", ["-c", "0", "true"]);
        return true;
    } catch {
        return false;
    }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a server on a free port with its log in a file; resolves with its process and port. */
async function startServer(command, quiet, logFile) {
    const fd = fs.openSync(logFile, "w");
    const serverEnv = { ...process.env, DBWEBB_PORT: "0", DBWEBB_HOST: "127.0.0.1" };
    if (quiet) serverEnv.DBWEBB_LOG = "quiet";
    else delete serverEnv.DBWEBB_LOG;
    const argv = launch(serverCore, command);
    const child = spawn(argv[0], argv.slice(1), { env: serverEnv, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    let exited = null;
    child.on("exit", (code, signal) => { exited = { code, signal }; });
    // The ready line, within 10 s; a server that dies first is a failure.
    for (let waited = 0; waited < 10000; waited += 20) {
        const match = /Server is listening on (\d+)/.exec(fs.readFileSync(logFile, "utf8").slice(0, 4096));
        if (match) return { child, port: Number(match[1]), exited: () => exited };
        if (exited) break;
        await sleep(20);
    }
    child.kill("SIGKILL");
    throw new Error(`${command.join(" ")} printed no ready line (see ${logFile})`);
}

/** SIGTERM, then up to 3 s for a clean exit, then SIGKILL; resolves with the exit status. */
async function stopServer(server) {
    server.child.kill("SIGTERM");
    for (let waited = 0; waited < 3000; waited += 20) {
        const exited = server.exited();
        if (exited) return exited.signal ? `signal ${exited.signal}` : `status ${exited.code}`;
        await sleep(20);
    }
    server.child.kill("SIGKILL");
    return "killed after 3 s";
}

/** Runs the generator against @p port; resolves with its RESULT object (ok false on failure). */
function runGenerator(args, port, pid) {
    const full = [...args.map(String), "--port", String(port), "--server-pid", String(pid), "--timeout", "90"];
    const argv = launch(generatorCore, [loadgen, ...full]);
    return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => { stdout += d; });
        child.stderr.on("data", (d) => { stderr += d; });
        // The generator stops itself at 90 s; this is the last resort.
        const killer = setTimeout(() => child.kill("SIGKILL"), 120000);
        child.on("exit", (code) => {
            clearTimeout(killer);
            const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
            let result = { ok: false, error: `no result (exit ${code}): ${stderr.trim()}` };
            if (line) result = JSON.parse(line.slice(7));
            if (code !== 0 && result.ok) result = { ...result, ok: false, error: `exit ${code}` };
            resolve(result);
        });
    });
}

/** One run of one server in one scenario. */
async function runOnce(scenario, who, index) {
    const logFile = path.join(logs, `${scenario.name}-${who}-${index}.log`);
    const server = await startServer(scenario.servers[who], scenario.quiet, logFile);
    let result;
    try {
        result = await runGenerator(scenario.args, server.port, server.child.pid);
    } finally {
        result = { ...(result || { ok: false, error: "generator did not run" }), stop: await stopServer(server) };
    }
    // The kit's servers must also shut down cleanly after a benchmark.
    if (who === "kit" && result.stop !== "status 0") result.stopProblem = true;
    if (result.ok && !scenario.quiet) fs.rmSync(logFile, { force: true });  // logging runs write megabytes
    const shown = scenario.name === "idle"
        ? `${(result.rss_per_connection_kib ?? 0).toFixed?.(2)} KiB/connection, ${result.rss_after_kib} KiB total, ` +
          `${result.rss_used_kib} KiB after one message each`
        : `${Math.round(result.per_second ?? 0)}/s p50 ${result.p50_us} µs p99 ${result.p99_us} µs, ` +
          `server ${result.server_cpu_pct?.toFixed?.(0)}% CPU, generator ${result.gen_cpu_pct?.toFixed?.(0)}%`;
    console.log(`  ${scenario.name} ${who} #${index}: ${result.ok ? shown : "FAILED: " + result.error} (${result.stop})`);
    return result;
}

/** median, min and max of the numbers in @p values. */
function summary(values) {
    const v = values.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
    if (v.length === 0) return null;
    const mid = Math.floor(v.length / 2);
    const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    return { median, min: v[0], max: v[v.length - 1] };
}

function format(value, digits) {
    if (value === null || value === undefined) return "–";
    if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US").replace(/,/g, " ");
    return value.toFixed(digits);
}

const cell = (s, digits = 1) => (s ? `${format(s.median, digits)} (${format(s.min, digits)}–${format(s.max, digits)})` : "–");
const ratio = (a, b) => (a && b && b.median ? `${(a.median / b.median).toFixed(2)}×` : "–");

/** The table rows of one scenario: one per figure, kit and Node side by side. */
function tableFor(scenario, results) {
    const pick = (who, key) => summary(results[who].filter((r) => r.ok).map((r) => r[key]));
    const rows = [];
    const row = (label, key, digits) =>
        rows.push(`| ${label} | ${cell(pick("kit", key), digits)} | ${cell(pick("node", key), digits)} | ${ratio(pick("kit", key), pick("node", key))} |`);
    if (scenario.name === "idle") {
        row("server memory with all connections open (KiB)", "rss_after_kib", 0);
        row("server memory before connecting (KiB)", "rss_before_kib", 0);
        row("memory per idle connection (KiB)", "rss_per_connection_kib", 2);
        // The same connections again after each has sent one message and had its echo:
        // a server that keeps what a message needed would grow here.
        row("server memory after one message on each connection (KiB)", "rss_used_kib", 0);
        row("memory per connection after one message (KiB)", "rss_used_per_connection_kib", 2);
    } else {
        const unit = scenario.name.startsWith("broadcast") ? "deliveries/s" : "messages/s";
        row(unit, "per_second", 0);
        row("p50 latency (µs)", "p50_us", 0);
        row("p99 latency (µs)", "p99_us", 0);
        row(`server CPU per ${scenario.name.startsWith("broadcast") ? "delivery" : "message"} (µs)`, "server_cpu_us_per_msg", 2);
        row("server CPU (% of one core)", "server_cpu_pct", 0);
        row("generator CPU (% of one core)", "gen_cpu_pct", 0);
    }
    const failed = ["kit", "node"].flatMap((who) => results[who].filter((r) => !r.ok).map((r) => `${who}: ${r.error}`));
    const unclean = results.kit.filter((r) => r.stopProblem).map((r) => r.stop);
    return [
        `### ${scenario.title}`,
        "",
        "| figure | kit (median, min–max) | Node ws@8 (median, min–max) | kit/Node |",
        "| --- | --- | --- | --- |",
        ...rows,
        "",
        ...(failed.length ? [`Failed runs: ${failed.join("; ")}`, ""] : []),
        ...(unclean.length ? [`The kit's server did not exit cleanly after: ${unclean.join(", ")}`, ""] : []),
    ].join("\n");
}

/** The targets, checked against the medians. */
function targets(all) {
    const med = (name, who, key) => {
        const r = all[name];
        return r ? summary(r[who].filter((x) => x.ok).map((x) => x[key]))?.median : undefined;
    };
    const lines = [];
    const check = (what, value, digits, goal, pass) => {
        const known = typeof value === "number" && Number.isFinite(value);
        lines.push(`| ${what} | ${known ? value.toFixed(digits) : "–"} | ${goal} | ${known ? (pass(value) ? "met" : "**missed**") : "not run"} |`);
    };
    check("echo throughput, kit/Node", med("echo", "kit", "per_second") / med("echo", "node", "per_second"),
          2, "≥ 3", (v) => v >= 3);
    check("echo p50 round trip at a steady rate, kit/Node", med("echo-rate", "kit", "p50_us") / med("echo-rate", "node", "p50_us"),
          2, "≤ 1", (v) => v <= 1);
    check("broadcast deliveries/s, kit/Node", med("broadcast", "kit", "per_second") / med("broadcast", "node", "per_second"),
          2, "≥ 2", (v) => v >= 2);
    // The same two targets from CPU time: what each server could carry on a core of its own.
    check("echo messages per server CPU-second, kit/Node (capacity)",
          med("echo", "node", "server_cpu_us_per_msg") / med("echo", "kit", "server_cpu_us_per_msg"), 2, "≥ 3", (v) => v >= 3);
    check("broadcast deliveries per server CPU-second, kit/Node (capacity)",
          med("broadcast", "node", "server_cpu_us_per_msg") / med("broadcast", "kit", "server_cpu_us_per_msg"), 2, "≥ 2", (v) => v >= 2);
    check("server memory with idle connections, kit/Node", med("idle", "kit", "rss_after_kib") / med("idle", "node", "rss_after_kib"),
          3, "≤ 0.333", (v) => v <= 1 / 3);
    return ["| target (quiet against quiet) | measured | goal | |", "| --- | --- | --- | --- |", ...lines].join("\n");
}

function machine() {
    const version = (cmd, args) => {
        try { return execFileSync(cmd, args, { encoding: "utf8" }).split("\n")[0].trim(); } catch { return "?"; }
    };
    let ws = "?";
    try { ws = require(path.join(here, "node_modules/ws/package.json")).version; } catch { /* not installed */ }
    let buildType = "?";
    try {
        buildType = /CMAKE_BUILD_TYPE:STRING=(.*)/.exec(fs.readFileSync(path.join(build, "CMakeCache.txt"), "utf8"))[1];
    } catch { /* not a CMake tree */ }
    return [
        `- ${os.cpus()[0].model}, ${cores} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
        `- Node ${process.version}, ws ${ws}; ${version("c++", ["--version"])}, ${buildType} build (${path.relative(top, build) || "."})`,
        `- server pinned to core ${pinned ? serverCore : "(none)"}, generator to core ${pinned ? generatorCore : "(none)"}` +
            (niced.length ? ", both at nice -10" : ""),
    ].join("\n");
}

/** Puts @p body between the result markers of the notes file, keeping everything around them. */
function writeNotes(body) {
    const begin = "<!-- bench:results:begin (written by make bench) -->";
    const end = "<!-- bench:results:end -->";
    let text = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    if (!text.includes(begin) || !text.includes(end))
        text = `# Benchmarks\n\n${begin}\n${end}\n` + (text ? `\n${text}` : "");
    const before = text.slice(0, text.indexOf(begin) + begin.length);
    const after = text.slice(text.indexOf(end));
    fs.writeFileSync(out, `${before}\n${body}\n${after}`);
}

async function main() {
    for (const file of [loadgen])
        if (!fs.existsSync(file)) throw new Error(`${file} is missing: build Release first (make bench)`);
    fs.mkdirSync(logs, { recursive: true });
    const chosen = process.env.SCENARIOS ? process.env.SCENARIOS.split(",") : scenarios.map((s) => s.name);
    const started = new Date();
    const loadBefore = os.loadavg();
    const all = {};
    for (const scenario of scenarios.filter((s) => chosen.includes(s.name))) {
        if (scenario.servers.kit.length === 1 && !fs.existsSync(scenario.servers.kit[0])) {
            console.log(`${scenario.name}: skipped, ${scenario.servers.kit[0]} is not built`);
            continue;
        }
        console.log(`${scenario.title}`);
        const results = { kit: [], node: [] };
        // A/B/A/B: the machine's drift hits both servers alike.
        for (let i = 1; i <= runs; i++)
            for (const who of ["kit", "node"]) results[who].push(await runOnce(scenario, who, i));
        all[scenario.name] = results;
    }
    const loadAfter = os.loadavg();
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    fs.writeFileSync(path.join(build, "bench/results.json"), JSON.stringify(all, null, 1));
    const body = [
        "",
        `Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC by \`make bench\` in ${minutes} min: ` +
            `${runs} runs of each server per scenario, kit and Node alternating, ${duration} s measured after ${warmup} s of warm-up. ` +
            `Load average ${loadBefore[0].toFixed(1)} before, ${loadAfter[0].toFixed(1)} after (other work on the machine shows here).`,
        "",
        machine(),
        "",
        targets(all),
        "",
        ...scenarios.filter((s) => all[s.name]).map((s) => tableFor(s, all[s.name])),
    ].join("\n");
    if (out === "-") console.log(body);
    else {
        writeNotes(body);
        console.log(`Wrote ${path.relative(top, out)} (raw results: ${path.join(build, "bench/results.json")})`);
    }
}

main().catch((error) => {
    console.error(`run-bench: ${error.message}`);
    process.exit(1);
});
