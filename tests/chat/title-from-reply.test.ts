import { describe, expect, it } from 'vitest';
import { titleFromReply } from '../../src/chat/suggest-title.js';

describe('titleFromReply', () => {
  it.each([
    ['Kyoto Trip Plan', 'Kyoto Trip Plan'],
    ['Title: Kyoto Trip Plan', 'Kyoto Trip Plan'],
    ['**Title:** "Kyoto Trip Plan."', 'Kyoto Trip Plan'],
    ['# Kyoto Trip Plan', 'Kyoto Trip Plan'],
    ['“Kyoto Trip Plan”', 'Kyoto Trip Plan'],
    ['\n\n  Kyoto   Trip\tPlan  \nbecause the user asked about Kyoto', 'Kyoto Trip Plan'],
    ['<think>They ask about Kyoto.\nA trip.</think>\nKyoto Trip Plan', 'Kyoto Trip Plan'],
    ['Why is C++ hard?', 'Why is C++ hard?'],
  ])('takes the title out of %j', (reply, title) => {
    expect(titleFromReply(reply, 80)).toBe(title);
  });

  it('finds no title in an empty reply, only quotes, or thinking that never ended', () => {
    for (const reply of ['', '   \n ', '""', '<think>still thinking about it']) {
      expect(titleFromReply(reply, 80)).toBeNull();
    }
  });

  it('cuts a long title at the last whole word within the limit', () => {
    expect(titleFromReply('alpha beta gamma delta', 13)).toBe('alpha beta');
  });

  it('cuts one long word at the limit, counting an emoji as one character', () => {
    expect(titleFromReply(`🌸${'x'.repeat(100)}`, 10)).toBe(`🌸${'x'.repeat(9)}`);
  });
});
