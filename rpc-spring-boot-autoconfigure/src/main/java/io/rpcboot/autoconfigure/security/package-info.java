/**
 * Spring Security for provider calls: the caller authenticated by rpc-boot becomes the
 * {@code SecurityContext} of the call, and {@code @PreAuthorize} on a provider method is checked
 * before the method runs.
 */
@NullMarked
package io.rpcboot.autoconfigure.security;

import org.jspecify.annotations.NullMarked;
