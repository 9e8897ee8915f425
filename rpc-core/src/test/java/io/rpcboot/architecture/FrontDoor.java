package io.rpcboot.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The rule every module outside rpc-core keeps: it uses rpc-core's front door only, never a type
 * under {@code io.rpcboot.core.internal}. Shared through rpc-core's test jar so that the
 * autoconfigure module, the ZooKeeper registry and the samples check the same thing.
 */
public final class FrontDoor {

    /** Plumbing: public only so that rpc-core's own packages can share it. */
    public static final String INTERNAL = "io.rpcboot.core.internal..";

    private FrontDoor() {
    }

    /**
     * Fails, naming each offending class and the internal type it uses, when a main (non-test) class
     * in one of {@code packages} depends on an internal type. Fails too when no class was found, so
     * a renamed package cannot make the check pass by finding nothing.
     */
    public static void assertUsesOnlyFrontDoor(String... packages) {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(packages);
        assertThat(classes).as("main classes found in %s", String.join(", ", packages)).isNotEmpty();
        noClasses().should().dependOnClassesThat().resideInAPackage(INTERNAL)
                .because("io.rpcboot.core.internal is not API: use the front door (see README, 'The core, part by part')")
                .check(classes);
    }
}
