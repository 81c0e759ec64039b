package io.exitscope.view.tui;

/** The screens, by the name the title bar shows. */
enum ViewId {
    MAIN("exits"), DETAIL("detail"), COMPARE("compare"), OPTIMIZATIONS("optimizations"), HELP("help"), HEATMAP("heatmap");

    final String title;

    ViewId(String title) {
        this.title = title;
    }
}
