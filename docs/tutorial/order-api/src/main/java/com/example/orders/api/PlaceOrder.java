package com.example.orders.api;

import java.util.List;

// tag::types[]
public record PlaceOrder(String customer, List<OrderLine> lines) {
}
// end::types[]
