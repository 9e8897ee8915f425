package com.example.orders.api;

import java.math.BigDecimal;

// tag::types[]
public record OrderLine(String sku, int quantity, BigDecimal unitPrice) {
}
// end::types[]
