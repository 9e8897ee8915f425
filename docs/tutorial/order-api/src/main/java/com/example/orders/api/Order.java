package com.example.orders.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

// tag::types[]
public record Order(long id, String customer, List<OrderLine> lines, OrderStatus status, Instant placedAt) {

    public BigDecimal total() {
        return lines.stream().map(l -> l.unitPrice().multiply(BigDecimal.valueOf(l.quantity())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
// end::types[]
