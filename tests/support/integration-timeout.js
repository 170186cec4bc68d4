// Integration tests talk to a real broker: start-up, rebalances and shutdown take seconds.
jest.setTimeout(120000);
