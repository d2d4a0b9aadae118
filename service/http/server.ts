// The HTTP server the app listens on. Express gives every request and response the app's own prototypes as it takes
// them (Object.setPrototypeOf in app.handle); this server makes them with those prototypes from the start, so that
// call changes nothing (V8 returns at once when the prototype is already the one asked for).
//
// Why it matters: measured with --trace-gc-nvp on a minimal Express 5 app (20,000 sequential keep-alive GETs), the
// per-request prototype change made about 4.6 MB outlive each scavenge and 3.2 MB reach the old generation, with
// scavenge pauses of ~9.5 ms; made with the app's prototypes, 18 KB and 0.5 ms, the same as a bare node:http server.
// On the service, that was most of what survived a scavenge in bench:ingest and in bench:anchor's receipt reads.
import { createServer, IncomingMessage, ServerResponse, type Server } from "node:http";
import type { Express } from "express";

export function createHttpServer(app: Express): Server {
  return createServer({ IncomingMessage: madeWith(IncomingMessage, app.request), ServerResponse: madeWith(ServerResponse, app.response) }, app);
}

/** A constructor Node's server calls with `new` in place of `base`: it runs `base` on an object made with `prototype`. */
function madeWith<C extends typeof IncomingMessage | typeof ServerResponse>(base: C, prototype: InstanceType<C>): C {
  // Node's IncomingMessage and ServerResponse are plain constructor functions (not classes), so they can run on `this`.
  const run = base as unknown as (...args: unknown[]) => void;
  function Made(this: object, ...args: unknown[]): void {
    Reflect.apply(run, this, args);
  }
  Made.prototype = prototype;
  return Made as unknown as C;
}
