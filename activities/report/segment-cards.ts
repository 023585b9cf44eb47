import { displayText } from './display-text';
import { eventMixChart, topTermsChart } from './charts/segment-charts';
import { PRICE_HIGH, PRICE_LOW, populationProfile } from './segment-names';

type Row = Record<string, unknown>;

/**
 * One card per segment: its name, description and size, its event mix against the population, its
 * most distinctive terms by lift, its price level, and the sequences of its most typical users.
 */
export async function segmentCards(
  profiles: Row[], topTerms: Row[], representatives: Array<{ segment: number; userId: string; sequence: string }>,
): Promise<string> {
  const population = populationProfile(profiles.filter((row) => Number(row.segment) >= 0));
  const cards = [];
  for (const profile of profiles) {
    const segment = Number(profile.segment);
    const users = representatives.filter((entry) => entry.segment === segment);
    cards.push(`<section class="card" data-segment="${segment}">
<h3>${displayText(profile.name ?? `Segment ${segment}`)} <span class="muted">segment ${segment}</span></h3>
<p>${displayText(profile.description ?? '', 600)}</p>
<p class="muted">Price level: ${priceLevel(Number(profile.mean_price), population.meanPrice)}</p>
<div class="chart-row">${await eventMixChart(profile, profiles)}${await topTermsChart(segment, topTerms)}</div>
${users.length > 0 ? `<h4>Representative users</h4>
<ol class="sequences">${users.map((entry) => `<li><code>${displayText(entry.userId, 60)}</code>: ${displayText(entry.sequence, 400)}</li>`).join('\n')}</ol>` : ''}
</section>`);
  }
  return cards.join('\n');
}

function priceLevel(price: number, populationPrice: number): string {
  if (!Number.isFinite(price)) return 'no prices';
  if (!Number.isFinite(populationPrice) || populationPrice <= 0) return `mean price ${price.toFixed(2)}`;
  const ratio = price / populationPrice;
  const level = ratio >= PRICE_HIGH ? 'premium' : ratio <= PRICE_LOW ? 'budget' : 'typical';
  return `${level} (mean price ${price.toFixed(2)}, ${ratio.toFixed(1)}x the population's)`;
}
