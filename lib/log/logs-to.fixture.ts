// Test fixture: a process that logs one info and one error line through the process's logger
// (lib/log), as the server does, to show what its output looks like on a terminal and on a pipe.
import { flushLogs, getLogger } from "./index";

getLogger().info({ component: "fixture" }, "hello from the fixture");
getLogger().error({ component: "fixture" }, "an error from the fixture");
flushLogs();
