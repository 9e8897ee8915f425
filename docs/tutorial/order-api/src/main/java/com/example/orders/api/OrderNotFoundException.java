package com.example.orders.api;

// tag::exception[]
public class OrderNotFoundException extends Exception {

    private final long orderId;

    public OrderNotFoundException(long orderId) {
        super("no order " + orderId);
        this.orderId = orderId;
    }

    public long orderId() {
        return orderId;
    }
}
// end::exception[]
