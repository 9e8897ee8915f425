package com.example.orders.api;

// tag::types[]
public enum OrderStatus { PLACED, CANCELLED }
// end::types[]
