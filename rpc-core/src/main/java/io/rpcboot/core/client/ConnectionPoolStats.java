package io.rpcboot.core.client;

/**
 * The connection pool to one provider address at one instant, as {@link RpcClient#poolStats()}
 * reports it. Each figure is exact on its own; together they are not one atomic snapshot.
 *
 * @param connections        connections open now
 * @param leased             connections carrying at least one call now
 * @param idle               connections carrying no call now
 * @param leases             calls holding a connection now (one connection multiplexes many)
 * @param waiting            calls waiting for a connection now
 * @param created            connections opened since the pool started
 * @param destroyed          connections closed since the pool started
 * @param acquired           leases granted since the pool started
 * @param timeouts           waits for a connection that timed out
 * @param validationFailures connections found unusable when leased, and replaced
 */
public record ConnectionPoolStats(int connections, int leased, int idle, int leases, int waiting, long created,
                                  long destroyed, long acquired, long timeouts, long validationFailures) {
}
