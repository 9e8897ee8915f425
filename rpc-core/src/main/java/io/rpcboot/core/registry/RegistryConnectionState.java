package io.rpcboot.core.registry;

/** A {@link ServiceRegistry}'s link to its backing store, for health and operators. */
public enum RegistryConnectionState {
    /** In-process: there is no link to lose. */
    LOCAL,
    /** Connected: registrations and changes flow both ways. */
    CONNECTED,
    /** Connection interrupted; it may come back with the session (and its registrations) intact. */
    SUSPENDED,
    /**
     * The session is gone: calls still go to the instances known before, but nothing new is learned
     * or announced until the registry reconnects and registers again.
     */
    LOST
}
