/* plot.h — drawing a run folder's figures (core/cli/plot.c), for `gradlab plot` and for
 * `gradlab run`, which may draw a study's figures when it ends (unless GRADLAB_PLOT=0). */
#ifndef GRADLAB_CLI_PLOT_H
#define GRADLAB_CLI_PLOT_H

/* Write RUN_DIR/figures/NAME.{gp,dat} from RUN_DIR/metrics.csv and RUN_DIR/figures.csv (figures
 * a study declared) and run gnuplot on them, giving NAME.png and NAME.svg. Prints the figure
 * paths on stdout unless `quiet`. Returns 0 when every figure was drawn. When gnuplot is
 * missing it says so on stderr, keeps the .gp scripts and returns 1 if `explicit_request` (the
 * user asked to plot), 0 otherwise. Never exits the process. */
int cli_plot_dir(const char *run_dir, int explicit_request, int quiet);

#endif
