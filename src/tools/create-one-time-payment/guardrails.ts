import type { Config } from '../../config/config.js';
import type { PaymentRequest } from './input-schema.js';

export type Guardrails = Pick<Config, 'allowedProductIds' | 'allowedReturnUrlHosts'>;

/** Operator rules checked before any call, one line per violation, naming the field. */
export function guardrailViolations(request: PaymentRequest, guardrails: Guardrails): string[] {
  const violations: string[] = [];
  const { allowedProductIds, allowedReturnUrlHosts } = guardrails;
  if (allowedProductIds) {
    request.product_cart.forEach((item, index) => {
      if (!allowedProductIds.includes(item.product_id)) {
        violations.push(
          `product_cart[${index}].product_id: ${JSON.stringify(item.product_id)} is not allowed on this server; ` +
            `allowed products: ${allowedProductIds.join(', ')}`,
        );
      }
    });
  }
  if (allowedReturnUrlHosts && request.return_url !== undefined) {
    const host = new URL(request.return_url).hostname.toLowerCase();
    if (!allowedReturnUrlHosts.includes(host)) {
      violations.push(
        `return_url: host ${JSON.stringify(host)} is not allowed on this server; allowed hosts: ${allowedReturnUrlHosts.join(', ')}`,
      );
    }
  }
  return violations;
}

/** The rules as the model should know them up front; empty when none are set. */
export function describeGuardrails(guardrails: Guardrails): string[] {
  const lines: string[] = [];
  if (guardrails.allowedProductIds) {
    lines.push(`Only these product ids may be charged: ${guardrails.allowedProductIds.join(', ')}.`);
  }
  if (guardrails.allowedReturnUrlHosts) {
    lines.push(`return_url must be on one of these hosts: ${guardrails.allowedReturnUrlHosts.join(', ')}.`);
  }
  return lines;
}
