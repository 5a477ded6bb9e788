# Statistics, recorder, run folder, model container / save-load, training (stats-model-train).
gradlab_add_cunit_test(stats_math ${CMAKE_CURRENT_LIST_DIR}/test_stats_math.c)
