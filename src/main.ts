// `npm start` (and `node dist/main.js`): says at once that Tabib is starting — loading its
// modules takes seconds, and on a first run tsx also compiles them — then starts the service.
import { logger } from "./boot.js";

logger.info(
  { node: process.version, pid: process.pid },
  "starting Tabib: loading the service (a first start also prepares the database and the demo clinic)",
);
await import("./server.js");
