import { createOneTimePaymentTool } from './create-one-time-payment/tool.js';
import { getPaymentTool } from './get-payment.js';
import { listProductsTool } from './list-products.js';
import type { ToolModule } from './tool.js';

/** Every tool the server offers, in the order tools/list shows them. Adding a tool: its module, and one line here. */
export const TOOL_REGISTRY: readonly ToolModule[] = [createOneTimePaymentTool, listProductsTool, getPaymentTool];
