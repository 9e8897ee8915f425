package io.rpcboot.sample.api;

/** A business error: no order has this id. Consumers see it as a remote exception with this type. */
public class OrderNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OrderNotFoundException(String id) {
        super("no order " + id);
    }
}
