# Statistics, recorder, run folder, model container / save-load, training (stats-model-train).
gradlab_add_cunit_test(stats_math ${CMAKE_CURRENT_LIST_DIR}/test_stats_math.c)
gradlab_add_cunit_test(stats_record ${CMAKE_CURRENT_LIST_DIR}/test_stats_record.c)
target_link_libraries(stats_record PRIVATE PkgConfig::CJSON ${CSV_LIBRARY})
target_include_directories(stats_record PRIVATE ${CSV_INCLUDE_DIR})
gradlab_add_cunit_test(stats_model ${CMAKE_CURRENT_LIST_DIR}/test_stats_model.c)
gradlab_add_cunit_test(stats_train ${CMAKE_CURRENT_LIST_DIR}/test_stats_train.c)
target_link_libraries(stats_train PRIVATE PkgConfig::CJSON)
add_dependencies(stats_train plugins)
# Not a test: the benchmark of what recording statistics every step costs (prints the ratio);
# bench/ has no CMakeLists, so it is built from here, into build/bench/stats_overhead.
add_executable(stats_overhead ${PROJECT_SOURCE_DIR}/bench/stats_overhead.c)
target_link_libraries(stats_overhead PRIVATE gradlab m)
set_target_properties(stats_overhead PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_dependencies(stats_overhead plugins)
# The statistics kernels on every path this CPU offers (AVX-512, AVX2, portable).
foreach(level avx2 none)
  add_test(NAME stats_math_${level} COMMAND stats_math)
  set_tests_properties(stats_math_${level} PROPERTIES ENVIRONMENT "GRADLAB_STATS_SIMD=${level}")
  add_test(NAME stats_record_${level} COMMAND stats_record)
  set_tests_properties(stats_record_${level} PROPERTIES ENVIRONMENT "GRADLAB_STATS_SIMD=${level}")
endforeach()
