import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7, variant 10', () => {
    for (let i = 0; i < 1000; i++) expect(uuidv7()).toMatch(FORMAT);
  });

  it('starts with the Unix time in milliseconds, so later ids sort after earlier ones', () => {
    const at = Date.UTC(2026, 10, 27, 12, 0, 0, 123);
    const id = uuidv7(at);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect(uuidv7(at + 1) > id).toBe(true);
  });

  it('draws fresh random bits for every id, also across refills of its random pool', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidv7(0));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
