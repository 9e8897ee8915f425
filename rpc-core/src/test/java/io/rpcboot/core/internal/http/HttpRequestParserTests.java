package io.rpcboot.core.internal.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class HttpRequestParserTests {

    private static final String TWO = "POST /a/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nX-Y:  v  \r\n\r\nhello"
            + "POST /c/d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3;x=y\r\ncde\r\n0\r\nT: 1\r\n\r\n";

    private static List<HttpRequest> parseAll(HttpRequestParser parser, byte[] bytes, int split) throws HttpParseException {
        List<HttpRequest> out = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += split) {
            ByteBuffer chunk = ByteBuffer.wrap(bytes, at, Math.min(split, bytes.length - at));
            for (int r = parser.parse(chunk); r != HttpRequestParser.NEED_MORE; r = parser.parse(chunk)) {
                out.add(parser.take()); // no Expect here: never HEAD
            }
        }
        return out;
    }

    @Test
    void requestsAreTheSameWhateverTheSplitOfTheirBytes() throws HttpParseException {
        byte[] bytes = TWO.getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 1; split <= bytes.length; split++) {
            List<HttpRequest> requests = parseAll(new HttpRequestParser(8192, 1024), bytes, split);
            assertThat(requests).as("split %d", split).hasSize(2);
            HttpRequest first = requests.get(0);
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.path()).isEqualTo("/a/b");
            assertThat(first.header("x-y")).isEqualTo("v");
            assertThat(new String(first.body(), 0, first.bodyLength(), StandardCharsets.US_ASCII)).isEqualTo("hello");
            HttpRequest second = requests.get(1);
            assertThat(second.path()).isEqualTo("/c/d");
            assertThat(new String(second.body(), 0, second.bodyLength(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
            assertThat(second.keepAlive()).isTrue();
        }
    }

    private static HttpParseException refused(String request, int maxHeader, int maxBody) {
        HttpRequestParser parser = new HttpRequestParser(maxHeader, maxBody);
        return org.junit.jupiter.api.Assertions.assertThrows(HttpParseException.class, () -> {
            ByteBuffer b = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
            while (parser.parse(b) != HttpRequestParser.NEED_MORE) {
                if (parser.head() != null) {
                    parser.take();
                }
            }
        });
    }

    @Test
    void ambiguousOrOversizeRequestsAreRefusedWithTheirStatus() {
        assertThat(refused("GET / HTTP/1.1\nHost: h\n\n", 8192, 10).status()).isEqualTo(400);
        assertThat(refused("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 8192, 10).status()).isEqualTo(400);
        assertThat(refused("GET / HTTP/1.1\r\nHost : h\r\n\r\n", 8192, 10).getMessage()).contains("whitespace before the colon");
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 8192, 10)
                .status()).isEqualTo(400);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 8192, 10)
                .status()).isEqualTo(400);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 8192, 10).status()).isEqualTo(501);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", 8192, 10).status()).isEqualTo(413);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 8192, 10)
                .status()).isEqualTo(413);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nabcdef\r\n",
                8192, 10).reason()).isEqualTo("http_body_size");
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 8192, 10)
                .getMessage()).contains("longer than its size");
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + "0".repeat(2000) + "\r\n",
                8192, 10).status()).isEqualTo(400);
        assertThat(refused("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(2000) + "\r\n\r\n", 1024, 10).status()).isEqualTo(431);
        assertThat(refused("GET / HTTP/1.1\r\n\r\n", 8192, 10).getMessage()).contains("without a Host");
        assertThat(refused("GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n", 8192, 10).status()).isEqualTo(400);
        assertThat(refused("GET / HTTP/3\r\nHost: h\r\n\r\n", 8192, 10).status()).isEqualTo(505);
        assertThat(refused("\r\n".repeat(20), 8192, 10).status()).isEqualTo(400);
        // only SP and HTAB are trimmed: a value that a lenient reader would trim differently is refused
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\u000B\r\n\r\n", 8192, 10).status())
                .isEqualTo(400);
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \u001C5\r\n\r\n", 8192, 10).status())
                .isEqualTo(400);
        // the trailer shares the header budget, however it is split into lines
        assertThat(refused("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
                + "t: 0123456789012345678901234567890123456789\r\n".repeat(30) + "\r\n", 1024, 10).status()).isEqualTo(431);
    }

    @Test
    void aBodyBufferGrowsWithWhatArrivesNotWithWhatIsAnnounced() throws HttpParseException {
        HttpRequestParser parser = new HttpRequestParser(8192, 16 * 1024 * 1024);
        ByteBuffer head = ByteBuffer.wrap("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 16000000\r\n\r\n0123456789"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(parser.parse(head)).isEqualTo(HttpRequestParser.NEED_MORE);
        // nothing but the head and 10 bytes arrived: the buffer is the first chunk, not 16 MB
        assertThat(parser.head()).isNotNull();
        assertThat(parser.head().body().length).isLessThanOrEqualTo(4096);
    }

    @Test
    void expectContinueStopsAfterTheHead() throws HttpParseException {
        HttpRequestParser parser = new HttpRequestParser(8192, 100);
        ByteBuffer b = ByteBuffer.wrap("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(parser.parse(b)).isEqualTo(HttpRequestParser.HEAD);
        assertThat(b.remaining()).isEqualTo(2);
        assertThat(parser.parse(b)).isEqualTo(HttpRequestParser.COMPLETE);
        HttpRequest r = parser.take();
        assertThat(r.bodyLength()).isEqualTo(2);
        assertThat(parser.startedNanos()).isZero();
    }

    @Test
    void keepAliveFollowsTheVersionAndTheConnectionHeader() throws HttpParseException {
        assertThat(one("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").keepAlive()).isFalse();
        assertThat(one("GET / HTTP/1.0\r\n\r\n").keepAlive()).isFalse();
        assertThat(one("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keepAlive()).isTrue();
    }

    private static HttpRequest one(String text) throws HttpParseException {
        HttpRequestParser parser = new HttpRequestParser(8192, 100);
        assertThat(parser.parse(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)))).isEqualTo(HttpRequestParser.COMPLETE);
        return parser.take();
    }

    @Test
    void aChunkedBodysBufferGrowsByDoublingNotByEachChunk() throws HttpParseException {
        HttpRequestParser parser = new HttpRequestParser(8192, 1 << 20);
        StringBuilder request = new StringBuilder("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 5000; i++) {
            request.append("1\r\nx\r\n");
        }
        assertThat(parser.parse(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.ISO_8859_1))))
                .isEqualTo(HttpRequestParser.NEED_MORE);
        HttpRequest head = parser.head();
        assertThat(head.bodyLength()).isEqualTo(5000);
        // grown to exactly each new length, 5,000 chunks would have meant 5,000 copies of the body so far
        assertThat(head.body().length).as("room to spare: grown geometrically").isEqualTo(8192);
    }
}
