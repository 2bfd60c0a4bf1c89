/**
 * Medical-insurance global budget settlement (DOMAIN.md §6.2, 总额包干、结余留用、合理超支分担).
 */
import type { Scheme } from '../schemas/dataset.js';
import { applyRate, type Fen, largestRemainderSplit, roundFen } from './money.js';
import { type Fraction, min, rational, ZERO } from './rational.js';

export interface InsuranceSurplus {
  outcome: 'surplus';
  budget: Fen;
  actual: Fen;
  surplus: Fen;
  retained: Fen;
  returned: Fen;
  payPart: Fen;
  developmentPart: Fen;
  payPartByInstitution: Map<string, Fen>;
}

export interface InsuranceOverspend {
  outcome: 'overspend';
  budget: Fen;
  actual: Fen;
  overspend: Fen;
  reasonable: Fen;
  fundBears: Fen;
  communityBears: Fen;
}

export interface InsuranceBalanced {
  outcome: 'balanced';
  budget: Fen;
  actual: Fen;
}

export type InsuranceSettlement = InsuranceSurplus | InsuranceOverspend | InsuranceBalanced;

/**
 * Tiered retention of a surplus U: the part of U up to upTo₁·B at rate₁, the next part up to upTo₂·B at
 * rate₂, …; `upTo: null` takes the rest. Tiers are cumulative caps as fractions of the budget. A surplus
 * beyond the last capped tier (when no tier is open-ended) is not retained.
 */
export function tieredRetention(
  surplus: Fen,
  budget: Fen,
  tiers: Scheme['insurance']['retentionTiers'],
): Fraction {
  let retained = ZERO;
  let lower = ZERO;
  const u = rational(surplus);
  for (const tier of tiers) {
    const upper = tier.upTo === null ? u : min(u, rational(tier.upTo).mul(budget));
    if (upper.compare(lower) > 0) retained = retained.add(upper.sub(lower).mul(rational(tier.rate)));
    if (upper.compare(lower) > 0) lower = upper;
    if (lower.compare(u) >= 0) break;
  }
  return retained;
}

export interface InsuranceMember {
  institutionId: string;
  /** Rounded annual score S_i. */
  score: Fraction;
  headcount: number;
  tier: string;
}

export function settleInsurance(input: {
  budget: Fen;
  actual: Fen;
  reasonableOverspend?: Fen;
  insuranceGate: string;
  rules: Scheme['insurance'];
  members: readonly InsuranceMember[];
}): InsuranceSettlement {
  const { budget, actual, rules } = input;
  if (actual < budget) {
    const surplus = budget - actual;
    const retained = roundFen(
      tieredRetention(surplus, budget, rules.retentionTiers).mul(rational(input.insuranceGate)),
    );
    const payPart = applyRate(retained, rules.retainedToPayShare);
    const weights = input.members.map((m) => ({
      id: m.institutionId,
      weight: m.score.mul(m.headcount).mul(rational(m.tier)),
    }));
    const split = largestRemainderSplit(payPart, weights);
    // With no weight at all nothing can be paid out: the pay part stays with the community's development fund.
    const payPartByInstitution = split ?? new Map(input.members.map((m) => [m.institutionId, 0]));
    const paidFen = split === null ? 0 : payPart;
    return {
      outcome: 'surplus',
      budget,
      actual,
      surplus,
      retained,
      returned: surplus - retained,
      payPart: paidFen,
      developmentPart: retained - paidFen,
      payPartByInstitution,
    };
  }
  if (actual > budget) {
    const overspend = actual - budget;
    const reasonable = Math.min(input.reasonableOverspend ?? overspend, overspend);
    const banded = min(rational(reasonable), rational(rules.overspendBand).mul(budget));
    const fundBears = roundFen(banded.mul(rational(rules.overspendFundShare)));
    return {
      outcome: 'overspend',
      budget,
      actual,
      overspend,
      reasonable,
      fundBears,
      communityBears: overspend - fundBears,
    };
  }
  return { outcome: 'balanced', budget, actual };
}
