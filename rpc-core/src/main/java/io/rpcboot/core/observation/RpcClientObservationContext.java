package io.rpcboot.core.observation;

import java.util.Locale;
import java.util.Map;

import io.micrometer.observation.transport.RequestReplySenderContext;
import io.rpcboot.core.intercept.ClientCall;
import io.rpcboot.core.registry.ServiceInstance;
import org.jspecify.annotations.Nullable;

/**
 * A client call as an observation sees it. Its carrier is the call's metadata: what a propagating
 * handler writes there (e.g. {@code traceparent}) is sent in the request's header.
 */
public class RpcClientObservationContext extends RequestReplySenderContext<Map<String, String>, Object> {

    private final ClientCall call;
    private volatile @Nullable ServiceInstance instance;

    public RpcClientObservationContext(ClientCall call) {
        super((carrier, key, value) -> {
            if (carrier != null) { // metadata keys are lowercase (B3's X-B3-TraceId becomes x-b3-traceid)
                carrier.put(key.toLowerCase(Locale.ROOT), value);
            }
        });
        this.call = call;
        setCarrier(call.metadata());
    }

    public ClientCall getCall() {
        return call;
    }

    /** The instance the call was last sent to; null until an attempt ended. */
    public @Nullable ServiceInstance getInstance() {
        return instance;
    }

    void setInstance(ServiceInstance instance) {
        this.instance = instance;
    }
}
