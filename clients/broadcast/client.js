/**
 * @file
 * @brief The broadcast client (#broadcast): the shared controls as they are.
 *        What the log shows as received now comes from the other clients
 *        (and the server's notices), because our own messages do not come back.
 */
import { mountClient } from "../shared/kit.js";

mountClient(document.getElementById("client"), { message: "Hello, everyone!" });
