package io.rpcboot.sample.api;

/** Where an order stands. */
public enum OrderStatus {
    NEW, PAID, SHIPPED, CANCELLED
}
