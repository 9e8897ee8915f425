package io.rpcboot.sample.api;

/**
 * A business error: no order has this id. Declared by {@link OrderService#cancel}, so consumers catch
 * it as itself, with its {@link #orderId()}.
 */
public class OrderNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String orderId;

    public OrderNotFoundException(String orderId) {
        super("no order " + orderId);
        this.orderId = orderId;
    }

    public String orderId() {
        return orderId;
    }
}
