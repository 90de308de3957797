import type { Environment } from '../../config/config-values.js';
import { truncate, withoutNulls } from '../tool.js';

/**
 * How large a created payment's structured result may be when serialized. The text block repeats it, so a
 * reply stays under ~2 × 64 KiB, far below the 10 MiB a client accepts, however much the API echoes back.
 */
export const RESULT_BUDGET_BYTES = 64 * 1024;
/** A checkout link longer than this is not one a customer can be sent; it is left out (with a note). */
const MAX_PAYMENT_LINK_LENGTH = 4096;
// Not for the agent: it lets a browser confirm the payment, and only adds sensitive data to the model's context.
const WITHHELD_FIELDS = ['client_secret'];
const OWN_FIELDS = ['payment_id', 'payment_link', 'total_amount', 'environment', 'notes'];
/** What the result never repeats from the answer: its own fields, and the withheld ones. */
const NOT_ECHOED: ReadonlySet<string> = new Set([...OWN_FIELDS, ...WITHHELD_FIELDS]);

/**
 * The result for a payment the API created (a 2xx with a payment_id). It always carries the payment_id and
 * always matches the output schema, whatever else the answer holds: a field of the wrong type is left out and
 * named in `notes`, and the fields the API echoes back are dropped, largest first, beyond RESULT_BUDGET_BYTES.
 */
export function createdPaymentResult(
  payment: { payment_id: string } & Record<string, unknown>,
  environment: Environment,
): Record<string, unknown> {
  const notes: string[] = [];
  const { payment_link: link, total_amount: amount } = payment;
  const core: Record<string, unknown> = { payment_id: payment.payment_id };
  if (typeof link === 'string' && link.length <= MAX_PAYMENT_LINK_LENGTH) core.payment_link = link;
  else if (link !== undefined && link !== null)
    notes.push(`payment_link left out: the API answered ${describeValue(link)}, not a checkout URL.`);
  if (Number.isSafeInteger(amount)) core.total_amount = amount;
  else notes.push(`total_amount left out: the API answered ${describeValue(amount)}; check the amount with get_payment.`);
  core.environment = environment;

  // The fields the API echoes back, in its order.
  const all = withoutNulls(payment, NOT_ECHOED);
  // Room left for the notes this may add; the smallest fields are kept first, so one huge echo costs only itself.
  let size = JSON.stringify(core).length + 512 + notes.join('').length;
  // The usual answer fits whole: the fields' sizes one by one ({"name":value} each) add up to the whole object's
  // length plus one per field less one, so this is the test below for all of them at once, without the per-field work.
  if (size + JSON.stringify(all).length + Object.keys(all).length - 1 <= RESULT_BUDGET_BYTES) {
    return { ...core, ...all, ...(notes.length > 0 && { notes }) };
  }
  const echoed = Object.entries(all)
    .map(([name, value]) => ({ name, value, size: JSON.stringify({ [name]: value }).length }))
    .sort((a, b) => a.size - b.size);
  const kept: (typeof echoed)[number][] = [];
  const dropped: string[] = [];
  for (const field of echoed) {
    if (size + field.size > RESULT_BUDGET_BYTES) dropped.push(truncate(field.name, 64) ?? '""');
    else {
      kept.push(field);
      size += field.size;
    }
  }
  if (dropped.length > 0) {
    const listed = dropped.slice(0, 10).join(', ') + (dropped.length > 10 ? `, and ${dropped.length - 10} more` : '');
    notes.push(`Left out to keep this result small (the payment was created; get_payment shows its state): ${listed}.`);
  }
  const order = Object.keys(payment);
  const ordered = Object.fromEntries(
    kept.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)).map(({ name, value }) => [name, value]),
  );
  return { ...core, ...ordered, ...(notes.length > 0 && { notes }) };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `a ${value.length}-character string` : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
