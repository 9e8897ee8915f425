package io.rpcboot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tutorials' code is the tutorial project's code (docs/tutorial, which CI builds, tests and
 * runs): every block marked {@code <!-- snippet: path#tag ... -->} must equal the regions between
 * {@code tag::tag[]} and {@code end::tag[]} in those files, joined by a blank line.
 */
class TutorialSnippetTests {

    private static final Path DOCS = Path.of("..", "docs");
    private static final Pattern MARKER = Pattern.compile("<!-- snippet: (.+?) -->\\s*\\n```[a-z]*\\n(.*?)```",
            Pattern.DOTALL);

    @ParameterizedTest
    @ValueSource(strings = {"tutorial.md", "tutorial.zh-CN.md"})
    void everyMarkedBlockIsTheProjectsCode(String tutorial) throws IOException {
        String text = Files.readString(DOCS.resolve(tutorial));
        Matcher m = MARKER.matcher(text);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            List<String> regions = new ArrayList<>();
            for (String source : m.group(1).trim().split("\\s+")) {
                int hash = source.indexOf('#');
                assertThat(hash).as("snippet source %s names a tag (path#tag)", source).isPositive();
                regions.add(region(DOCS.resolve("tutorial").resolve(source.substring(0, hash)), source.substring(hash + 1)));
            }
            assertThat(m.group(2)).as("%s: the block marked %s", tutorial, m.group(1))
                    .isEqualTo(String.join("\n", regions));
        }
        assertThat(blocks).as("snippet blocks in %s", tutorial).isGreaterThanOrEqualTo(12);
        assertThat(text).as("%s: every code block of sections 1 to 3 is a marked snippet", tutorial)
                .doesNotContainPattern("(?s)## 1\\..*?[^>]\\s*\\n```(java|xml|yaml)\\n.*?## 4\\.");
    }

    /** The lines between the tag's markers, without them, as they are (indentation included), each ending in a newline. */
    private static String region(Path file, String tag) throws IOException {
        assertThat(file).as("snippet source").exists();
        List<String> lines = Files.readAllLines(file);
        StringBuilder out = new StringBuilder();
        boolean in = false;
        boolean found = false;
        for (String line : lines) {
            if (line.contains("end::" + tag + "[]")) {
                in = false;
            } else if (line.contains("tag::" + tag + "[]")) {
                in = true;
                found = true;
            } else if (in) {
                out.append(line).append('\n');
            }
        }
        assertThat(found).as("tag %s in %s", tag, file).isTrue();
        return out.toString();
    }
}
