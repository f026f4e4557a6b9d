/**
 * Hostile hand-in: ignores SIGTERM and SIGINT, so it never stops when asked.
 * The harness ends it after 2 s, with everything it started.
 */
"use strict";
process.on("SIGTERM", () => console.log("SIGTERM? no."));
process.on("SIGINT", () => console.log("SIGINT? no."));
require("./article-server.js");
