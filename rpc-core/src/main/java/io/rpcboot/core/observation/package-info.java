/**
 * Calls as Micrometer {@link io.micrometer.observation.Observation}s: one interceptor per side
 * ({@link ObservationClientInterceptor}, {@link ObservationServerInterceptor}) that makes each call
 * an observation named {@code rpc.client} or {@code rpc.server}, tagged after the OpenTelemetry
 * semantic conventions for RPC (version {@value RpcObservationConventions#SEMCONV_VERSION}). The
 * call's metadata is the carrier of Micrometer's request/reply contexts, so with Micrometer Tracing
 * the application's propagation (W3C {@code traceparent}, B3, baggage) travels in the frame header
 * and the provider's span is a child of the consumer's.
 */
@NullMarked
package io.rpcboot.core.observation;

import org.jspecify.annotations.NullMarked;
