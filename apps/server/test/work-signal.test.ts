import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkSignal } from '../src/workers/work-signal.ts';

describe('WorkSignal: acknowledgements first', () => {
  test('workers go on at once while no delivery is being received', async () => {
    const signal = new WorkSignal();
    const started = performance.now();
    await signal.giveWay(5_000);
    assert.ok(performance.now() - started < 1_000);
  });

  test('they wait while deliveries are received, and go on when the last is answered', async () => {
    const signal = new WorkSignal();
    signal.receiveStarted();
    signal.receiveStarted();
    let released = false;
    const waiting = signal.giveWay(60_000).then(() => (released = true));
    signal.received();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(released, false, 'one delivery is still being received');
    signal.received();
    await waiting;
    assert.equal(released, true);
  });

  test('they never wait longer than the bound, so processing cannot starve', async () => {
    const signal = new WorkSignal();
    signal.receiveStarted();
    const started = performance.now();
    await signal.giveWay(30);
    assert.ok(performance.now() - started >= 25);
    signal.received();
    signal.received(); // an extra call never drives the count below zero
    signal.receiveStarted();
    let released = false;
    const waiting = signal.giveWay(60_000).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(released, false);
    signal.received();
    await waiting;
  });
});
