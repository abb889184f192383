import type { Entity, Service } from 'electrodb';

/** Why each item of a cancelled transaction failed, in the order the items were given. */
export type CancellationCodes = string[];

type AnyEntities = Record<string, Entity<any, any, any, any>>;
/** The transaction-bound entities ElectroDB hands to a write callback; only these can `.commit()`. */
export type TxEntities<E extends AnyEntities> = Parameters<Parameters<Service<E>['transaction']['write']>[0]>[0];

/**
 * Runs a TransactWrite through ElectroDB. Returns `null` when it committed, or the per-item
 * cancellation codes when a condition failed. A bare conflict with another transaction is
 * retried (a few times, with jitter) because it says nothing about the rules.
 */
export async function transactWrite<E extends AnyEntities>(
  service: Service<E>,
  build: (entities: TxEntities<E>) => unknown[],
): Promise<CancellationCodes | null> {
  for (let attempt = 0; ; attempt++) {
    const result = await service.transaction.write(build as never).go();
    if (!result.canceled) return null;
    const codes = (result.data as Array<{ code?: string }>).map((d) => d.code ?? 'None');
    const onlyConflicts = codes.every((c) => c === 'None' || c === 'TransactionConflict');
    if (!onlyConflicts || attempt >= 4) return codes;
    await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
  }
}

export const failed = (codes: CancellationCodes | null, index: number): boolean =>
  codes !== null && codes[index] === 'ConditionalCheckFailed';
