package io.rpcboot.core.rpc;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Compiles docs/examples/PlainJavaExample.java and runs its server and its client in two separate JVMs. */
@Timeout(120)
class PlainJavaExampleTests {

    private static final Path EXAMPLE = Path.of("..", "docs", "examples", "PlainJavaExample.java");

    @Test
    void theDocumentedExampleIsShortCompilesAndTalksAcrossProcesses(@TempDir Path out) throws Exception {
        assertThat(Files.readAllLines(EXAMPLE)).as("the example stays under 30 lines").hasSizeLessThan(30);
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-d", out.toString(), "-cp", classPath, EXAMPLE.toString());
        assertThat(status).as("javac exit status").isZero();
        String runPath = out + File.pathSeparator + classPath;

        Process server = java(runPath, "server");
        try {
            BufferedReader serverOut = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = CompletableFuture.supplyAsync(() -> awaitPort(serverOut)).get(60, TimeUnit.SECONDS);

            Process client = java(runPath, "client", String.valueOf(port));
            String clientOutput = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(client.exitValue()).as("client exit status; output:%n%s", clientOutput).isZero();
            assertThat(clientOutput).contains("Hello, world!");

            server.getOutputStream().close(); // the server stops when its stdin closes
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    private static Process java(String classPath, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", classPath, "PlainJavaExample"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int awaitPort(BufferedReader out) {
        Pattern listening = Pattern.compile("^listening on (\\d+)$");
        try {
            String line;
            while ((line = out.readLine()) != null) {
                Matcher m = listening.matcher(line.strip());
                if (m.matches()) {
                    CompletableFuture.runAsync(() -> drain(out)); // keep the pipe from filling up
                    return Integer.parseInt(m.group(1));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new IllegalStateException("the server exited without printing its port");
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // discard
            }
        } catch (java.io.IOException ignored) {
            // the process ended
        }
    }
}
