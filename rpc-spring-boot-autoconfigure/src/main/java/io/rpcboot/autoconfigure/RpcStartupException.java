package io.rpcboot.autoconfigure;

/**
 * rpc-boot cannot start as the application is declared: what is wrong, and what to do about it.
 * {@link RpcStartupFailureAnalyzer} prints both in Spring Boot's "APPLICATION FAILED TO START"
 * report. Misconfigured properties fail with Boot's own
 * {@link org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException}
 * instead, whose report names the property and where it was set.
 */
public class RpcStartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String action;

    /**
     * @param description what is wrong, naming the bean, field, class or port
     * @param action      what to change
     */
    public RpcStartupException(String description, String action) {
        this(description, action, null);
    }

    public RpcStartupException(String description, String action, Throwable cause) {
        super(description, cause);
        this.action = action;
    }

    /** What to change. */
    public String action() {
        return action;
    }
}
