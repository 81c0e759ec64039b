package io.exitscope;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The data flow of DESIGN.md as executable rules: sources → events → exits → stats → views, each
 * step knowing only the ones before it. A rule broken here is an arrow that runs back up; fix the
 * arrow (move the concept to the lower layer that owns it), don't loosen the rule.
 */
@AnalyzeClasses(packages = "io.exitscope", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String CLI = "io.exitscope.cli..";
    private static final String VIEWS = "io.exitscope.view..";

    /** Events are the common language: they know nothing of where they came from or what is made of them. */
    @ArchTest
    static final ArchRule eventsDependOnNothingAbove = noClasses().that().resideInAPackage("io.exitscope.event..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source..", "io.exitscope.exit..",
                    "io.exitscope.stats..", "io.exitscope.analysis..", "io.exitscope.model..", "io.exitscope.triage..",
                    "io.exitscope.export..", "io.exitscope.calibrate..", VIEWS, CLI);

    /** Sources turn bytes into events; pairing exits and keeping statistics is not theirs. */
    @ArchTest
    static final ArchRule sourcesKnowNoExits = noClasses().that().resideInAPackage("io.exitscope.source..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.exit..", "io.exitscope.stats..",
                    "io.exitscope.analysis..", "io.exitscope.model..", "io.exitscope.triage..", "io.exitscope.export..",
                    "io.exitscope.calibrate..", VIEWS, CLI);

    /** Exit assembly reads events, never a file format or a source. */
    @ArchTest
    static final ArchRule exitsKnowNoSources = noClasses().that().resideInAPackage("io.exitscope.exit..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source..", "io.exitscope.stats..",
                    "io.exitscope.analysis..", "io.exitscope.model..", "io.exitscope.triage..", "io.exitscope.export..",
                    VIEWS, CLI);

    /** Statistics are about exits; they format nothing for display and open no file. */
    @ArchTest
    static final ArchRule statsKnowNoSourcesOrViews = noClasses().that().resideInAPackage("io.exitscope.stats..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source..", "io.exitscope.analysis..",
                    "io.exitscope.model..", "io.exitscope.triage..", "io.exitscope.export..", VIEWS, CLI);

    /** util is the floor: everyone may use it, it uses no one. */
    @ArchTest
    static final ArchRule utilIsTheFloor = noClasses().that().resideInAPackage("io.exitscope.util..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.event..", "io.exitscope.source..",
                    "io.exitscope.exit..", "io.exitscope.stats..", "io.exitscope.analysis..", "io.exitscope.model..",
                    "io.exitscope.triage..", "io.exitscope.export..", "io.exitscope.calibrate..", VIEWS, CLI);

    /** Commands are the top: they wire layers together; nothing calls back into them. */
    @ArchTest
    static final ArchRule nothingDependsOnCommands = noClasses().that().resideOutsideOfPackage(CLI)
            .should().dependOnClassesThat().resideInAPackage(CLI);

    /** The optimization evidence is decided once, below everyone who shows or uses it. */
    @ArchTest
    static final ArchRule evidenceIsBelowItsReaders = noClasses().that().resideInAPackage("io.exitscope.evidence..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.model..", "io.exitscope.triage..",
                    "io.exitscope.export..", "io.exitscope.calibrate..", VIEWS, CLI);

    /** Views read analyses, never a file format (the sources turn formats into events). */
    @ArchTest
    static final ArchRule viewsKnowNoFileFormat = noClasses().that().resideInAPackage(VIEWS)
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source.tracedat..", "io.exitscope.source.perfdata..",
                    "io.exitscope.source.text..", "io.exitscope.source.ringbuffer..");

    /**
     * The analysis and the evidence take a source's facts from {@code TraceInfo}, whatever the
     * format; what only one format knows is in its details, not in a reader they reach into.
     */
    @ArchTest
    static final ArchRule analysisKnowsNoFileFormat = noClasses().that().resideInAnyPackage("io.exitscope.analysis..", "io.exitscope.evidence..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source.tracedat..", "io.exitscope.source.perfdata..",
                    "io.exitscope.source.text..", "io.exitscope.source.ringbuffer..");

    /** Ring-buffer pages are the same in a trace.dat, a perf.data and trace_pipe_raw: their walk knows none of the containers. */
    @ArchTest
    static final ArchRule ringBufferKnowsNoContainer = noClasses().that().resideInAPackage("io.exitscope.source.ringbuffer..")
            .should().dependOnClassesThat().resideInAnyPackage("io.exitscope.source.tracedat..", "io.exitscope.source.perfdata..",
                    "io.exitscope.source.text..", "io.exitscope.source.live..");

    /** Triage ranks figures; it takes none from a report's layout. */
    @ArchTest
    static final ArchRule triageImportsNoView = noClasses().that().resideInAPackage("io.exitscope.triage..")
            .should().dependOnClassesThat().resideInAPackage(VIEWS);

    /** The model and the analysis produce figures; they do not render them. */
    @ArchTest
    static final ArchRule modelAndAnalysisRenderNothing = noClasses().that()
            .resideInAnyPackage("io.exitscope.model..", "io.exitscope.analysis..", "io.exitscope.calibrate..")
            .should().dependOnClassesThat().resideInAnyPackage(VIEWS, "io.exitscope.triage..", "io.exitscope.export..");

    private static final String TUI = "io.exitscope.view.tui";
    private static final String TUI_APP = TUI + ".TuiApp";
    private static final String TUI_SCREEN = TUI + ".View";

    /**
     * The full-screen UI is layered as Lanterna is (terminal, screen, gui2): the feeds produce
     * frames on their own thread and know nothing of the screens that draw them.
     */
    @ArchTest
    static final ArchRule tuiFeedsKnowNoScreens = noClasses().that().resideInAPackage(TUI + ".feed..")
            .should().dependOnClassesThat().resideInAPackage(TUI);

    /** A screen is handed a Scene (and the bars a Chrome.Bar): none reaches into the app for its state. */
    @ArchTest
    static final ArchRule tuiScreensDoNotReachIntoTheApp = noClasses().that().implement(TUI_SCREEN)
            .or().haveFullyQualifiedName(TUI + ".Chrome").or().haveFullyQualifiedName(TUI + ".Chrome$Bar")
            .should().dependOnClassesThat().haveFullyQualifiedName(TUI_APP);

    /** The app's state and each screen's own state (selection, scroll) are theirs alone. */
    @ArchTest
    static final ArchRule tuiStateIsPrivate = fields().that().areDeclaredInClassesThat().implement(TUI_SCREEN)
            .or().areDeclaredIn(TUI_APP).and().areNotStatic()
            .should().bePrivate();
}
