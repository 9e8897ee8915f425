package io.rpcboot.sample.api;

import java.math.BigDecimal;

/** One product in an order. */
public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {
}
