package io.rpcboot.core.observation;

import java.util.Locale;
import java.util.Map;

import io.micrometer.observation.transport.RequestReplyReceiverContext;
import io.rpcboot.core.intercept.ServerCall;

/**
 * A served call as an observation sees it. Its carrier is the metadata the client sent, from which
 * a propagating handler reads the caller's trace context.
 */
public class RpcServerObservationContext extends RequestReplyReceiverContext<Map<String, String>, Object> {

    private final ServerCall call;

    public RpcServerObservationContext(ServerCall call) {
        super((carrier, key) -> carrier.get(key.toLowerCase(Locale.ROOT))); // metadata keys are lowercase
        this.call = call;
        setCarrier(call.metadata());
    }

    public ServerCall getCall() {
        return call;
    }
}
