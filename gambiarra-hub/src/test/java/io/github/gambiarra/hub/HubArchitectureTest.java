package io.github.gambiarra.hub;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hub's layers, checked on its compiled classes: its packages form no cycle, the cluster is a
 * placement beside the standalone one (it knows nothing of HTTP answers), a room's state knows
 * nothing of how requests travel, and the public API exposes nothing internal.
 */
class HubArchitectureTest {
    private static JavaClasses hub;

    @BeforeAll
    static void importHub() {
        hub = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.github.gambiarra.hub");
    }

    @Test
    void thePackagesOfTheHubFormNoCycle() {
        slices().matching("io.github.gambiarra.(**)").should().beFreeOfCycles().check(hub);
    }

    @Test
    void theInternalPackagesFormNoCycle() {
        slices().matching("io.github.gambiarra.hub.internal.(*)..").should().beFreeOfCycles().check(hub);
    }

    @Test
    void theOptionsImportNothingInternal() {
        noClasses().that().resideInAPackage("io.github.gambiarra.hub.config..")
                .should().dependOnClassesThat().resideInAnyPackage("io.github.gambiarra.hub", "..hub.internal..")
                .check(hub);
    }

    @Test
    void theClusterKnowsNothingOfTheHttpLayer() {
        noClasses().that().resideInAPackage("..hub.internal.cluster..")
                .should().dependOnClassesThat().resideInAPackage("..hub.internal.http..").check(hub);
    }

    @Test
    void aRoomsStateKnowsNothingOfHowRequestsTravelOrWhereRoomsArePlaced() {
        noClasses().that().resideInAPackage("..hub.internal.room..")
                .should().dependOnClassesThat().resideInAnyPackage("..hub.internal.http..", "..hub.internal.relay..",
                        "..hub.internal.tunnel..", "..hub.internal.cluster..", "..hub.internal.placement..",
                        "io.vertx..")
                .check(hub);
    }

    @Test
    void onlyTheHubItselfAssemblesTheInternals() {
        classes().that().resideInAPackage("io.github.gambiarra.hub.internal")
                .should().onlyHaveDependentClassesThat().resideInAnyPackage("io.github.gambiarra.hub",
                        "io.github.gambiarra.hub.internal")
                .check(hub);
    }
}
