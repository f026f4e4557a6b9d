/**
 * @file
 * @brief The connect client (#clientconnect): the shared controls, used to
 *        open and close a connection to a server of 01-connect.
 */
import { mountClient } from "../shared/kit.js";

mountClient(document.getElementById("client"), { message: "Anyone there?" });
