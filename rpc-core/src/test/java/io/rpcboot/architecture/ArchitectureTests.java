package io.rpcboot.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps rpc-core's front door a front door: the packages form no cycle, every public type is on the
 * committed list ({@code docs/public-types.txt}) marked API or internal, internal types live under
 * {@code io.rpcboot.core.internal} and nowhere else, and no API signature mentions an internal type.
 */
class ArchitectureTests {

    static final Path LIST = Path.of("..", "docs", "public-types.txt");
    static final String INTERNAL_PACKAGE = "io.rpcboot.core.internal";

    static JavaClasses core;

    @BeforeAll
    static void importCore() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.rpcboot.core", "io.rpcboot.annotation");
        assertThat(core).as("rpc-core's main classes").hasSizeGreaterThan(50);
    }

    /** Every package is its own slice: internal plumbing may implement an API interface, but no two packages need each other. */
    @Test
    void packagesFormNoCycle() {
        slices().matching("io.rpcboot.(**)").should().beFreeOfCycles().check(core);
    }

    @Test
    void everyPublicTypeIsOnTheCommittedListWithItsMark() throws IOException {
        Map<String, String> listed = readList();
        Map<String, String> actual = new TreeMap<>();
        for (JavaClass type : core) {
            if (isPublicApiSurface(type)) {
                actual.put(type.getName().replace('$', '.'), isInternal(type) ? "internal" : "API");
            }
        }
        List<String> problems = new ArrayList<>();
        actual.forEach((name, mark) -> {
            String given = listed.get(name);
            if (given == null) {
                problems.add("public type not on the list, add: " + String.format("%-9s%s", mark, name));
            } else if (!given.equals(mark)) {
                problems.add(name + " is listed as " + given + " but is " + mark
                        + (mark.equals("API") ? " (outside " + INTERNAL_PACKAGE + ")" : " (inside " + INTERNAL_PACKAGE + ")"));
            }
        });
        listed.keySet().stream().filter(name -> !actual.containsKey(name))
                .forEach(name -> problems.add("listed but not a public type of rpc-core (remove it): " + name));
        assertThat(problems).as("differences between rpc-core and %s", LIST).isEmpty();
    }

    @Test
    void noApiSignatureMentionsAnInternalType() {
        List<String> leaks = new ArrayList<>();
        for (JavaClass type : core) {
            if (!isPublicApiSurface(type) || isInternal(type)) {
                continue;
            }
            type.getRawSuperclass().filter(ArchitectureTests::isInternal)
                    .ifPresent(s -> leaks.add(type.getName() + " extends " + s.getName()));
            type.getRawInterfaces().stream().filter(ArchitectureTests::isInternal)
                    .forEach(i -> leaks.add(type.getName() + " implements " + i.getName()));
            for (JavaMember member : type.getMembers()) {
                if (!isVisibleOutside(member, type)) {
                    continue;
                }
                involvedTypes(member).filter(ArchitectureTests::isInternal)
                        .forEach(t -> leaks.add(member.getFullName() + " uses " + t.getName()));
            }
        }
        assertThat(leaks).as("API signatures that expose internal types").isEmpty();
    }

    private static Stream<JavaClass> involvedTypes(JavaMember member) {
        if (member instanceof JavaField field) {
            return field.getType().getAllInvolvedRawTypes().stream();
        }
        JavaCodeUnit unit = (JavaCodeUnit) member;
        return Stream.concat(unit.getReturnType().getAllInvolvedRawTypes().stream(),
                unit.getParameterTypes().stream().flatMap(p -> p.getAllInvolvedRawTypes().stream()));
    }

    /** Public or protected, and not hidden behind a final class's protected member. */
    private static boolean isVisibleOutside(JavaMember member, JavaClass owner) {
        if (member.getModifiers().contains(JavaModifier.SYNTHETIC)) {
            return false;
        }
        if (member.getModifiers().contains(JavaModifier.PUBLIC)) {
            return true;
        }
        return member.getModifiers().contains(JavaModifier.PROTECTED) && !owner.getModifiers().contains(JavaModifier.FINAL);
    }

    /** A type code outside rpc-core can name: public, and every enclosing type public too. */
    static boolean isPublicApiSurface(JavaClass type) {
        if (type.isAnonymousClass() || type.isLocalClass() || type.getSimpleName().equals("package-info")) {
            return false;
        }
        Optional<JavaClass> current = Optional.of(type);
        while (current.isPresent()) {
            if (!current.get().getModifiers().contains(JavaModifier.PUBLIC)) {
                return false;
            }
            current = current.get().getEnclosingClass();
        }
        return true;
    }

    static boolean isInternal(JavaClass type) {
        return type.getPackageName().equals(INTERNAL_PACKAGE) || type.getPackageName().startsWith(INTERNAL_PACKAGE + ".");
    }

    /** {@code mark name} per line; {@code #} starts a comment. */
    static Map<String, String> readList() throws IOException {
        assertThat(LIST).as("the committed list of public types").exists();
        Map<String, String> listed = new TreeMap<>();
        TreeSet<String> duplicates = new TreeSet<>();
        for (String line : Files.readAllLines(LIST)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] parts = text.split("\\s+");
            assertThat(parts).as("line '%s' of %s: a mark (API or internal) and a type name", line, LIST).hasSize(2);
            assertThat(parts[0]).as("mark on line '%s'", line).isIn("API", "internal");
            if (listed.put(parts[1], parts[0]) != null) {
                duplicates.add(parts[1]);
            }
        }
        assertThat(duplicates).as("types listed twice in %s", LIST).isEmpty();
        return listed;
    }
}
