/**
 * Hostile hand-in: listens, but never prints its ready line. Each test waits 10 s for it.
 */
"use strict";
console.log = () => {};
require("./article-server.js");
