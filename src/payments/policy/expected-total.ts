import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { DodoApi } from '../../dodo/api-client.js';
import { classifyError } from '../../dodo/failure-classification.js';
import { callWithRetries, type RetryOptions } from '../../dodo/retry-policy.js';

/** How long a product's price is trusted: long enough for a burst of payments, short enough to follow a price change. */
const PRICE_TTL_MS = 60_000;
/** Prices are of real products (a failed read is not kept), but the cache stays bounded whatever is asked. */
const MAX_CACHED_PRICES = 1_000;

type UnitPrice = { price: number; currency: string; payWhatYouWant: boolean };

export type ExpectedTotal = { ok: true; currency: string; amount: number } | { ok: false; reason: string };

/**
 * A payment's expected total before anything is sent: each product's one-time price × quantity, or the
 * line's `amount` × quantity for a pay-what-you-want product (its price when no amount is given, the minimum the
 * API charges). Before tax and discounts, in the products' price currency. Prices are read with
 * `GET /products/{id}` (retried as any read) and kept for a minute by the injected clock.
 */
export class ProductPrices {
  private readonly cache = new Map<string, { unit: UnitPrice; until: number }>();

  constructor(private readonly now: () => number) {}

  async expectedTotal(
    cart: PaymentCreateParams['product_cart'],
    api: DodoApi,
    retry: Omit<RetryOptions, 'readOnly'>,
  ): Promise<ExpectedTotal> {
    const ids = [...new Set(cart.map((item) => item.product_id))];
    const units = await Promise.all(ids.map((id) => this.unitPrice(id, api, retry)));
    const byId = new Map<string, UnitPrice>();
    for (const [index, unit] of units.entries()) {
      if (typeof unit === 'string') return { ok: false, reason: unit };
      byId.set(ids[index] as string, unit);
    }
    const currencies = [...new Set([...byId.values()].map((unit) => unit.currency))];
    if (currencies.length > 1) {
      return { ok: false, reason: `the cart mixes price currencies (${currencies.join(', ')}); send one payment per currency` };
    }
    let amount = 0;
    for (const item of cart) {
      const unit = byId.get(item.product_id) as UnitPrice;
      amount += (unit.payWhatYouWant ? (item.amount ?? unit.price) : unit.price) * item.quantity;
    }
    return { ok: true, currency: currencies[0] as string, amount };
  }

  /** The product's one-time price, or why it cannot be counted. */
  private async unitPrice(id: string, api: DodoApi, retry: Omit<RetryOptions, 'readOnly'>): Promise<UnitPrice | string> {
    const cached = this.cache.get(id);
    if (cached && cached.until > this.now()) return cached.unit;
    const read = await callWithRetries(() => api.retrieveProduct(id, retry.signal), classifyError, { ...retry, readOnly: true });
    if (!read.ok) return `the price of ${id} could not be read (${read.failure.label})`;
    const price: unknown = (read.value as { price?: unknown }).price;
    const { type, price: amount, currency, pay_what_you_want } = (price ?? {}) as Record<string, unknown>;
    if (type !== 'one_time_price' || !Number.isSafeInteger(amount) || typeof currency !== 'string') {
      return `${id} has no one-time price to check against the limits`;
    }
    const unit = { price: amount as number, currency, payWhatYouWant: pay_what_you_want === true };
    if (this.cache.size >= MAX_CACHED_PRICES) this.cache.clear();
    this.cache.set(id, { unit, until: this.now() + PRICE_TTL_MS });
    return unit;
  }
}
