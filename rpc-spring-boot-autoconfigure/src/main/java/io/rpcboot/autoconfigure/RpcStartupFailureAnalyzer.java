package io.rpcboot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports an {@link RpcStartupException} as Spring Boot reports start-up failures: a description and an action. */
class RpcStartupFailureAnalyzer extends AbstractFailureAnalyzer<RpcStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RpcStartupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
