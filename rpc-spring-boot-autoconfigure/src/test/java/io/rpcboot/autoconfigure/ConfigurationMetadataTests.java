package io.rpcboot.autoconfigure;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated metadata documents every key, and the README's table lists every key with its default. */
class ConfigurationMetadataTests {

    private List<JsonNode> rpcProperties() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata").isNotNull();
            JsonNode root = JsonMapper.builder().build().readTree(in);
            List<JsonNode> rpc = new ArrayList<>();
            for (JsonNode p : root.get("properties")) {
                if (p.get("name").asString().startsWith("rpc.")) {
                    rpc.add(p);
                }
            }
            return rpc;
        }
    }

    @Test
    void everyRpcPropertyHasADescriptionAndADefault() throws Exception {
        List<JsonNode> properties = rpcProperties();
        assertThat(properties).hasSizeGreaterThan(25);
        for (JsonNode p : properties) {
            String name = p.get("name").asString();
            assertThat(p.has("description") && !p.get("description").asString().isBlank()).as("description of %s", name).isTrue();
            assertThat(p.has("defaultValue")).as("default of %s", name).isTrue();
        }
    }

    @Test
    void theReadmeTableListsEveryPropertyWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (JsonNode p : rpcProperties()) {
            String name = p.get("name").asString();
            JsonNode dv = p.get("defaultValue");
            String shown = dv.isArray() || dv.isObject() || dv.asString().isEmpty() ? "(empty)" : dv.asString();
            assertThat(readme).as("README row of %s", name).contains("| `" + name + "` | `" + shown + "` |");
        }
    }
}
