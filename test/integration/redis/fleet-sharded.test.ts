// Three Courant processes on the sharded pub/sub of Redis 7 (SPUBLISH/SSUBSCRIBE, "dynamic" room
// channels): see fleet-suite.ts.
import { fleetSuite } from "./fleet-suite.js";

fleetSuite("sharded");
