/** An amount in the currency's smallest unit, as a person reads it: `1999, 'USD'` → `19.99 USD`, `500, 'JPY'` → `500 JPY`. */
export function formatAmount(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}
