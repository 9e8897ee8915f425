package io.rpcboot.test.autoconfigure.app;

/** The service the test application provides and calls. */
public interface Quotes {

    String quote(String symbol) throws UnknownSymbolException;

    /** Declared: arrives as itself. */
    class UnknownSymbolException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String symbol;

        public UnknownSymbolException(String symbol) {
            super("unknown symbol " + symbol);
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }
}
