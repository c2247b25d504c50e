// `npm run bench` compares servers only if each does the work the generator asks of it: these run
// the benchmark's own scenarios (short windows) against every target, through the same server and
// generator processes as a real run, and check that every target answered every request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SIO_SCENARIOS } from "../../../bench/sio/scenarios.js";
import { PROTOCOL_COST_TARGETS, protocolCost } from "../../../bench/sio/protocol-cost.js";

const scenario = (name: string) => {
  const found = SIO_SCENARIOS.find((s) => s.name === name);
  assert.ok(found, `no scenario ${name}`);
  return found;
};

const echo = scenario("echo-1");
for (const target of echo.targets) {
  test(`echo-1: ${target} acknowledges every request of 100 clients`, async () => {
    const result = await echo.run(target, { quick: true });
    // The generator only sends a request when an ack came back, so a target that loses acks stalls at 0.
    assert.ok(result["roundTripsPerSecond"]! > 1_000, `round trips/s: ${result["roundTripsPerSecond"]}`);
    assert.ok(Number.isFinite(result["p99Ms"]) && result["p99Ms"]! >= result["p50Ms"]!, `p50 ${result["p50Ms"]}, p99 ${result["p99Ms"]}`);
    // The kernel's part is a part: at most the whole share (clock ticks of 10 ms allow a little slack).
    const { serverCpu, serverKernelCpu } = result;
    assert.ok(serverKernelCpu! >= 0 && serverKernelCpu! <= serverCpu! + 0.05, `server CPU ${serverCpu}, of it in the kernel ${serverKernelCpu}`);
  });
}

const fanout = scenario("fanout-tick");
for (const target of fanout.targets) {
  test(`fanout-tick: ${target} delivers each broadcast to all 1 000 clients`, async () => {
    const result = await fanout.run(target, { quick: true });
    // A broadcast counts as done only once all of its 1 000 deliveries have arrived.
    assert.ok(result["deliveriesPerSecond"]! > 5_000, `deliveries/s: ${result["deliveriesPerSecond"]}`);
    assert.ok(Number.isFinite(result["lastDeliveryMs"]), `time to last delivery: ${result["lastDeliveryMs"]}`);
  });
}

for (const target of PROTOCOL_COST_TARGETS) {
  test(`protocol-cost: ${target} acknowledges every in-memory request`, async () => {
    // protocolCost throws unless the bytes written are exactly one ack per request.
    const micros = await protocolCost(target, 50);
    assert.ok(micros > 0 && micros < 1_000, `µs per round trip: ${micros}`);
  });
}
