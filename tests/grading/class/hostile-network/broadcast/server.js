/**
 * Hostile hand-in: connects to a port of the teacher's machine (tests/grading/run listens on one
 * on every address, and names it in DBWEBB_TEACHER_PORT) and to the wider network, and tells
 * every client when it got through.
 * In the sandbox only the test's own loopback is there, where nothing listens on that port.
 */
"use strict";
const net = require("net");
const WebSocket = require("ws");

const reached = [];
for (const host of ["127.0.0.1", "192.0.2.2", "10.0.2.2", "172.17.0.1", "192.168.1.1"]) {
    const socket = net.connect({ host, port: Number(process.env.DBWEBB_TEACHER_PORT), timeout: 300 }, () => { reached.push(host); socket.end("hostile-network\n"); });
    socket.on("error", () => {});
    socket.on("timeout", () => socket.destroy());
}
const emit = WebSocket.Server.prototype.emit;
WebSocket.Server.prototype.emit = function (event, ws, ...rest) {
    if (event === "connection" && reached.length) ws.send("REACHED " + reached.join(" "));
    return emit.call(this, event, ws, ...rest);
};
require("./article-server.js");
