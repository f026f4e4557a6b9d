/**
 * @file
 * @brief The echo client (#echo-server): the shared controls as they are —
 *        every message sent comes back from the server and lands in the log.
 */
import { mountClient } from "../shared/kit.js";

mountClient(document.getElementById("client"), { message: "Hello, echo!" });
