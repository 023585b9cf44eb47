import { describe, expect, it } from 'vitest';
import { nameSegments } from '../../activities/report/segment-names';

/** A profile row as segment_profiles.sql returns it, with a given event mix. */
function profile(segment: number, users: number, mix: Partial<Record<'view' | 'click' | 'cart' | 'fav' | 'purchase' | 'search', number>>, extra: Record<string, unknown> = {}) {
  const shares = { view: 0, click: 0, cart: 0, fav: 0, purchase: 0, search: 0, ...mix };
  return {
    segment, users, share: users / 100, mean_events: 10, mean_sessions: 2, buyer_share: shares.purchase > 0 ? 0.6 : 0.05, mean_price: 100,
    ...Object.fromEntries(Object.entries(shares).map(([kind, value]) => [`${kind}_share`, value])), ...extra,
  };
}

const term = (segment: number, kind: string, text: string, lift: number) => ({ segment, kind, term: text, lift, segment_users: 5 });

describe('segment names', () => {
  it('names the behavior that sets a segment apart and its distinctive categories and brands', () => {
    const profiles = [
      profile(0, 40, { view: 0.95, cart: 0.05 }),
      profile(1, 30, { view: 0.5, cart: 0.3, purchase: 0.2 }, { mean_price: 400 }),
      profile(2, 30, { view: 0.6, search: 0.4 }, { mean_price: 30 }),
    ];
    const terms = [
      term(1, 'category', 'electronics.smartphone', 3.2), term(1, 'brand', 'apple', 2.5), term(1, 'item', '1004856', 5),
      term(0, 'category', 'apparel.shoes', 1.8), term(0, 'brand', 'nike', 0.9), // lift below 1 is not distinctive
      term(2, 'brand', 'xiaomi', 2),
    ];
    const names = nameSegments(profiles, terms);
    expect(names.map((entry) => entry.name)).toEqual([
      'Typical budget browsers: shoes', // 100 against a population mean of 169
      'Cart-heavy premium buyers: smartphone, apple',
      'Budget searchers: xiaomi',
    ]);
    expect(names[1].description).toContain('30 users (30%)');
    expect(names[1].description).toContain('category electronics.smartphone (3.2x)');
    expect(names[1].description).toContain('60% buy');
  });

  it('is deterministic and does not depend on the order of its input', () => {
    const profiles = [profile(0, 50, { view: 0.9, cart: 0.1 }), profile(1, 50, { view: 0.7, cart: 0.3 })];
    const terms = [term(0, 'brand', 'b', 2), term(0, 'category', 'a.c', 2), term(1, 'brand', 'z', 3)];
    const first = nameSegments(profiles, terms);
    expect(nameSegments([...profiles].reverse(), [...terms].reverse())).toEqual(first);
    expect(nameSegments(profiles, terms)).toEqual(first);
  });

  it('makes every name unique: one more own term first, then a number', () => {
    const same = { view: 0.8, cart: 0.2 };
    const profiles = [profile(0, 25, same), profile(1, 25, same), profile(2, 25, same), profile(3, 25, same)];
    const terms = [
      term(0, 'category', 'kids.toys', 3), term(0, 'brand', 'lego', 2), term(0, 'category', 'kids.books', 1.5),
      term(1, 'category', 'kids.toys', 3), term(1, 'brand', 'lego', 2), term(1, 'brand', 'mattel', 1.4),
    ];
    const names = nameSegments(profiles, terms).map((entry) => entry.name);
    expect(new Set(names).size).toBe(4);
    expect(names[0]).toBe('Typical shoppers: toys, lego, books');
    expect(names[1]).toBe('Typical shoppers: toys, lego, mattel');
    expect(names[2]).toBe('Typical shoppers');
    expect(names[3]).toBe('Typical shoppers (2)');
  });

  it('uses ids only where no text exists, and labels them as ids', () => {
    const profiles = [profile(0, 50, { view: 0.9, cart: 0.1 }), profile(1, 50, { view: 0.7, cart: 0.3 })];
    const terms = [
      term(0, 'category', '2053013555631882655', 4), term(0, 'item', '1487580010125459512', 6),
      term(1, 'item', '1487580010125459512', 3), term(1, 'brand', 'samsung', 1.5), term(1, 'category', '2053013555631882655', 2),
    ];
    const [ids, text] = nameSegments(profiles, terms);
    expect(ids.name).toBe('Typical browsers: category #205301…, item #148758…');
    expect(text.name).toBe('Cart-heavy shoppers: samsung');
    expect(text.name).not.toMatch(/#/);
    expect(ids.description).toContain('category #2053013555631882655 (4.0x)');
  });

  it('keeps names short when a term is 10,000 characters long, and names noise apart', () => {
    const profiles = [profile(-1, 10, { view: 1 }), profile(0, 90, { view: 0.9, cart: 0.1 })];
    const names = nameSegments(profiles, [term(0, 'brand', 'x'.repeat(10_000), 2)]);
    expect(names[0].name).toBe('Unassigned (noise)');
    expect(Array.from(names[1].name).length).toBeLessThan(80);
    expect(names[1].description.length).toBeLessThan(400);
  });
});
