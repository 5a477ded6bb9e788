# Statistics, recorder, run folder, model container / save-load, training (stats-model-train).
gradlab_add_cunit_test(stats_math ${CMAKE_CURRENT_LIST_DIR}/test_stats_math.c)
gradlab_add_cunit_test(stats_record ${CMAKE_CURRENT_LIST_DIR}/test_stats_record.c)
target_link_libraries(stats_record PRIVATE PkgConfig::CJSON ${CSV_LIBRARY})
target_include_directories(stats_record PRIVATE ${CSV_INCLUDE_DIR})
gradlab_add_cunit_test(stats_train ${CMAKE_CURRENT_LIST_DIR}/test_stats_train.c)
target_link_libraries(stats_train PRIVATE PkgConfig::CJSON)
add_dependencies(stats_train plugins)
