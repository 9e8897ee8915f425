/**
 * HTTP/1.1 on the rpc port: {@link io.rpcboot.core.internal.http.HttpRequestParser} reads requests
 * under a header and a body budget, strictly (no bare LF, no folded lines, no request with both
 * {@code Content-Length} and {@code Transfer-Encoding}), and
 * {@link io.rpcboot.core.internal.http.HttpResponses} writes responses. What the requests mean is the
 * server's business ({@code io.rpcboot.core.server}).
 */
@NullMarked
package io.rpcboot.core.internal.http;

import org.jspecify.annotations.NullMarked;
