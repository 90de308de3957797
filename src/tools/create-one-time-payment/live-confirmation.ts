import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import type { Product } from 'dodopayments/resources/products/products';
import type { DodoApi } from '../../dodo/api-client.js';
import { formatAmount } from '../../payments/money.js';

/** Product details for the confirmation; a product that cannot be read is simply left out. */
export async function lookUpProducts(api: DodoApi, productIds: readonly string[], signal: AbortSignal): Promise<Map<string, Product>> {
  const unique = [...new Set(productIds)];
  const found = await Promise.all(unique.map((id) => api.retrieveProduct(id, signal).catch(() => undefined)));
  return new Map(found.flatMap((product, index) => (product ? [[unique[index] as string, product]] : [])));
}

/** What the user confirms: the customer, each item with its quantity, and the total where prices allow. */
export function describeLivePayment(request: PaymentCreateParams, products: ReadonlyMap<string, Product>): string {
  const customer =
    'customer_id' in request.customer ? `existing customer ${request.customer.customer_id}` : `new customer ${request.customer.email}`;
  let total = 0;
  let currency: string | undefined;
  let totalKnown = true;
  const lines = request.product_cart.map((item) => {
    const product = products.get(item.product_id);
    const price = product?.price.type === 'one_time_price' ? product.price : undefined;
    const unitPrice = price?.pay_what_you_want ? (item.amount ?? undefined) : price?.price;
    if (price === undefined || unitPrice === undefined || (currency !== undefined && currency !== price.currency)) totalKnown = false;
    else {
      currency = price.currency;
      total += unitPrice * item.quantity;
    }
    const name = product?.name ? `${product.name} (${item.product_id})` : item.product_id;
    return `• ${item.quantity} × ${name}${price && unitPrice !== undefined ? ` at ${formatAmount(unitPrice, price.currency)}` : ''}`;
  });
  const totalLine =
    totalKnown && currency !== undefined
      ? `Expected total: ${formatAmount(total, currency)} (before tax and discounts).`
      : 'Expected total: not available (a product price could not be read).';
  return [`Create a LIVE payment for ${customer}? The customer is charged real money when they pay.`, ...lines, totalLine].join('\n');
}
