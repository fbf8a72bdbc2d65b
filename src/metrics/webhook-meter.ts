/**
 * What the webhook notifier records (D42): each delivery attempt by outcome, and each delivery given up, in
 * the cells of catalog.ts's objbatch_webhook_deliveries_total (main thread only).
 */
import { cellOf, WEBHOOK_DELIVERIES, WEBHOOK_OUTCOMES, type WebhookOutcome } from "./catalog.js";
import type { Cells } from "./cells.js";

const CELL = Object.fromEntries(WEBHOOK_OUTCOMES.map((o, i) => [o, cellOf(WEBHOOK_DELIVERIES, i)] as const)) as Record<
  WebhookOutcome,
  number
>;

export class WebhookMeter {
  constructor(private readonly cells: Cells) {}

  attempted(outcome: Exclude<WebhookOutcome, "gave_up">): void {
    this.cells.add(CELL[outcome], 1);
  }

  gaveUp(): void {
    this.cells.add(CELL.gave_up, 1);
  }
}
