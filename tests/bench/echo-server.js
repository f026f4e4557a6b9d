/**
 * @file
 * @brief The article's echo server (#echo-server) on ws@8: every message goes back to its sender.
 *
 * Unlike the article's `ws.send(message)`, which in ws@8 would turn text into binary,
 * the frame type is kept (text stays text), as in the kit's 02-echo.
 */
"use strict";

const { log, logMessage, describe, serve } = require("./common");

serve((ws) => {
    log("Connection received.");

    ws.on("message", (data, isBinary) => {
        logMessage(`Received: ${describe(data, isBinary)}`);
        ws.send(data, { binary: isBinary });
    });

    ws.on("close", (code, reason) => log(`Closing connection: ${code} ${reason}`));
});
