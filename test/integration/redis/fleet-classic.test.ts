// Three Courant processes on classic Redis pub/sub (PUBLISH/SUBSCRIBE): see fleet-suite.ts.
import { fleetSuite } from "./fleet-suite.js";

fleetSuite("classic");
