import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkSignal } from '../src/workers/work-signal.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a unit of `busyMs` through `paced` and returns how long it waited before starting. */
async function waitedBefore(signal: WorkSignal, busyMs: number): Promise<number> {
  const called = performance.now();
  let started = 0;
  await signal.paced(async () => {
    started = performance.now();
    await sleep(busyMs);
  });
  return started - called;
}

describe('WorkSignal: acknowledgements first', () => {
  test('background work runs at once while no delivery is being received', async () => {
    const signal = new WorkSignal();
    assert.equal(signal.receivingNow(), false);
    await waitedBefore(signal, 40);
    assert.ok((await waitedBefore(signal, 1)) < 30);
  });

  test('while deliveries stream in, each unit first pauses four times the last one (a fifth of the time)', async () => {
    const signal = new WorkSignal();
    await waitedBefore(signal, 30); // the last unit took ~30 ms
    signal.receiveStarted();
    assert.equal(signal.receivingNow(), true);
    assert.ok((await waitedBefore(signal, 10)) >= 110, 'paused ~120 ms');
    assert.ok((await waitedBefore(signal, 10)) >= 35, 'then ~40 ms after a 10 ms unit');
    signal.received();
    // Answered, but the route is not quiet yet: the next delivery is likely on its way.
    assert.equal(signal.receivingNow(), true);
    await sleep(80);
    assert.equal(signal.receivingNow(), false, 'quiet 50 ms after the last delivery');
    assert.ok((await waitedBefore(signal, 1)) < 30);
  });

  test('a unit that throws still counts, and an extra received() never drives the count below zero', async () => {
    const signal = new WorkSignal();
    await assert.rejects(signal.paced(() => Promise.reject(new Error('boom'))));
    signal.received();
    signal.receiveStarted();
    signal.received();
    await sleep(80);
    assert.equal(signal.receivingNow(), false);
  });
});
