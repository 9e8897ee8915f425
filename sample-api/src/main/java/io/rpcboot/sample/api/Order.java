package io.rpcboot.sample.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** An order as the order service keeps it. */
public record Order(String id, String customer, List<OrderLine> lines, OrderStatus status, Instant createdAt,
                    Optional<String> note) {

    /** Sum of quantity x unit price over the lines. */
    public BigDecimal total() {
        return lines.stream().map(l -> l.unitPrice().multiply(BigDecimal.valueOf(l.quantity())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
